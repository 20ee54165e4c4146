/*
 * A page fault in guest user space, bounced and returned: a user-mode read
 * of an unmapped address raises #PF, the hypervisor switches the vCPU to
 * kernel mode and its kernel page tables and delivers the fault on the
 * stack_switch stack; the kernel's handler skips the read and returns to
 * user space with HYPERVISOR_iret. The loop and the rdtsc pair run in user
 * mode (usermode.h); the handler is the runtime's generic trap path.
 */
#include "bench.h"
#include "usermode.h"

const char test_title[] = "bench: user #PF -> guest kernel handler -> HYPERVISOR_iret";

#define ITERATIONS 50000UL

/* RDI = turns; exits with the instructions they took. */
USER_PROGRAM(prog_faults,
             "mov %rdi, %rbx\n\t"
             "rdtsc\n\t"
             "shl $32, %rdx\n\t"
             "or %rax, %rdx\n\t"
             "mov %rdx, %r12\n"
             "1:\n\t"
             "mov 0x404000, %rax\n\t"            /* USER_UNMAPPED */
             ".globl prog_faults_resume\n"
             "prog_faults_resume:\n\t"
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
extern const uint8_t prog_faults_resume[];

static unsigned long faults;

/* Ours only when user mode reads USER_UNMAPPED: then resume after it. */
static bool on_pf(struct trap_record *rec, struct trap_regs *regs)
{
    if ((rec->cs & 3) != 3 || rec->cr2 != USER_UNMAPPED)
        return false;
    faults++;
    rec->rip = USER_CODE + (prog_faults_resume - prog_faults);
    return true;
}

static struct user_result run(unsigned long n)
{
    return usermode_run(prog_faults, prog_faults_end, n, X86_EFLAGS_IF | 0x2);
}

void test_main(void)
{
    struct user_result r;

    traps_init();
    usermode_init(0);
    trap_set_hook(X86_EXC_PF, on_pf);

    r = run(BENCH_WARMUP);
    if (!r.exited) {
        trap_print("the user program trapped", &r.trap);
        test_error("the warm-up user program did not exit");
    }
    faults = 0;
    r = run(ITERATIONS);
    if (!r.exited) {
        trap_print("the user program trapped", &r.trap);
        test_error("the timed user program did not exit");
    }
    check_rc(faults, ITERATIONS, "user page faults the kernel saw");
    bench_report("pagefault_user", r.code, ITERATIONS);
}
