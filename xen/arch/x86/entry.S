/*
 * Every way into the hypervisor: exceptions and interrupts (one stub per
 * vector), and SYSCALL from a guest (one stub per CPU, since SYSCALL does
 * not switch stacks). All build a struct cpu_regs (asm/regs.h) and leave
 * through restore_all.
 */
#include <asm/config.h>

#define ENTRY_SYSCALL 0x100
#define ENTRY_SYSCALL32 0x101

.macro SAVE_ALL
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
.endm

.macro RESTORE_ALL
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
.endm

        .text
/* Vectors that push an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                      (v) == 21 || (v) == 29 || (v) == 30)

        .align  16
        .globl  exception_stubs
exception_stubs:
        vec = 0
        .rept   256
        .align  16
        .if     !HAS_ERROR(vec)
        pushq   $0
        .endif
        movl    $vec, 4(%rsp)
        jmp     exception_common
        vec = vec + 1
        .endr

exception_common:
        SAVE_ALL
        cld
        mov     %rsp, %rdi
        call    do_exception
        .globl  restore_all
restore_all:
        RESTORE_ALL
        add     $8, %rsp
        iretq

/*
 * SYSCALL: RCX = guest RIP, R11 = guest RFLAGS, RSP still the guest's.
 * Park RSP, switch to this CPU's guest frame and build the same frame an
 * exception from ring 3 would have.
 */
.macro SYSCALL_STUB cpu, cs, vec
        mov     %rsp, syscall_scratch + 8 * \cpu(%rip)
        mov     cpu_guest_frame_top + 8 * \cpu(%rip), %rsp
        pushq   $GUEST_DS
        pushq   syscall_scratch + 8 * \cpu(%rip)
        pushq   %r11
        pushq   $\cs
        pushq   %rcx
        pushq   $0
        movl    $\vec, 4(%rsp)
        jmp     syscall_common
.endm

        .align  16
        .irp    cpu, 0, 1, 2, 3, 4, 5, 6, 7
syscall64_stub_\cpu:
        SYSCALL_STUB \cpu, GUEST_CS64, ENTRY_SYSCALL
syscall32_stub_\cpu:
        SYSCALL_STUB \cpu, GUEST_CS32, ENTRY_SYSCALL32
        .endr

syscall_common:
        SAVE_ALL
        cld
        mov     %rsp, %rdi
        call    do_syscall
        jmp     restore_all

/* Enters a guest for the first time: RDI = its frame at the top of this stack. */
        .globl  launch_guest_frame
launch_guest_frame:
        mov     %rdi, %rsp
        jmp     restore_all

/*
 * size_t raw_copy_safe(void *dst, const void *src, size_t len): bytes not
 * copied. Eight bytes a step, then the tail (see memcpy in string.c). A
 * fault resumes at a fixup with RCX = steps left of the faulting part.
 */
        .globl  raw_copy_safe
raw_copy_safe:
        mov     %rdx, %rcx
        shr     $3, %rcx
        and     $7, %edx
1:      rep movsq
        mov     %rdx, %rcx
2:      rep movsb
        xor     %eax, %eax
        ret
3:      lea     (%rdx,%rcx,8), %rax
        ret
4:      mov     %rcx, %rax
        ret
        .section .ex_table, "a", @progbits
        .quad   1b, 3b
        .quad   2b, 4b
        .previous

        .section .rodata, "a", @progbits
        .align  8
        .globl  syscall_stub_table, syscall32_stub_table
syscall_stub_table:
        .irp    cpu, 0, 1, 2, 3, 4, 5, 6, 7
        .quad   syscall64_stub_\cpu
        .endr
syscall32_stub_table:
        .irp    cpu, 0, 1, 2, 3, 4, 5, 6, 7
        .quad   syscall32_stub_\cpu
        .endr
