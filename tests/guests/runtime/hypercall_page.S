/*
 * The hypercall page named by XEN_ELFNOTE_HYPERCALL_PAGE: 128 stubs of
 * 32 bytes; stub N issues hypercall N (xen.h: "call hypercall_page +
 * nr * 32"). The builder overwrites the whole page before the first guest
 * instruction. It starts as int3 so that an unfilled page is detectable
 * (runtime_start checks it) instead of silently returning garbage.
 */
        .section .hypercall_page, "ax", @progbits
        .balign 4096
        .globl  hypercall_page
hypercall_page:
        .fill   4096, 1, 0xcc
