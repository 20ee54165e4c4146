/*
 * The Xen ELF notes that make this image a PV kernel (xen/elfnote.h).
 * libelf accepts a numeric note of 4 or 8 bytes and a string note that is
 * NUL-terminated; it loads an image only if LOADER starts with "generic"
 * (or GUEST_OS with "linux") and XEN_VERSION with "xen-3.0".
 */
#include <xen/elfnote.h>
#include <xen/features.h>

#define ELFNOTE(type, data...)                          \
        .balign 4;                                      \
        .long   2f - 1f;        /* namesz */            \
        .long   4f - 3f;        /* descsz */            \
        .long   type;                                   \
1:      .asciz  "Xen";                                  \
2:      .balign 4;                                      \
3:      data;                                           \
4:      .balign 4

        .section .note.Xen, "a", @note

        ELFNOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "xenolith-test")
        ELFNOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "1")
        ELFNOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
        ELFNOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
        /* Both from link.lds: pfn 0 is VIRT_BASE, paddr == virt - VIRT_BASE. */
        ELFNOTE(XEN_ELFNOTE_VIRT_BASE,      .quad guest_virt_base)
        ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET,   .quad 0)
        ELFNOTE(XEN_ELFNOTE_ENTRY,          .quad _start)
        ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
        /* We need nothing optional; we can run as Dom0 (feature name "dom0"). */
        ELFNOTE(XEN_ELFNOTE_FEATURES,       .asciz "dom0")
        /*
         * The Dom0 builder refuses an image whose SUPPORTED_FEATURES bitmap
         * (submap 0) lacks XENFEAT_dom0 (xen/arch/x86/pv/dom0_build.c).
         */
        ELFNOTE(XEN_ELFNOTE_SUPPORTED_FEATURES, .long (1 << XENFEAT_dom0))
