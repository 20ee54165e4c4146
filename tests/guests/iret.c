/*
 * HYPERVISOR_iret back to guest kernel mode (do_iret, xen/arch/x86/pv/iret.c;
 * struct iret_context and the comment above it in xen-x86_64.h): what it
 * restores, what it forces, the upcall mask taken from RFLAGS.IF, and the
 * event that becomes deliverable on the way out (test_all_events,
 * xen/arch/x86/x86_64/entry.S).
 */
#include "traps.h"

const char test_title[] = "iret: HYPERVISOR_iret to kernel mode and the upcall mask";

/* Registers as the code after the iret found them. */
struct regs_after {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13,
             r14, r15, rsp, rflags, ss;
};

struct regs_after after;

/*
 * iret_probe(ctx): load a pattern into every register the context does not
 * name, HYPERVISOR_iret with ctx as the stack, and at iret_probe_resume
 * (ctx->rip) store every register into `after`, then return normally.
 */
void iret_probe(const struct iret_context *ctx);
asm(".pushsection .text\n"
    ".globl iret_probe\n"
    "iret_probe:\n\t"
    "push %rbx\n\tpush %rbp\n\tpush %r12\n\t"
    "push %r13\n\tpush %r14\n\tpush %r15\n\t"
    "mov %rsp, probe_saved_rsp(%rip)\n\t"
    "mov $0xb0b0b0b0b0b0b0b0, %rbx\n\t"
    "mov $0xd0d0d0d0d0d0d0d0, %rdx\n\t"
    "mov $0x5151515151515151, %rsi\n\t"
    "mov $0xbebebebebebebebe, %rbp\n\t"
    "mov $0x0808080808080808, %r8\n\t"
    "mov $0x0909090909090909, %r9\n\t"
    "mov $0x1010101010101010, %r10\n\t"
    "mov $0x1212121212121212, %r12\n\t"
    "mov $0x1313131313131313, %r13\n\t"
    "mov $0x1414141414141414, %r14\n\t"
    "mov $0x1515151515151515, %r15\n\t"
    "mov 0(%rdi), %rax\n\t"
    "mov 8(%rdi), %r11\n\t"
    "mov 16(%rdi), %rcx\n\t"
    "lea 24(%rdi), %rsp\n\t"
    "mov $0xd1d1d1d1d1d1d1d1, %rdi\n\t"
    "jmp hypercall_page + 23 * 32\n"
    ".globl iret_probe_resume\n"
    "iret_probe_resume:\n\t"
    "mov %rsp, after+15*8(%rip)\n\t"
    "mov %rax, after+0*8(%rip)\n\t"
    "pushfq\n\t"
    "pop %rax\n\t"
    "cld\n\t"
    "mov %rax, after+16*8(%rip)\n\t"
    "mov %ss, %eax\n\t"
    "mov %rax, after+17*8(%rip)\n\t"
    "mov %rbx, after+1*8(%rip)\n\t"
    "mov %rcx, after+2*8(%rip)\n\t"
    "mov %rdx, after+3*8(%rip)\n\t"
    "mov %rsi, after+4*8(%rip)\n\t"
    "mov %rdi, after+5*8(%rip)\n\t"
    "mov %rbp, after+6*8(%rip)\n\t"
    "mov %r8, after+7*8(%rip)\n\t"
    "mov %r9, after+8*8(%rip)\n\t"
    "mov %r10, after+9*8(%rip)\n\t"
    "mov %r11, after+10*8(%rip)\n\t"
    "mov %r12, after+11*8(%rip)\n\t"
    "mov %r13, after+12*8(%rip)\n\t"
    "mov %r14, after+13*8(%rip)\n\t"
    "mov %r15, after+14*8(%rip)\n\t"
    "mov probe_saved_rsp(%rip), %rsp\n\t"
    "pop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\t"
    "ret\n"
    ".popsection");

extern const uint8_t iret_probe_resume[];
unsigned long probe_saved_rsp;

/* Where the resumed code's stack is (any writable memory will do). */
static uint8_t probe_stack[4096] __attribute__((aligned(16)));
#define PROBE_RSP ((unsigned long)probe_stack + sizeof(probe_stack) - 64)

static struct iret_context ctx_area[2] __attribute__((aligned(16)));

static void probe(unsigned long cs, unsigned long ss, unsigned long rflags,
                  unsigned long flags)
{
    struct iret_context *ctx = &ctx_area[1];

    *ctx = (struct iret_context){
        .rax = 0xaaaa0000aaaa0000UL,
        .r11 = 0x1111000011110000UL,
        .rcx = 0xcccc0000cccc0000UL,
        .flags = flags,
        .rip = (unsigned long)iret_probe_resume,
        .cs = cs,
        .rflags = rflags,
        .rsp = PROBE_RSP,
        .ss = ss,
    };
    memset(&after, 0, sizeof(after));
    iret_probe(ctx);
}

/* FLAT_KERNEL_CS and FLAT_USER_CS are one selector: RPL 3 means user. */
#define KERNEL_CS(rpl) ((FLAT_KERNEL_CS & ~3) | (rpl))

