/*
 * The trap table and the C half of the entry stubs (traps.h, trap_entry.S).
 */
#include "traps.h"
#include "pagetable.h"

extern const uint8_t trap_stubs[];
extern const uint8_t trap_ret_hypercall[], trap_ret_direct[];

#define STUB_SIZE 16

/* Vectors for which the CPU pushes an error code (SDM 6.3.1). */
#define EXC_HAS_ERROR ((1U << X86_EXC_DF) | (1U << X86_EXC_TS) |      \
                       (1U << X86_EXC_NP) | (1U << X86_EXC_SS) |      \
                       (1U << X86_EXC_GP) | (1U << X86_EXC_PF) |      \
                       (1U << X86_EXC_AC) | (1U << 21) | (1U << 29) | \
                       (1U << 30))

volatile unsigned int trap_count;
struct trap_record last_trap;
volatile unsigned long trap_fixup;
volatile bool trap_return_direct;
trap_hook_t trap_user_hook;
struct shared_info *shared_info;

static trap_hook_t hooks[TRAP_NR_VECS];
volatile unsigned int events_seen;

/* What set_trap_table was last given, one entry per vector (0: none). */
static uint8_t table_flags[256];
static bool table_present[256];

/* The stack trap_common builds: registers, resume slot, vector, frame. */
struct trap_stack {
    struct trap_regs regs;
    uint64_t resume;
    uint64_t vector;
    uint64_t frame[];
};

unsigned long trap_stub(unsigned int vector)
{
    return (unsigned long)trap_stubs + vector * STUB_SIZE;
}

static struct vcpu_info *moved_vcpu_info;

struct vcpu_info *vcpu0_info(void)
{
    return moved_vcpu_info ? moved_vcpu_info : &shared_info->vcpu_info[0];
}

void traps_set_vcpu_info(struct vcpu_info *vi)
{
    moved_vcpu_info = vi;
}

void trap_print(const char *what, const struct trap_record *r)
{
    printf("%s: vector %u", what, r->vector);
    if (r->has_error)
        printf(" error %#lx", (unsigned long)r->error);
    printf(" rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx\n",
           (unsigned long)r->rip, (unsigned long)r->cs,
           (unsigned long)r->rflags, (unsigned long)r->rsp,
           (unsigned long)r->ss);
    printf("    frame at %#lx, rcx %#lx r11 %#lx, cr2 %#lx, mask %u\n",
           r->frame, (unsigned long)r->rcx, (unsigned long)r->r11,
           (unsigned long)r->cr2, r->mask);
}

bool check_eq_at(const char *file, int line, uint64_t got, uint64_t want,
                 const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (got == want) {
        printf("  ok: %s = %#lx\n", what, (unsigned long)got);
        return true;
    }
    test_fail("%s:%d: %s = %#lx, expected %#lx", file, line, what,
              (unsigned long)got, (unsigned long)want);
    return false;
}

int probe_read(unsigned long addr, uint64_t *val)
{
    unsigned int before = trap_count;
    uint64_t v = 0;

    asm volatile(TRAP_EXPECT("mov (%[a]), %[v]")
                 : [v] "+r"(v) : [a] "r"(addr) : "memory");
    if (val)
        *val = v;
    return trap_count != before ? (int)last_trap.vector : -1;
}

int probe_write(unsigned long addr, uint64_t val)
{
    unsigned int before = trap_count;

    asm volatile(TRAP_EXPECT("mov %[v], (%[a])")
                 :: [v] "r"(val), [a] "r"(addr) : "memory");
    return trap_count != before ? (int)last_trap.vector : -1;
}

void trap_set_hook(unsigned int vector, trap_hook_t hook)
{
    if (vector < TRAP_NR_VECS)
        hooks[vector] = hook;
}

/* Nothing here binds an event channel: just acknowledge the upcall. */
static bool event_default(struct trap_record *rec, struct trap_regs *regs)
{
    vcpu0_info()->evtchn_upcall_pending = 0;
    events_seen++;
    return true;
}

void trap_dispatch(struct trap_stack *s);

