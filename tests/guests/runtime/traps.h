/*
 * Exceptions for the test kernels: a trap table whose entry stubs record
 * exactly what the hypervisor delivered, then let the test decide where
 * the interrupted code goes on.
 *
 * A 64-bit PV guest receives an exception on its kernel stack in the frame
 * that create_bounce_frame (xen/arch/x86/x86_64/entry.S) builds, from the
 * new RSP upwards:
 *
 *     RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS
 *
 * that is the hardware frame with RCX and R11 below it, because the
 * hypervisor may enter the handler with SYSRET, which clobbers both (so the
 * registers themselves are junk in a handler). CS bits 32-39 carry the
 * vcpu_info upcall mask as it was before the bounce; RFLAGS.IF is the
 * inverse of that mask; the frame starts 16-byte aligned below the
 * interrupted RSP (or at stack_switch's kernel_sp when the vCPU was in
 * user mode). A #PF also stores the faulting address in
 * vcpu_info.arch.cr2 (xen.h, struct arch_vcpu_info).
 *
 * Leaving a handler: HYPERVISOR_iret (xen-x86_64.h, struct iret_context),
 * or, with trap_return_direct set, a plain `iretq` with CS forced to RPL 3
 * (the ring-3-to-ring-3 return that xen-x86_64.h describes for a kernel
 * returning to itself), which leaves the upcall mask alone.
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include "runtime.h"

#include <xen/callback.h>
#include <xen/nmi.h>

/* Architectural exception vectors. */
enum {
    X86_EXC_DE = 0,  X86_EXC_DB = 1,  X86_EXC_NMI = 2, X86_EXC_BP = 3,
    X86_EXC_OF = 4,  X86_EXC_BR = 5,  X86_EXC_UD = 6,  X86_EXC_NM = 7,
    X86_EXC_DF = 8,  X86_EXC_TS = 10, X86_EXC_NP = 11, X86_EXC_SS = 12,
    X86_EXC_GP = 13, X86_EXC_PF = 14, X86_EXC_MF = 16, X86_EXC_AC = 17,
    X86_EXC_MC = 18, X86_EXC_XM = 19,
};

/*
 * The pseudo-vector of the event callback (CALLBACKTYPE_event): its frame
 * is an exception frame without an error code. traps_init registers it,
 * so that an event that becomes deliverable (mask 0, upcall pending)
 * never bounces to address 0; the default handling clears
 * evtchn_upcall_pending and counts it in events_seen.
 */
#define TRAP_VEC_EVENT 256
extern volatile unsigned int events_seen;

/*
 * The pseudo-vector of the syscall callback (CALLBACKTYPE_syscall): a
 * `syscall` from guest user mode arrives with the same frame, RCX holding
 * the user's return RIP and R11 its RFLAGS (switch_to_kernel, entry.S).
 * usermode.c hooks it.
 */
#define TRAP_VEC_SYSCALL 257
#define TRAP_NR_VECS 258

/* #PF error code bits (SDM 4.7). */
#define PFEC_PRESENT  (1U << 0)
#define PFEC_WRITE    (1U << 1)
#define PFEC_USER     (1U << 2)
#define PFEC_RSVD     (1U << 3)
#define PFEC_INSN     (1U << 4)

/* Selector error codes (SDM 6.13): the IDT bit for a software interrupt. */
#define XEC_EXT 1U
#define XEC_IDT 2U

#define X86_EFLAGS_CF   0x00000001UL
#define X86_EFLAGS_IF   0x00000200UL
#define X86_EFLAGS_DF   0x00000400UL
#define X86_EFLAGS_TF   0x00000100UL
#define X86_EFLAGS_IOPL 0x00003000UL
#define X86_EFLAGS_NT   0x00004000UL
#define X86_EFLAGS_RF   0x00010000UL
#define X86_EFLAGS_AC   0x00040000UL

/* trap_info.flags (arch-x86/xen.h): bits 0-1 the DPL, bit 2 masks events. */
#define TI_DPL(dpl)      ((dpl) & 3)
#define TI_MASK_EVENTS   4

/* What a stub saw, in the order the hypervisor laid it out. */
struct trap_record {
    unsigned int vector;
    bool has_error;
    unsigned long frame;         /* guest RSP at the handler: the RCX slot */
    uint64_t rcx, r11, error, rip, cs, rflags, rsp, ss;
    uint64_t cr2;                /* vcpu_info.arch.cr2 at the handler */
    uint8_t mask;                /* vcpu_info.evtchn_upcall_mask then */
    uint64_t rax;                /* the interrupted code's RAX */
};

/* The general registers of the interrupted code (RCX/R11 from the frame). */
struct trap_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
};

/*
 * A test's handler for one vector, called with the record and the
 * registers. It may change rec->rip/rsp/rflags/cs/ss and the registers;
 * they are what the return restores. Returning false means "not mine":
 * the default handling follows (fixup, else an unexpected-trap error).
 */
