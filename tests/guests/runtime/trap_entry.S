/*
 * Exception entry stubs, one per vector, 16 bytes apart from trap_stubs.
 *
 * On entry the stack holds the hypervisor's bounce frame (traps.h):
 * RCX, R11, [error], RIP, CS, RFLAGS, RSP, SS, and the registers RCX and R11
 * are garbage (Xen enters with SYSRET). A stub pushes its vector; the
 * common part pushes a slot for the resume pointer and every general
 * register (struct trap_regs), and calls trap_dispatch (traps.c) with
 * the lot. trap_dispatch rewrites the frame in place into the tail of a
 * struct iret_context (flags, RIP, CS, RFLAGS, RSP, SS), stores a return
 * label in the slot just below it, and points the resume slot at that
 * label. We then restore every register, load RSP from the resume slot and
 * `ret` to the label, which leaves through HYPERVISOR_iret or a plain
 * iretq. No register is needed for any of that.
 */
#include <xen/xen.h>

#define HYPERCALL_STUB(nr) (hypercall_page + (nr) * 32)

        .text
        .balign 16
        .globl  trap_stubs
trap_stubs:
        vec = 0
        .rept   258             /* 256: event callback, 257: syscall */
        .balign 16
        push    $vec
        jmp     trap_common
        vec = vec + 1
        .endr

trap_common:
        push    $0                      /* resume slot */
        push    %rax
        push    %rbx
        push    %rcx
        push    %rdx
        push    %rsi
        push    %rdi
        push    %rbp
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        cld
        mov     %rsp, %rbx
        mov     %rsp, %rdi
        and     $~15, %rsp              /* the C ABI wants 16-byte alignment */
        call    trap_dispatch
        mov     %rbx, %rsp
trap_restore:
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rbp
        pop     %rdi
        pop     %rsi
        pop     %rdx
        pop     %rcx
        pop     %rbx
        pop     %rax
        pop     %rsp                    /* the resume slot */
        ret                             /* to one of the two labels below */

/* RSP: the flags word of a struct iret_context; the stub pushes the rest. */
        .globl  trap_ret_hypercall
trap_ret_hypercall:
        jmp     HYPERCALL_STUB(__HYPERVISOR_iret)

/* RSP: the flags word of a hardware frame; CS already has RPL 3. */
        .globl  trap_ret_direct
trap_ret_direct:
        lea     8(%rsp), %rsp
        iretq

/*
 * noreturn void iret_to(const struct iret_context *ctx): RAX, R11 and RCX
 * come from the context, as the hypercall page's iret stub pushes them.
 */
        .globl  iret_to
iret_to:
        mov     0(%rdi), %rax
        mov     8(%rdi), %r11
        mov     16(%rdi), %rcx
        lea     24(%rdi), %rsp
        jmp     HYPERCALL_STUB(__HYPERVISOR_iret)