static void check_restored(void)
{
    struct vcpu_info *vi = vcpu0_info();
    const struct regs_after *a = &after;
    const unsigned long rflags = 0x2 | X86_EFLAGS_CF | X86_EFLAGS_DF;

    vi->evtchn_upcall_mask = 1;
    probe(KERNEL_CS(0), FLAT_KERNEL_SS, rflags | X86_EFLAGS_IF, 0);
    check_eq(a->rsp, PROBE_RSP, "RSP from the context");
    check_eq(a->rax, 0xaaaa0000aaaa0000UL, "RAX from the context");
    check_eq(a->rcx, 0xcccc0000cccc0000UL, "RCX from the context");
    check_eq(a->r11, 0x1111000011110000UL, "R11 from the context");
    check_eq(a->rflags & (X86_EFLAGS_CF | X86_EFLAGS_DF),
             X86_EFLAGS_CF | X86_EFLAGS_DF,
             "RFLAGS.CF and DF from the context");
    check_eq(a->ss, FLAT_KERNEL_SS, "SS");
    /* "All other registers are saved on hypercall entry and restored". */
    check_eq(a->rbx, 0xb0b0b0b0b0b0b0b0UL, "RBX preserved");
    check_eq(a->rdx, 0xd0d0d0d0d0d0d0d0UL, "RDX preserved");
    check_eq(a->rsi, 0x5151515151515151UL, "RSI preserved");
    check_eq(a->rdi, 0xd1d1d1d1d1d1d1d1UL, "RDI preserved");
    check_eq(a->rbp, 0xbebebebebebebebeUL, "RBP preserved");
    check_eq(a->r8, 0x0808080808080808UL, "R8 preserved");
    check_eq(a->r9, 0x0909090909090909UL, "R9 preserved");
    check_eq(a->r10, 0x1010101010101010UL, "R10 preserved");
    check_eq(a->r12, 0x1212121212121212UL, "R12 preserved");
    check_eq(a->r15, 0x1515151515151515UL, "R15 preserved");
    check_eq(vi->evtchn_upcall_mask, 0, "upcall mask = !RFLAGS.IF (IF set)");

    probe(KERNEL_CS(0), FLAT_KERNEL_SS, rflags, 0);
    check_eq(vi->evtchn_upcall_mask, 1, "upcall mask = !RFLAGS.IF (IF clear)");
    /* The hardware IF of a PV guest is always on. */
    check_eq(a->rflags & X86_EFLAGS_IF, X86_EFLAGS_IF,
             "hardware RFLAGS.IF is set anyway");

    /* IOPL is the hypervisor's business: dropped from the context. */
    probe(KERNEL_CS(0), FLAT_KERNEL_SS, 0x2 | X86_EFLAGS_IOPL, 0);
    check_eq(a->rflags & X86_EFLAGS_IOPL, 0, "RFLAGS.IOPL dropped");

    /*
     * CS RPL 0, 1 or 2 means guest kernel mode (RPL 3 would be user mode);
     * the hardware selectors get RPL 3 either way, SS too.
     */
    for (unsigned int rpl = 0; rpl < 3; rpl++) {
        probe(KERNEL_CS(rpl), (FLAT_KERNEL_SS & ~3) | rpl, 0x2, 0);
        check_eq(a->rsp, PROBE_RSP, "CS/SS with RPL %u: resumed", rpl);
        check_eq(a->ss, FLAT_KERNEL_SS, "  SS forced to RPL 3");
        check_rc(trap_probe("ud2"), X86_EXC_UD, "  ud2 afterwards");
        check_eq(last_trap.cs & 0xffff, FLAT_KERNEL_CS & ~3,
                 "  still kernel mode (bounce CS RPL 0)");
    }

    /* VGCF_in_syscall: RAX, RIP, RFLAGS and RSP are restored. */
    probe(KERNEL_CS(0), FLAT_KERNEL_SS, 0x2 | X86_EFLAGS_CF, VGCF_in_syscall);
    check_eq(a->rsp, PROBE_RSP, "VGCF_in_syscall: RSP from the context");
    check_eq(a->rax, 0xaaaa0000aaaa0000UL, "  RAX from the context");
    check_eq(a->rflags & X86_EFLAGS_CF, X86_EFLAGS_CF, "  RFLAGS.CF");
    vi->evtchn_upcall_mask = 1;
}

/*
 * An event is deliverable when evtchn_upcall_pending is set and the mask
 * is clear; Xen looks on every exit to the guest (test_guest_events), so
 * an iret that clears the mask delivers it at the new context at once,
 * and so does any hypercall's return (Linux's xen_force_evtchn_callback).
 */
static void check_events(void)
{
    struct vcpu_info *vi = vcpu0_info();
    unsigned int seen = events_seen;

    vi->evtchn_upcall_mask = 1;
    vi->evtchn_upcall_pending = 1;
    hypercall_xen_version(XENVER_version, 0);
    check_rc(events_seen - seen, 0, "pending but masked: no event callback");

    probe(KERNEL_CS(0), FLAT_KERNEL_SS, 0x2 | X86_EFLAGS_IF, 0);
    check_rc(events_seen - seen, 1,
             "iret that unmasks with an upcall pending: event callback runs");
    check_eq(last_trap.rip, (unsigned long)iret_probe_resume,
             "  its frame RIP is the iret's target");
    check_eq(last_trap.cs >> 32, 0, "  saved mask 0");
    check_eq(last_trap.mask, 1, "  the event callback runs masked");
    check_eq(after.rsp, PROBE_RSP, "  and the target then runs");
    check_eq(vi->evtchn_upcall_mask, 0, "  with the mask from the context");

    seen = events_seen;
    vi->evtchn_upcall_pending = 1;
    hypercall_xen_version(XENVER_version, 0);
    check_rc(events_seen - seen, 1,
             "pending and unmasked: a hypercall's return delivers it");
    vi->evtchn_upcall_mask = 1;
}

void test_main(void)
{
    traps_init();
    check_restored();
    check_events();
}
