/*
 * Entry from a multiboot loader: 32-bit protected mode, paging off,
 * EAX = loader magic, EBX = physical address of the boot information
 * (Multiboot 0.6.96 section 3.2; Multiboot2 section 3.3). We map the first
 * 4 GiB 1:1 and the image at XEN_VIRT_START, enter long mode and call
 * __start_xen(magic, info) on the boot CPU's stack.
 */
#include <asm/config.h>

#define sym_phys(s) ((s) - XEN_VIRT_START + XEN_LOAD_PADDR)

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003 /* page-aligned modules, memory information */
#define MB2_MAGIC 0xE85250D6

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

        .section .text.head, "ax", @progbits
        .code32
        .globl start
start:
        jmp     start32

        /* Both headers sit in the first 8 KiB of the file, as the specs require. */
        .align  4
multiboot1_header:
        .long   MB1_MAGIC
        .long   MB1_FLAGS
        .long   -(MB1_MAGIC + MB1_FLAGS)

        .align  8
multiboot2_header:
        .long   MB2_MAGIC
        .long   0                               /* architecture: i386 */
        .long   mb2_end - multiboot2_header
        .long   0x100000000 - (MB2_MAGIC + (mb2_end - multiboot2_header))
        .short  6, 0                            /* module alignment tag */
        .long   8
        .short  0, 0                            /* end tag */
        .long   8
mb2_end:

start32:
        cli
        cld
        mov     %eax, %edi                      /* first argument: magic */
        mov     %ebx, %esi                      /* second: boot info */

        /* Long mode is required; NX is used when present. */
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     no_long_mode
        xor     %ebx, %ebx
        bt      $20, %edx
        jnc     1f
        mov     $EFER_NXE, %ebx
1:
        lgdt    sym_phys(boot_gdtr)
        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $sym_phys(idle_pg_table), %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      $(EFER_LME | EFER_SCE), %eax
        or      %ebx, %eax
        wrmsr
        mov     %cr0, %eax
        or      $(CR0_PG | CR0_WP | CR0_PE), %eax
        mov     %eax, %cr0
        ljmp    $0x08, $sym_phys(start64_low)

no_long_mode:
        /* No console yet: write a short message to COM1 and stop. */
        mov     $sym_phys(no_lm_msg), %esi
        mov     $0x3f8, %dx
2:      lodsb
        test    %al, %al
        jz      3f
        out     %al, %dx
        jmp     2b
3:      hlt
        jmp     3b

        .code64
start64_low:
        movabs  $start64, %rax
        jmp     *%rax

        .text
start64:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     %eax, %fs
        mov     %eax, %gs
        mov     %rdi, %r12
        mov     %rsi, %r13
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb
        lea     cpu_stacks + STACK_SIZE - CPU_INFO_RESERVE(%rip), %rsp
        xor     %ebp, %ebp
        mov     %r12, %rdi
        mov     %r13, %rsi
        call    __start_xen
        ud2

        .section .rodata.head, "a", @progbits
no_lm_msg:
        .asciz  "Xenolith: this CPU has no long mode\r\n"

        .align  8
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff              /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff              /* 0x10: data */
boot_gdt_end:
boot_gdtr:
        .short  boot_gdt_end - boot_gdt - 1
        .long   sym_phys(boot_gdt)

/*
 * The boot page tables. idle_pg_table stays the hypervisor's own top-level
 * table; setup replaces the 1:1 slot with the direct map and drops it.
 */
        .section .data.page_aligned, "aw", @progbits
        .align  4096
        .globl  idle_pg_table
idle_pg_table:
        .quad   sym_phys(l3_ident) + 0x3        /* slot 0: first 4 GiB 1:1 */
        .fill   260, 8, 0
        .quad   sym_phys(l3_xen) + 0x3          /* slot 261: the image */
        .fill   250, 8, 0
l3_ident:
        .quad   sym_phys(l2_ident) + 0x0003
        .quad   sym_phys(l2_ident) + 0x1003
        .quad   sym_phys(l2_ident) + 0x2003
        .quad   sym_phys(l2_ident) + 0x3003
        .fill   508, 8, 0
        .globl  l3_xen
l3_xen:
        .fill   321, 8, 0
        .quad   sym_phys(l2_xen) + 0x3
        .fill   190, 8, 0
l2_ident:
        i = 0
        .rept   2048
        .quad   (i << 21) + 0x83                /* 2 MiB, present, writable */
        i = i + 1
        .endr
        .globl  l2_xen
l2_xen:
        i = 0
        .rept   16                              /* 32 MiB for image and BSS */
        .quad   XEN_LOAD_PADDR + (i << 21) + 0x83
        i = i + 1
        .endr
        .fill   512 - 16, 8, 0
