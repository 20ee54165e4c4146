/*
 * A guest user process (usermode.h).
 */
#include "usermode.h"
#include "pagetable.h"

struct user_space user_space;
user_syscall_hook_t user_syscall_hook;

/* Bounces from user mode land here (stack_switch's kernel_sp). */
uint8_t user_kernel_stack[USER_KSTACK_SIZE] __attribute__((aligned(16)));

/* Callee-saved registers, RSP and the return address of um_setjmp. */
struct jmpbuf {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

int um_setjmp(struct jmpbuf *jb) __attribute__((returns_twice));
noreturn void um_longjmp(struct jmpbuf *jb, int val);
noreturn void um_enter(const struct iret_context *ctx, unsigned long arg);

asm(".pushsection .text\n"
    ".globl um_setjmp\n"
    "um_setjmp:\n\t"
    "mov %rbx, 0(%rdi)\n\t"
    "mov %rbp, 8(%rdi)\n\t"
    "mov %r12, 16(%rdi)\n\t"
    "mov %r13, 24(%rdi)\n\t"
    "mov %r14, 32(%rdi)\n\t"
    "mov %r15, 40(%rdi)\n\t"
    "lea 8(%rsp), %rdx\n\t"
    "mov %rdx, 48(%rdi)\n\t"
    "mov (%rsp), %rdx\n\t"
    "mov %rdx, 56(%rdi)\n\t"
    "xor %eax, %eax\n\t"
    "ret\n"
    ".globl um_longjmp\n"
    "um_longjmp:\n\t"
    "mov 0(%rdi), %rbx\n\t"
    "mov 8(%rdi), %rbp\n\t"
    "mov 16(%rdi), %r12\n\t"
    "mov 24(%rdi), %r13\n\t"
    "mov 32(%rdi), %r14\n\t"
    "mov 40(%rdi), %r15\n\t"
    "mov 48(%rdi), %rsp\n\t"
    "mov %esi, %eax\n\t"
    "jmp *56(%rdi)\n"
    /* HYPERVISOR_iret with ctx as the stack, and RDI = arg for the user. */
    ".globl um_enter\n"
    "um_enter:\n\t"
    "mov 0(%rdi), %rax\n\t"
    "mov 8(%rdi), %r11\n\t"
    "mov 16(%rdi), %rcx\n\t"
    "lea 24(%rdi), %rsp\n\t"
    "mov %rsi, %rdi\n\t"
    "jmp hypercall_page + 23 * 32\n"
    ".popsection");

static struct jmpbuf run_jb;
static struct user_result result;
static bool running;

static bool on_syscall(struct trap_record *rec, struct trap_regs *regs)
{
    if (!running)
        return false;
    if (regs->rax == USER_SYS_EXIT) {
        result.exited = true;
        result.code = regs->rdi;
        result.exit = *rec;
        um_longjmp(&run_jb, 1);
    }
    regs->rax = user_syscall_hook ? user_syscall_hook(rec, regs)
                                  : (unsigned long)-XEN_ENOSYS;
    /* Back to rec->rip (the user's RCX) with the user's CS, RPL 3. */
    return true;
}

static bool on_user_trap(struct trap_record *rec, struct trap_regs *regs)
{
    if (!running)
        return false;
    result.exited = false;
    result.trap = *rec;
    um_longjmp(&run_jb, 1);
}

void usermode_init(unsigned int syscall_flags)
{
    struct user_space *u = &user_space;
    long rc;

    u->code = alloc_zeroed_frame();
    u->stack = alloc_zeroed_frame();
    u->data = alloc_zeroed_frame();
    {
        const struct pt_slot l1[] = {
            { PT_INDEX(USER_CODE, 1),
              pte_make(u->code, PTE_P | PTE_US | PTE_A) },
            { PT_INDEX(USER_STACK_TOP - 1, 1),
              pte_make(u->stack, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D) },
            { PT_INDEX(USER_DATA, 1),
              pte_make(u->data, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D) },
        };
        u->l1 = pt_build(l1, ARRAY_SIZE(l1));
    }
    {
        const struct pt_slot l2[] = {
            { PT_INDEX(USER_CODE, 2), pte_make(u->l1, PTE_TABLE) } };
        u->l2 = pt_build(l2, 1);
    }
    {
        const struct pt_slot l3[] = {
            { PT_INDEX(USER_CODE, 3), pte_make(u->l2, PTE_TABLE) } };
        u->l3 = pt_build(l3, 1);
    }
    {
        const struct pt_slot l4[] = {
            { PT_INDEX(USER_CODE, 4), pte_make(u->l3, PTE_TABLE) } };
        u->l4 = pt_build(l4, 1);
    }

    /* Pinning validates the whole tree and keeps it typed. */
    rc = pin_table(4, u->l4);
    if (rc)
        test_error("MMUEXT_PIN_L4_TABLE(user L4 %#lx) = %ld", u->l4, rc);
    rc = mmuext_one(MMUEXT_NEW_USER_BASEPTR, u->l4, 0);
    if (rc)
        test_error("MMUEXT_NEW_USER_BASEPTR(%#lx) = %ld", u->l4, rc);

    rc = callback_register(CALLBACKTYPE_syscall, trap_stub(TRAP_VEC_SYSCALL),
                           syscall_flags);
    if (rc)
        test_error("callback_op(register syscall) = %ld", rc);
    rc = hypercall_stack_switch(FLAT_KERNEL_SS, USER_KSTACK_TOP);
    if (rc)
        test_error("stack_switch = %ld", rc);

    trap_set_hook(TRAP_VEC_SYSCALL, on_syscall);
    trap_user_hook = on_user_trap;
}

struct user_result usermode_run(const uint8_t *start, const uint8_t *end,
                                unsigned long arg, unsigned long rflags)
{
    uint8_t *code = map_mfn(user_space.code, PTE_KERNEL_RW);
    uint8_t mask = vcpu0_info()->evtchn_upcall_mask;

    if (end - start > (long)PAGE_SIZE)
        test_error("user program larger than a page");
    memset(code, 0xcc, PAGE_SIZE);
    memcpy(code, start, end - start);
    unmap_va(code);

    memset(&result, 0, sizeof(result));
    running = true;
    if (!um_setjmp(&run_jb)) {
        struct iret_context ctx = {
            .rip = USER_CODE,
            .cs = FLAT_USER_CS,                 /* RPL 3: to user mode */
            .rflags = rflags,
            .rsp = USER_STACK_TOP,
            .ss = FLAT_USER_SS,
        };

        um_enter(&ctx, arg);
    }
    running = false;
    vcpu0_info()->evtchn_upcall_mask = mask;
    return result;
}
