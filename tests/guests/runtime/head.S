/*
 * Entry of a 64-bit PV test kernel.
 *
 * The builder starts vCPU0 in guest-kernel mode (ring 3) at the address of
 * XEN_ELFNOTE_ENTRY with RSI = virtual address of start_info and RSP = top
 * of a boot-stack page that belongs to the bootstrap region (xen.h,
 * "Start-of-day memory layout"). No trap table and no callbacks exist yet:
 * any exception here kills the domain, so this code only clears the BSS,
 * moves to a stack of our own inside the image, and enters C.
 */
        .section .text.head, "ax", @progbits
        .code64
        .globl  _start
_start:
        cld
        mov     %rsi, %rbx              /* start_info survives rep stos */

        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb

        lea     boot_stack_top(%rip), %rsp
        xor     %ebp, %ebp
        mov     %rbx, %rdi
        call    runtime_start           /* never returns */
1:      jmp     1b

        .section .bss.boot_stack, "aw", @nobits
        .balign 16
boot_stack:
        .skip   16384
boot_stack_top:
