/*
 * Reading a PV kernel for the builder: a bzImage (its payload XZ or gzip),
 * a compressed ELF, or a plain ELF64; its PT_LOAD segments and Xen ELF notes
 * (public/elfnote.h). Pure functions on memory, tested on the host.
 */
#ifndef XC_KERNEL_H
#define XC_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XC_KERNEL_MAX_SEGS 16

/* What the Xen notes said; has_* tells a note apart from a default. */
struct xc_elf_notes {
    uint64_t entry, hypercall_page, virt_base, paddr_offset, init_p2m;
    bool has_entry, has_hypercall_page, has_virt_base, has_paddr_offset, has_init_p2m;
    bool mod_start_pfn;          /* XEN_ELFNOTE_MOD_START_PFN: initrd may stay unmapped */
    uint32_t supported_features; /* XEN_ELFNOTE_SUPPORTED_FEATURES bitmap (XENFEAT_*) */
    char features[128];          /* XEN_ELFNOTE_FEATURES, as written */
    char xen_version[32], guest_os[32], loader[32];
};

/* A PT_LOAD segment, placed at its guest-virtual address. */
struct xc_kernel_seg {
    uint64_t vaddr;  /* p_paddr + virt_base - paddr_offset (see xc_kernel.c) */
    uint64_t offset; /* in the ELF image */
    uint64_t filesz, memsz;
};

struct xc_kernel {
    uint8_t *image; /* the ELF (decompressed if it was); owned when loaded from a file */
    size_t size;
    bool owned;
    struct xc_elf_notes notes;
    uint64_t virt_base, entry; /* with the defaults applied */
    uint64_t vstart, vend;     /* page-rounded span of all segments */
    unsigned nseg;
    struct xc_kernel_seg seg[XC_KERNEL_MAX_SEGS];
};

/*
 * The compressed payload of a bzImage (Linux boot protocol >= 2.08:
 * setup_sects at 0x1f1, "HdrS" at 0x202, version 0x206, payload_offset
 * 0x248 and payload_length 0x24c, relative to the protected-mode code).
 * 0 and the span; -ENOENT if img is no bzImage; another -errno if broken.
 */
int xc_bzimage_payload(const uint8_t *img, size_t size, size_t *off, size_t *len, char *err,
                       size_t errlen);
/* XZ or gzip data into a malloc'd buffer; -EINVAL for another format. */
int xc_decompress(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
                  size_t errlen);
/* Parses an ELF64 in memory (not copied, not owned) into k. */
int xc_elf_parse(const uint8_t *img, size_t size, struct xc_kernel *k, char *err,
                 size_t errlen);
/* Any accepted form (bzImage, XZ/gzip ELF, ELF) in memory; k owns what it allocates. */
int xc_kernel_load(const uint8_t *file, size_t size, struct xc_kernel *k, char *err,
                   size_t errlen);
int xc_kernel_read(const char *path, struct xc_kernel *k, char *err, size_t errlen);
void xc_kernel_free(struct xc_kernel *k);
/* Whole file into a malloc'd buffer. */
int xc_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen);

/*
 * Copies the segments into mem, the guest's memory seen from virtual
 * address mem_va on (mem_len bytes), zeroing each segment's tail past filesz.
 */
int xc_kernel_copy(const struct xc_kernel *k, void *mem, uint64_t mem_va, size_t mem_len,
                   char *err, size_t errlen);

#endif
