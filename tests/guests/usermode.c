/*
 * A guest user process in ring 3 with its own top-level table
 * (MMUEXT_NEW_USER_BASEPTR): entering it with HYPERVISOR_iret (iret.c),
 * its `syscall`s bouncing to the syscall callback on the stack_switch
 * stack (switch_to_kernel and create_bounce_frame, x86_64/entry.S), its
 * faults arriving with the user bit set (pv_inject_event, pv/traps.c),
 * and `int $n` from user mode, which needs DPL 3 (permit_softint).
 */
#include "usermode.h"
#include "pagetable.h"

const char test_title[] = "usermode: user mode entry, syscalls, faults and int $n";

#define SYS_ECHO 1

/* syscall(SYS_ECHO, 0x1234), then exit with what the kernel returned. */
USER_PROGRAM(prog_echo,
             "mov $1, %eax\n\t"
             "mov $0x1234, %edi\n\t"
             ".globl prog_echo_syscall\n"
             "prog_echo_syscall:\n\t"
             "syscall\n\t"
             ".globl prog_echo_ret\n"
             "prog_echo_ret:\n\t"
             "mov %rax, %rdi\n\t"
             "mov $0x3c, %eax\n\t"
             "syscall\n\t"
             "ud2");
extern const uint8_t prog_echo_syscall[], prog_echo_ret[];

/* The user's RDI, then exit with it: arguments arrive. */
USER_PROGRAM(prog_exit_arg,
             "mov $0x3c, %eax\n\t"
             "syscall");

USER_PROGRAM(prog_read_unmapped, "movq 0x404000, %rax\n\tud2");
USER_PROGRAM(prog_write_code, "movq $1, 0x400000\n\tud2");
USER_PROGRAM(prog_write_data,
             "movq $0x55aa, 0x402008\n\t"
             "mov 0x402008, %rdi\n\t"
             "mov $0x3c, %eax\n\t"
             "syscall");
USER_PROGRAM(prog_read_kernel, "mov (%rdi), %rax\n\tud2");
USER_PROGRAM(prog_ud2, "ud2");
USER_PROGRAM(prog_int3, "int3\n\tud2");
USER_PROGRAM(prog_int80,
             "mov $7, %eax\n\t"
             "int $0x80\n\t"
             "mov %rax, %rdi\n\t"
             "mov $0x3c, %eax\n\t"
             "syscall");
USER_PROGRAM(prog_int81,
             "int $0x81\n\t"
             "mov $0x81, %edi\n\t"
             "mov $0x3c, %eax\n\t"
             "syscall");

#define USER_RFLAGS (X86_EFLAGS_IF | 0x2)

static unsigned long user_addr(const uint8_t *prog, const uint8_t *sym)
{
    return USER_CODE + (sym - prog);
}

static struct trap_record echo_rec;
static struct trap_regs echo_regs;
static uint8_t echo_mask;

static unsigned long echo(struct trap_record *rec, struct trap_regs *regs)
{
    echo_rec = *rec;
    echo_regs = *regs;
    echo_mask = vcpu0_info()->evtchn_upcall_mask;
    return 0x5678;
}

static void check_syscall(unsigned int flags)
{
    const struct trap_record *t = &echo_rec;
    struct user_result r;

    printf("syscall callback registered with flags %#x\n", flags);
    callback_register(CALLBACKTYPE_syscall, trap_stub(TRAP_VEC_SYSCALL),
                      flags);
    user_syscall_hook = echo;
    memset(&echo_rec, 0, sizeof(echo_rec));
    r = usermode_run(prog_echo, prog_echo_end, 0, USER_RFLAGS);
    user_syscall_hook = NULL;

    if (!check(r.exited, "user program exited by syscall")) {
        trap_print("  it trapped", &r.trap);
        return;
    }
    check_eq(r.code, 0x5678, "  RAX from the kernel reached user mode");
    trap_print("  syscall frame", t);
    check_eq(echo_regs.rax, SYS_ECHO, "  RAX (number) reached the callback");
    check_eq(echo_regs.rdi, 0x1234, "  RDI (argument) reached the callback");
    check_eq(t->rcx, user_addr(prog_echo, prog_echo_ret),
             "  RCX slot: the user's return RIP");
    check_eq(t->rip, user_addr(prog_echo, prog_echo_ret),
             "  RIP slot: the user's return RIP");
    check_eq(t->r11 & ~X86_EFLAGS_RF, USER_RFLAGS,
             "  R11 slot: the user's RFLAGS");
    check_eq(t->cs & 0xffff, FLAT_USER_CS,
             "  CS: FLAT_USER_CS, RPL 3 kept (user mode)");
    check_eq(t->ss, FLAT_USER_SS, "  SS");
    check_eq(t->rsp, USER_STACK_TOP, "  RSP: the user's");
    check_eq(t->frame, (USER_KSTACK_TOP & ~15UL) - 7 * 8,
             "  frame at stack_switch's kernel_sp");
    check_eq(t->cs >> 32, 0, "  saved mask in CS[39:32] (user had IF=1)");
    check_eq(!!(t->rflags & X86_EFLAGS_IF), 1, "  RFLAGS.IF");
    check_eq(echo_mask, !!(flags & CALLBACKF_mask_events),
             "  upcall mask in the callback follows CALLBACKF_mask_events");

    r = usermode_run(prog_exit_arg, prog_exit_arg_end, 0xfeedbeef,
                     USER_RFLAGS);
    check(r.exited && r.code == 0xfeedbeef,
          "  user program sees its argument and exits with it (%#lx)",
          r.code);
}

