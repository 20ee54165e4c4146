/*
 * Where an application processor starts after INIT-SIPI-SIPI: real mode at
 * TRAMPOLINE_PADDR (CS = paddr >> 4, IP = 0). This blob is copied there; it
 * climbs to long mode on boot page tables that map itself 1:1 and the
 * hypervisor, takes the stack and C entry point the boot CPU left in its
 * data words, and jumps to the hypervisor's high addresses.
 */
#include <asm/config.h>

#define T(sym) (TRAMPOLINE_PADDR + (sym) - trampoline_start)

        .section .rodata, "a", @progbits
        .align  16
        .globl  trampoline_start, trampoline_end
        .globl  trampoline_cr3, trampoline_stack, trampoline_entry
        .code16
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        lgdtl   tramp_gdtr - trampoline_start
        mov     %cr0, %eax
        or      $1, %eax                        /* PE */
        mov     %eax, %cr0
        ljmpl   $0x08, $T(tramp_pm32)

        .code32
tramp_pm32:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     %cr4, %eax
        or      $0x20, %eax                     /* PAE */
        mov     %eax, %cr4
        mov     T(trampoline_cr3), %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx               /* EFER: SCE, LME, NXE */
        rdmsr
        or      $0x901, %eax
        wrmsr
        mov     %cr0, %eax
        or      $0x80010001, %eax               /* PG, WP, PE */
        mov     %eax, %cr0
        ljmp    $0x18, $T(tramp_lm64)

        .code64
tramp_lm64:
        mov     T(trampoline_stack), %rsp
        mov     T(trampoline_entry), %rax
        jmp     *%rax

        .align  8
tramp_gdt:
        .quad   0
        .quad   0x00cf9a000000ffff              /* 0x08: 32-bit code */
        .quad   0x00cf92000000ffff              /* 0x10: data */
        .quad   0x00af9a000000ffff              /* 0x18: 64-bit code */
tramp_gdtr:
        .short  tramp_gdtr - tramp_gdt - 1
        .long   T(tramp_gdt)
        .align  8
trampoline_cr3:
        .quad   0
trampoline_stack:
        .quad   0
trampoline_entry:
        .quad   0
trampoline_end:
