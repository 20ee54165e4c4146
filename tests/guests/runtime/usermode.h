/*
 * A guest user process for the test kernels (linux-pv-abi.md 5.1, 5.5, 5.6).
 *
 * 64-bit PV runs guest kernel and guest user both in ring 3; Xen keeps a
 * kernel/user flag per vCPU and a second top-level table for user mode
 * (MMUEXT_NEW_USER_BASEPTR). HYPERVISOR_iret with a CS of RPL 3 switches
 * to user mode and that table; a `syscall` in user mode switches back and
 * bounces to the CALLBACKTYPE_syscall address on the stack given by
 * stack_switch, as does any exception or event taken in user mode.
 *
 * usermode_init() builds a user address space of its own (a user L4 with
 * nothing of the kernel in it): a read-only code page at USER_CODE, a
 * writable stack page below USER_STACK_TOP and a writable data page at
 * USER_DATA; everything else, e.g. USER_UNMAPPED, is absent.
 *
 * usermode_run() copies a program into the code page and irets to it with
 * RDI = arg. The program ends with the USER_SYS_EXIT syscall (RDI = exit
 * code) or with a fault, which ends it like a signal would; any other
 * syscall goes to the test's syscall hook, whose result returns to user
 * mode in RAX.
 */
#ifndef GUEST_USERMODE_H
#define GUEST_USERMODE_H

#include "traps.h"

#define USER_CODE      0x400000UL
#define USER_STACK_TOP 0x402000UL       /* the stack page is 0x401000 */
#define USER_DATA      0x402000UL
#define USER_UNMAPPED  0x404000UL

/* Syscall numbers (RAX) of the user programs. */
#define USER_SYS_EXIT  0x3c

/*
 * A user program: position-independent code between `name` and
 * `name##_end`, in the kernel image, copied to USER_CODE to run.
 */
#define USER_PROGRAM(name, text)                            \
    extern const uint8_t name[], name##_end[];              \
    asm(".pushsection .text\n"                              \
        ".globl " #name "\n"                                \
        #name ":\n\t"                                       \
        text "\n"                                           \
        ".globl " #name "_end\n"                            \
        #name "_end:\n"                                     \
        ".popsection")

struct user_result {
    bool exited;                /* USER_SYS_EXIT, else it trapped */
    unsigned long code;         /* the exit code */
    struct trap_record trap;    /* the trap that ended it */
    struct trap_record exit;    /* the exit syscall's frame */
};

/* The frames that the user and the kernel top-level tables use. */
struct user_space {
    unsigned long l4, l3, l2, l1;
    unsigned long code, stack, data;
};
extern struct user_space user_space;

/*
 * Build the user address space, install it with MMUEXT_NEW_USER_BASEPTR,
 * register the syscall callback (flags: CALLBACKF_mask_events or 0) and
 * the kernel stack for user->kernel bounces (stack_switch).
 */
void usermode_init(unsigned int syscall_flags);

/*
 * A syscall other than USER_SYS_EXIT: the hook gets the frame and the
 * user's registers (RAX the number, RDI/RSI/RDX the arguments) and
 * returns the value the user sees in RAX.
 */
typedef unsigned long (*user_syscall_hook_t)(struct trap_record *rec,
                                             struct trap_regs *regs);
extern user_syscall_hook_t user_syscall_hook;

/*
 * Run a program in user mode until it exits or traps. rflags is the
 * RFLAGS of the first user instruction (IF set unmasks events there).
 */
struct user_result usermode_run(const uint8_t *start, const uint8_t *end,
                                unsigned long arg, unsigned long rflags);

/* The stack that stack_switch gives for bounces from user mode. */
#define USER_KSTACK_SIZE 16384
extern uint8_t user_kernel_stack[USER_KSTACK_SIZE];
#define USER_KSTACK_TOP ((unsigned long)user_kernel_stack + USER_KSTACK_SIZE)

#endif /* GUEST_USERMODE_H */