typedef bool (*trap_hook_t)(struct trap_record *rec, struct trap_regs *regs);

/* Every trap the stubs took, the last one in full. */
extern volatile unsigned int trap_count;
extern struct trap_record last_trap;

/*
 * Where a kernel-mode trap resumes when no hook claims it: 0 means the trap
 * was unexpected (the test ends with ERROR). TRAP_EXPECT sets and clears it.
 */
extern volatile unsigned long trap_fixup;

/* Leave handlers with a native iretq instead of HYPERVISOR_iret. */
extern volatile bool trap_return_direct;

/* Called for traps from guest user mode (usermode.c installs one). */
extern trap_hook_t trap_user_hook;

/*
 * Install the trap table: every exception vector 0-31 with DPL 0 except
 * #BP and #OF (DPL 3, as Linux's int3/into), events left as they are. Also
 * maps shared_info (for vcpu_info) and enables writable page tables.
 */
void traps_init(void);

/* Re-register one vector's entry (flags: TI_DPL(n) | TI_MASK_EVENTS). */
long trap_set(unsigned int vector, unsigned int flags);
/* Remove one vector (a trap_info whose address is 0 never installs, so this
 * rewrites the whole table without it). */
long trap_clear(unsigned int vector);
/* The address of the entry stub for a vector (for hand-built tables). */
unsigned long trap_stub(unsigned int vector);

void trap_set_hook(unsigned int vector, trap_hook_t hook);

/*
 * Asm text: run `insn`; if it traps, the stub records it and resumes after
 * it. Use inside an extended asm statement (hence the doubled %%).
 * -mcmodel=kernel makes a label's address a sign-extended imm32.
 */
#define TRAP_EXPECT(insn)                                   \
    "movq $8890f, trap_fixup(%%rip)\n\t"                    \
    "8889: " insn "\n\t"                                    \
    "8890: movq $0, trap_fixup(%%rip)\n\t"

/*
 * Run instructions given as asm text with no operands (they may use RAX)
 * and return the vector they raised, or -1 if they completed.
 */
#define trap_probe(insn)                                    \
    ({                                                      \
        unsigned int before_ = trap_count;                  \
        asm volatile(TRAP_EXPECT(insn) ::: "rax", "cc", "memory"); \
        trap_count != before_ ? (int)last_trap.vector : -1;  \
    })

/*
 * Read or write 8 bytes at addr; returns the vector of the trap that
 * stopped it (last_trap has the rest), or -1 if the access completed.
 */
int probe_read(unsigned long addr, uint64_t *val);
int probe_write(unsigned long addr, uint64_t val);
#define check_no_trap(probe, ...) check((probe) == -1, __VA_ARGS__)

/*
 * Like check_rc(), for values that read better in hex (addresses, PTEs,
 * selectors): passes when got == want.
 */
bool check_eq_at(const char *file, int line, uint64_t got, uint64_t want,
                 const char *fmt, ...) printf_like(5, 6);
#define check_eq(got, want, ...) \
    check_eq_at(__FILE__, __LINE__, (got), (want), __VA_ARGS__)

/* Print a record (for failures and the log). */
void trap_print(const char *what, const struct trap_record *rec);

/* Hypercalls of this area (xen.h: __HYPERVISOR_*). */
static inline long hypercall_set_trap_table(const void *table)
{
    return hypercall(__HYPERVISOR_set_trap_table, (unsigned long)table, 0, 0,
                     0, 0);
}

static inline long hypercall_callback_op(unsigned long cmd, const void *arg)
{
    return hypercall(__HYPERVISOR_callback_op, cmd, (unsigned long)arg, 0, 0,
                     0);
}

static inline long hypercall_stack_switch(unsigned long ss, unsigned long sp)
{
    return hypercall(__HYPERVISOR_stack_switch, ss, sp, 0, 0, 0);
}

static inline long hypercall_fpu_taskswitch(unsigned long set)
{
    return hypercall(__HYPERVISOR_fpu_taskswitch, set, 0, 0, 0, 0);
}

/* Register a callback (callback.h, CALLBACKOP_register). */
long callback_register(unsigned int type, unsigned long address,
                       unsigned int flags);

/*
 * vCPU 0's vcpu_info: inside the mapped shared_info, or wherever
 * traps_set_vcpu_info() says after VCPUOP_register_vcpu_info moved it.
 */
struct vcpu_info *vcpu0_info(void);
void traps_set_vcpu_info(struct vcpu_info *vi);
extern struct shared_info *shared_info;

/*
 * Jump to a HYPERVISOR_iret with this context on the stack (the stack is
 * the context itself: RSP afterwards is ctx->rsp). Never returns.
 */
noreturn void iret_to(const struct iret_context *ctx);

#endif /* GUEST_TRAPS_H */
