/*
 * Copies the loader's information (Multiboot 0.6.96 section 3.3; Multiboot2
 * section 3.6) into struct boot_info while the first 4 GiB are still mapped
 * 1:1 by the boot page tables.
 */
#include <asm/bootinfo.h>

#define MB1_BOOTLOADER_MAGIC 0x2BADB002
#define MB2_BOOTLOADER_MAGIC 0x36d76289

#define MB1_INFO_MEMORY (1 << 0)
#define MB1_INFO_CMDLINE (1 << 2)
#define MB1_INFO_MODS (1 << 3)
#define MB1_INFO_MMAP (1 << 6)
#define MB1_INFO_LOADER (1 << 9)

struct mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
} __packed;

struct mb1_module {
    uint32_t start, end, string, reserved;
} __packed;

struct mb1_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __packed;

struct mb2_tag {
    uint32_t type, size;
};

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MEMINFO 4
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

struct boot_info boot_info;

/* A copy of the RSDP survives in our image: the loader's copy may be reused. */
static uint8_t rsdp_copy[64] __aligned(16);

static const void *pa(uint64_t addr)
{
    return (const void *)(uintptr_t)addr; /* 1:1 during boot */
}

static void add_region(struct boot_info *bi, uint64_t addr, uint64_t len, uint32_t type)
{
    if (bi->nr_memmap < MAX_MEMMAP && len)
        bi->memmap[bi->nr_memmap++] = (struct memmap_entry){ addr, len, type };
}

static void add_module(struct boot_info *bi, uint64_t start, uint64_t end, const char *cmd)
{
    struct boot_module *m;

    if (bi->nr_modules >= MAX_MODULES)
        return;
    m = &bi->modules[bi->nr_modules++];
    m->start = start;
    m->end = end;
    strlcpy(m->cmdline, cmd ? cmd : "", sizeof(m->cmdline));
}

static void parse_mb1(const struct mb1_info *mi, struct boot_info *bi)
{
    bi->multiboot_version = 1;
    if (mi->flags & MB1_INFO_LOADER)
        strlcpy(bi->loader, pa(mi->boot_loader_name), sizeof(bi->loader));
    if (mi->flags & MB1_INFO_CMDLINE)
        strlcpy(bi->cmdline, pa(mi->cmdline), sizeof(bi->cmdline));
    if (mi->flags & MB1_INFO_MODS) {
        const struct mb1_module *mod = pa(mi->mods_addr);

        for (uint32_t i = 0; i < mi->mods_count; i++)
            add_module(bi, mod[i].start, mod[i].end,
                       mod[i].string ? pa(mod[i].string) : "");
    }
    if (mi->flags & MB1_INFO_MMAP) {
        uint64_t p = mi->mmap_addr, end = p + mi->mmap_length;

        while (p < end) {
            const struct mb1_mmap *e = pa(p);

            add_region(bi, e->addr, e->len, e->type);
            p += e->size + sizeof(e->size);
        }
    } else if (mi->flags & MB1_INFO_MEMORY) {
        add_region(bi, 0, (uint64_t)mi->mem_lower << 10, E820_RAM);
        add_region(bi, 1 << 20, (uint64_t)mi->mem_upper << 10, E820_RAM);
    }
}

static void parse_mb2_mmap(const struct mb2_tag *t, struct boot_info *bi)
{
    const uint32_t *hdr = (const uint32_t *)(t + 1);
    uint32_t entry_size = hdr[0];
    const uint8_t *p = (const uint8_t *)(hdr + 2), *end = (const uint8_t *)t + t->size;

    if (entry_size < 20)
        return;
    for (; p + entry_size <= end; p += entry_size) {
        uint64_t addr, len;
        uint32_t type;

        memcpy(&addr, p, 8);
        memcpy(&len, p + 8, 8);
        memcpy(&type, p + 16, 4);
        add_region(bi, addr, len, type);
    }
}

static void parse_mb2(uint64_t info, struct boot_info *bi)
{
    uint32_t total = *(const uint32_t *)pa(info);
    uint64_t p = info + 8, end = info + total;
    const uint32_t *meminfo = NULL;

    bi->multiboot_version = 2;
    while (p + sizeof(struct mb2_tag) <= end) {
        const struct mb2_tag *t = pa(p);
        const uint32_t *body = (const uint32_t *)(t + 1);

        if (t->type == MB2_TAG_END || t->size < sizeof(*t))
            break;
        switch (t->type) {
        case MB2_TAG_CMDLINE:
            strlcpy(bi->cmdline, (const char *)body, sizeof(bi->cmdline));
            break;
        case MB2_TAG_LOADER:
            strlcpy(bi->loader, (const char *)body, sizeof(bi->loader));
            break;
        case MB2_TAG_MODULE:
            add_module(bi, body[0], body[1], (const char *)(body + 2));
            break;
        case MB2_TAG_MEMINFO:
            meminfo = body;
            break;
        case MB2_TAG_MMAP:
            parse_mb2_mmap(t, bi);
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            if (!bi->rsdp && t->size - sizeof(*t) <= sizeof(rsdp_copy)) {
                memcpy(rsdp_copy, body, t->size - sizeof(*t));
                bi->rsdp = rsdp_copy;
            }
            break;
        }
        p += ROUNDUP((uint64_t)t->size, 8);
    }
    if (!bi->nr_memmap && meminfo) {
        add_region(bi, 0, (uint64_t)meminfo[0] << 10, E820_RAM);
        add_region(bi, 1 << 20, (uint64_t)meminfo[1] << 10, E820_RAM);
    }
}

int multiboot_parse(uint32_t magic, uint64_t info_pa, struct boot_info *bi)
{
    memset(bi, 0, sizeof(*bi));
    if (magic == MB1_BOOTLOADER_MAGIC)
        parse_mb1(pa(info_pa), bi);
    else if (magic == MB2_BOOTLOADER_MAGIC)
        parse_mb2(info_pa, bi);
    else
        return -1;
    return 0;
}

/*
 * Multiboot 1 loaders (GRUB 2's `multiboot`/`module`, GRUB legacy, QEMU)
 * put the image's file name first on each command line; GRUB 2's
 * `multiboot2`/`module2` do not. Xen guesses from the loader's name and so
 * hands "/boot/vmlinuz ..." to Dom0 under GRUB 2's legacy entries; the
 * protocol version is the reliable sign.
 */
const char *cmdline_cook(const char *p, unsigned multiboot_version)
{
    while (*p == ' ')
        p++;
    if (multiboot_version == 2)
        return p;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    return p;
}