static void check_fault(const char *what, const uint8_t *start,
                        const uint8_t *end, unsigned long arg,
                        unsigned int vector, unsigned long rip, int error,
                        unsigned long cr2)
{
    struct user_result r = usermode_run(start, end, arg, USER_RFLAGS);
    const struct trap_record *t = &r.trap;

    if (!check(!r.exited, "%s traps", what))
        return;
    trap_print("  ", t);
    check_rc(t->vector, vector, "  vector");
    check_eq(t->rip, rip, "  RIP");
    check_eq(t->cs & 0xffff, FLAT_USER_CS, "  CS keeps RPL 3");
    check_eq(t->rsp, USER_STACK_TOP, "  RSP: the user's");
    check_eq(t->frame, (USER_KSTACK_TOP & ~15UL) - (7 + t->has_error) * 8,
             "  frame at kernel_sp");
    if (error >= 0)
        check_eq(t->error, error, "  error code");
    if (vector == X86_EXC_PF)
        check_eq(t->cr2, cr2, "  vcpu_info.arch.cr2");
}

static bool resume_user(struct trap_record *rec, struct trap_regs *regs)
{
    regs->rax += 0x100;
    return true;
}

static void check_softint(void)
{
    struct user_result r;

    /* int $0x80 with DPL 3 goes straight to the handler (int80_direct_trap). */
    trap_set(0x80, TI_DPL(3));
    trap_set_hook(0x80, resume_user);
    r = usermode_run(prog_int80, prog_int80_end, 0, USER_RFLAGS);
    check(r.exited && r.code == 0x107,
          "int $0x80 (DPL 3) from user mode reaches its handler and returns "
          "(exit %#lx)", r.code);
    trap_set_hook(0x80, NULL);
    trap_clear(0x80);

    /* Other vectors need DPL 3 from user mode, else #GP((n << 3) | 2). */
    trap_set_hook(0x81, resume_user);
    for (unsigned int dpl = 0; dpl < 4; dpl++) {
        trap_set(0x81, TI_DPL(dpl));
        r = usermode_run(prog_int81, prog_int81_end, 0, USER_RFLAGS);
        if (dpl == 3) {
            check(r.exited && r.code == 0x81,
                  "int $0x81 with DPL 3 from user mode is delivered");
        } else if (check(!r.exited, "int $0x81 with DPL %u from user mode "
                         "traps", dpl)) {
            check_rc(r.trap.vector, X86_EXC_GP, "  vector");
            check_eq(r.trap.error, (0x81 << 3) | XEC_IDT, "  error code");
            check_eq(r.trap.rip, USER_CODE, "  RIP: the int instruction");
        }
    }
    trap_set_hook(0x81, NULL);
    trap_clear(0x81);
}

/* With no syscall callback, `syscall` in user mode is a #UD at it. */
static void check_no_callback(void)
{
    struct user_result r;

    check_rc(callback_register(CALLBACKTYPE_syscall, 0, 0), 0,
             "register syscall callback address 0");
    r = usermode_run(prog_echo, prog_echo_end, 0, USER_RFLAGS);
    if (check(!r.exited, "syscall without a callback traps")) {
        check_rc(r.trap.vector, X86_EXC_UD, "  vector");
        check_eq(r.trap.rip, user_addr(prog_echo, prog_echo_syscall),
                 "  RIP: the syscall instruction");
    }
    callback_register(CALLBACKTYPE_syscall, trap_stub(TRAP_VEC_SYSCALL),
                      CALLBACKF_mask_events);
}

void test_main(void)
{
    struct user_result r;

    traps_init();
    usermode_init(CALLBACKF_mask_events);

    check_syscall(CALLBACKF_mask_events);
    check_syscall(0);

    r = usermode_run(prog_write_data, prog_write_data_end, 0, USER_RFLAGS);
    check(r.exited && r.code == 0x55aa,
          "user program writes and reads its data page");

    check_fault("read of unmapped USER_UNMAPPED", prog_read_unmapped,
                prog_read_unmapped_end, 0, X86_EXC_PF, USER_CODE,
                PFEC_USER, USER_UNMAPPED);
    check_fault("write to the read-only code page", prog_write_code,
                prog_write_code_end, 0, X86_EXC_PF, USER_CODE,
                PFEC_USER | PFEC_WRITE | PFEC_PRESENT, USER_CODE);
    /* The user table has no kernel mappings at all. */
    check_fault("read of a kernel address", prog_read_kernel,
                prog_read_kernel_end, (unsigned long)start_info, X86_EXC_PF,
                USER_CODE, PFEC_USER, (unsigned long)start_info);
    check_fault("ud2", prog_ud2, prog_ud2_end, 0, X86_EXC_UD, USER_CODE, -1,
                0);
    check_fault("int3", prog_int3, prog_int3_end, 0, X86_EXC_BP,
                USER_CODE + 1, -1, 0);

    check_softint();
    check_no_callback();

    /* Kernel mode is back: a fault now has CS RPL 0 again. */
    check_rc(trap_probe("ud2"), X86_EXC_UD, "ud2 in kernel mode afterwards");
    check_eq(last_trap.cs & 0xffff, FLAT_KERNEL_CS & ~3, "  CS RPL 0");
}
