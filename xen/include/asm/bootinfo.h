/* What the loader told us, copied out of the multiboot structures. */
#ifndef ASM_BOOTINFO_H
#define ASM_BOOTINFO_H

#include <xenolith/lib.h>

#define MAX_MEMMAP 128
#define MAX_MODULES 8
#define CMDLINE_SIZE 1024 /* as xen_commandline_t and start_info.cmd_line */

enum memmap_type { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3, E820_NVS = 4,
                   E820_UNUSABLE = 5 };

struct memmap_entry {
    uint64_t addr, len;
    uint32_t type;
};

struct boot_module {
    uint64_t start, end; /* physical, end exclusive */
    char cmdline[CMDLINE_SIZE];
};

struct boot_info {
    unsigned multiboot_version; /* 1 or 2 */
    char loader[64];
    char cmdline[CMDLINE_SIZE]; /* the hypervisor's, image name removed */
    struct memmap_entry memmap[MAX_MEMMAP];
    unsigned nr_memmap;
    struct boot_module modules[MAX_MODULES];
    unsigned nr_modules;
    const void *rsdp; /* the loader's copy of the ACPI RSDP, or NULL */
};

extern struct boot_info boot_info;

/* Returns 0, or -1 if magic is not a multiboot loader's. */
int multiboot_parse(uint32_t magic, uint64_t info_pa, struct boot_info *bi);
/* Strips the image name that multiboot 1 loaders put first. */
const char *cmdline_cook(const char *cmdline, unsigned multiboot_version);

#endif
