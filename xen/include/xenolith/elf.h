/*
 * Reading a PV kernel: ELF64 headers and the Xen ELF notes
 * (public/elfnote.h), with the address rules of Xen's loader: VIRT_BASE
 * defaults to 0, PADDR_OFFSET to 0, ENTRY to e_entry, and a kernel is
 * loaded at p_paddr + VIRT_BASE - PADDR_OFFSET. Every offset and size read
 * from the image is checked against the image's length. Host-compilable.
 */
#ifndef XENOLITH_ELF_H
#define XENOLITH_ELF_H

#include <xenolith/lib.h>

#define ELF_UNSET (~0UL)

struct elf_kernel {
    const uint8_t *image;
    size_t size;
    uint64_t pstart, pend; /* physical span of the PT_LOAD segments */

    /* From the notes (ELF_UNSET where absent). */
    bool has_notes;
    uint64_t virt_base, paddr_offset, entry, hypercall_page, hv_start_low,
        p2m_base;
    char guest_os[32], guest_version[32], xen_version[32], loader[32],
        pae_mode[16];
    uint32_t features_supported, features_required; /* XENFEAT_* submap 0 */
    bool unmapped_initrd;                             /* MOD_START_PFN != 0 */
    bool has_supported_features_note;

    /* Derived. */
    uint64_t virt_offset, virt_kstart, virt_kend;
};

/* Fills *k; on failure returns -1 with a one-line reason in err. */
int elf_kernel_parse(struct elf_kernel *k, const void *image, size_t size,
                     char *err, size_t errlen);

typedef int (*elf_segment_fn)(void *ctx, uint64_t vaddr, const uint8_t *src,
                              uint64_t filesz, uint64_t memsz);
/* Calls fn for each PT_LOAD at its virtual address; stops at the first error. */
int elf_kernel_for_each_segment(const struct elf_kernel *k, elf_segment_fn fn,
                                void *ctx);

#endif