void trap_dispatch(struct trap_stack *s)
{
    struct trap_record rec = { .vector = (unsigned int)s->vector };
    uint64_t *f = s->frame;
    unsigned int e;
    trap_hook_t hook = hooks[rec.vector];
    bool handled = false;

    /*
     * Read the volatile vcpu_info state first: nothing below may change it
     * before we have it. A software interrupt never has an error code,
     * but the stub cannot tell `int $14` from a #PF; tests do not do that.
     */
    if (shared_info) {
        rec.cr2 = vcpu0_info()->arch.cr2;
        rec.mask = vcpu0_info()->evtchn_upcall_mask;
    }
    rec.has_error = rec.vector < 32 && (EXC_HAS_ERROR >> rec.vector) & 1;
    e = rec.has_error;
    rec.frame = (unsigned long)f;
    rec.rcx = f[0];
    rec.r11 = f[1];
    rec.error = e ? f[2] : 0;
    rec.rip = f[2 + e];
    rec.cs = f[3 + e];
    rec.rflags = f[4 + e];
    rec.rsp = f[5 + e];
    rec.ss = f[6 + e];
    rec.rax = s->regs.rax;

    /* The interrupted RCX/R11 are in the frame; the registers are junk. */
    s->regs.rcx = rec.rcx;
    s->regs.r11 = rec.r11;

    last_trap = rec;
    trap_count++;

    if (hook)
        handled = hook(&rec, &s->regs);
    if (!handled && rec.vector == TRAP_VEC_EVENT)
        handled = event_default(&rec, &s->regs);
    if (!handled && (rec.cs & 3) == 3 && trap_user_hook)
        handled = trap_user_hook(&rec, &s->regs);     /* may not return */
    if (!handled && trap_fixup && (rec.cs & 3) == 0) {
        rec.rip = trap_fixup;
        handled = true;
    }
    if (!handled) {
        trap_print("Unexpected trap", &rec);
        test_error("unexpected exception %u at %#lx", rec.vector,
                   (unsigned long)rec.rip);
    }

    /*
     * Turn the frame into the tail of a struct iret_context: flags in the
     * word below RIP (the error code, or R11), the return label below that.
     */
    f[2 + e] = rec.rip;
    f[3 + e] = rec.cs;
    f[4 + e] = rec.rflags;
    f[5 + e] = rec.rsp;
    f[6 + e] = rec.ss;
    f[1 + e] = 0;
    if (trap_return_direct) {
        /* A ring-3 iretq must name a ring-3 CS; bits 32+ must be clear. */
        f[3 + e] = (rec.cs & 0xffff) | 3;
        f[0 + e] = (uint64_t)trap_ret_direct;
    } else {
        f[0 + e] = (uint64_t)trap_ret_hypercall;
    }
    s->resume = (uint64_t)&f[0 + e];
}

/* The table ------------------------------------------------------------- */

static long load_table(void)
{
    static struct trap_info table[257];
    unsigned int n = 0;

    for (unsigned int v = 0; v < 256; v++) {
        if (!table_present[v])
            continue;
        table[n].vector = v;
        table[n].flags = table_flags[v];
        table[n].cs = FLAT_KERNEL_CS;
        table[n].address = trap_stub(v);
        n++;
    }
    memset(&table[n], 0, sizeof(table[n]));  /* address 0 ends the list */
    return hypercall_set_trap_table(table);
}

long trap_set(unsigned int vector, unsigned int flags)
{
    struct trap_info one[2] = {
        { .vector = vector, .flags = flags, .cs = FLAT_KERNEL_CS,
          .address = trap_stub(vector) },
        { 0 },
    };

    table_present[vector & 255] = true;
    table_flags[vector & 255] = flags;
    return hypercall_set_trap_table(one);
}

long trap_clear(unsigned int vector)
{
    long rc;

    table_present[vector & 255] = false;
    /* A NULL table clears every vector (do_set_trap_table). */
    rc = hypercall_set_trap_table(NULL);
    return rc ? rc : load_table();
}

long callback_register(unsigned int type, unsigned long address,
                       unsigned int flags)
{
    struct callback_register cb = {
        .type = type,
        .flags = flags,
        .address = address,
    };

    return hypercall_callback_op(CALLBACKOP_register, &cb);
}

void traps_init(void)
{
    long rc;

    /* vcpu_info lives in shared_info, which Dom0 must map itself. */
    if (!shared_info)
        shared_info = map_mfn(start_info->shared_info >> PAGE_SHIFT,
                              PTE_KERNEL_RW);

    /* Linux enables it (xen_start_kernel); ptwr emulation depends on it. */
    rc = hypercall_vm_assist(VMASST_CMD_enable,
                             VMASST_TYPE_writable_pagetables);
    if (rc)
        test_error("vm_assist(writable_pagetables) = %ld", rc);

    for (unsigned int v = 0; v < 32; v++) {
        table_present[v] = true;
        table_flags[v] = (v == X86_EXC_BP || v == X86_EXC_OF) ? TI_DPL(3)
                                                              : TI_DPL(0);
    }
    rc = load_table();
    if (rc)
        test_error("set_trap_table = %ld", rc);
    rc = callback_register(CALLBACKTYPE_event, trap_stub(TRAP_VEC_EVENT), 0);
    if (rc)
        test_error("callback_op(register event) = %ld", rc);
}
