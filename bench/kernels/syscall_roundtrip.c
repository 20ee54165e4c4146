/*
 * A guest system call, round trip: guest user space runs `syscall`, the
 * hypervisor switches the vCPU to kernel mode and bounces to the kernel's
 * CALLBACKTYPE_syscall entry (switch_to_kernel, x86_64/entry.S), the
 * kernel answers and returns to user space with HYPERVISOR_iret. The
 * loop and the rdtsc pair run in user mode (usermode.h); the kernel side
 * is the test runtime's generic trap path (trap_entry.S, traps.c), which
 * saves every register and calls C, the same guest code on every
 * hypervisor.
 */
#include "bench.h"
#include "usermode.h"

const char test_title[] = "bench: guest syscall -> kernel -> HYPERVISOR_iret";

#define ITERATIONS 50000UL
#define SYS_NULL 1

/* RDI = turns; exits with the instructions they took. */
USER_PROGRAM(prog_syscalls,
             "mov %rdi, %rbx\n\t"
             "rdtsc\n\t"
             "shl $32, %rdx\n\t"
             "or %rax, %rdx\n\t"
             "mov %rdx, %r12\n"
             "1:\n\t"
             "mov $1, %eax\n\t"                 /* SYS_NULL */
             "syscall\n\t"
             "dec %rbx\n\t"
             "jnz 1b\n\t"
             "rdtsc\n\t"
             "shl $32, %rdx\n\t"
             "or %rax, %rdx\n\t"
             "sub %r12, %rdx\n\t"
             "mov %rdx, %rdi\n\t"
             "mov $0x3c, %eax\n\t"              /* USER_SYS_EXIT */
             "syscall\n\t"
             "ud2");

static unsigned long calls;

static unsigned long sys_null(struct trap_record *rec, struct trap_regs *regs)
{
    calls++;
    return regs->rax == SYS_NULL ? 0 : (unsigned long)-XEN_ENOSYS;
}

static struct user_result run(unsigned long n)
{
    /* Events enabled in user mode, as a Linux process runs. */
    return usermode_run(prog_syscalls, prog_syscalls_end, n,
                        X86_EFLAGS_IF | 0x2);
}

void test_main(void)
{
    struct user_result r;

    traps_init();
    usermode_init(0);
    user_syscall_hook = sys_null;

    r = run(BENCH_WARMUP);
    if (!r.exited) {
        trap_print("the user program trapped", &r.trap);
        test_error("the warm-up user program did not exit");
    }
    calls = 0;
    r = run(ITERATIONS);
    if (!r.exited) {
        trap_print("the user program trapped", &r.trap);
        test_error("the timed user program did not exit");
    }
    check_rc(calls, ITERATIONS, "system calls the kernel saw");
    bench_report("syscall_roundtrip", r.code, ITERATIONS);
}
