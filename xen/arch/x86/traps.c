/*
 * Exceptions and interrupts. A fault in the hypervisor is either an
 * expected one (a guest-memory copy: resume at its fixup) or a bug, which
 * is reported with registers and a call trace and stops the machine. A
 * fault in a guest crashes that guest only, with one log line, until guest
 * trap tables exist to bounce it to.
 */
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/cpu.h>
#include <asm/smp.h>
#include <asm/page.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

_Static_assert(offsetof(struct cpu_regs, error_code) == 15 * 8, "entry.S frame");
_Static_assert(offsetof(struct cpu_regs, cs) == 136, "entry.S frame");
_Static_assert(sizeof(struct cpu_regs) == 168, "entry.S frame");
_Static_assert(sizeof(struct cpu_info) <= CPU_INFO_RESERVE, "head.S starts the stack below it");
_Static_assert((sizeof(struct cpu_info) - offsetof(struct cpu_info, cpu_id)) % 16 == 0,
               "the guest frame must end 16-byte aligned (TSS.RSP0)");

#define TRAP_NMI 2
#define TRAP_DF 8
#define TRAP_MC 18
#define TRAP_PF 14
#define TRAP_GP 13
#define SPURIOUS_VECTOR 0xff

struct ex_entry {
    uint64_t insn, fixup;
};

uint64_t idt_table[256][2] __aligned(16);
extern char exception_stubs[];
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static const char *const trap_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bounds",
    "invalid opcode", "device not available", "double fault",
    "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack fault", "general protection", "page fault", "spurious",
    "x87 FPU error", "alignment check", "machine check", "SIMD error",
    "virtualisation", "control protection",
};

static void set_gate(unsigned vec, unsigned dpl, unsigned ist)
{
    uint64_t h = (uint64_t)exception_stubs + 16 * vec;

    /* 64-bit interrupt gate: interrupts stay off in the handler. */
    idt_table[vec][0] = (h & 0xffff) | ((uint64_t)HYPERVISOR_CS << 16) |
                        ((uint64_t)ist << 32) | (0x8eUL << 40) |
                        ((uint64_t)dpl << 45) | (((h >> 16) & 0xffff) << 48);
    idt_table[vec][1] = h >> 32;
}

void traps_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        set_gate(v, 0, 0);
    /* int3 and into stay usable from guest code, as on Xen. */
    set_gate(3, 3, 0);
    set_gate(4, 3, 0);
    set_gate(TRAP_DF, 0, 1);
    set_gate(TRAP_NMI, 0, 2);
    set_gate(TRAP_MC, 0, 3);
}

static const char *trap_name(unsigned vec)
{
    if (vec < 32 && trap_names[vec])
        return trap_names[vec];
    return vec < 32 ? "reserved" : "interrupt";
}

static void show_registers(const struct cpu_regs *r)
{
    printk("RIP:    %04lx:[<%016lx>]\n", (unsigned long)r->cs, (unsigned long)r->rip);
    printk("RFLAGS: %016lx   error code: %04x\n", (unsigned long)r->rflags, r->error_code);
    printk("rax: %016lx   rbx: %016lx   rcx: %016lx\n", r->rax, r->rbx, r->rcx);
    printk("rdx: %016lx   rsi: %016lx   rdi: %016lx\n", r->rdx, r->rsi, r->rdi);
    printk("rbp: %016lx   rsp: %016lx   r8:  %016lx\n", r->rbp, r->rsp, r->r8);
    printk("r9:  %016lx   r10: %016lx   r11: %016lx\n", r->r9, r->r10, r->r11);
    printk("r12: %016lx   r13: %016lx   r14: %016lx\n", r->r12, r->r13, r->r14);
    printk("r15: %016lx   cr0: %016lx   cr4: %016lx\n", r->r15, read_cr0(), read_cr4());
    printk("cr3: %016lx   cr2: %016lx   ss: %04lx\n", read_cr3(), read_cr2(),
           (unsigned long)r->ss);
}

/* Follows the frame-pointer chain while it stays inside this CPU's stack. */
static void show_trace(const struct cpu_regs *r)
{
    uint64_t fp = r->rbp;
    uint64_t lo = ROUNDDOWN(fp, (uint64_t)STACK_SIZE), hi = lo + STACK_SIZE;

    printk("Xen call trace (resolve with addr2line -e xen/xen-syms):\n");
    printk("   [<%016lx>] (faulting instruction)\n", (unsigned long)r->rip);
    for (unsigned depth = 0; depth < 32; depth++) {
        const uint64_t *frame = (const uint64_t *)fp;

        if (fp < lo || fp + 16 > hi || (fp & 7))
            break;
        if (frame[1] < XEN_VIRT_START)
            break;
        printk("   [<%016lx>]\n", (unsigned long)frame[1]);
        fp = frame[0];
    }
}

static noreturn void fatal_trap(const struct cpu_regs *r)
{
    unsigned vec = r->entry_vector;

    printk("----[ Xenolith x86_64 ]----\n");
    printk("FATAL TRAP: vector %u (%s) on CPU %u\n", vec, trap_name(vec),
           smp_processor_id());
    show_registers(r);
    show_trace(r);
    panic("FATAL TRAP: vector = %u (%s)", vec, trap_name(vec));
}

static bool search_fixup(struct cpu_regs *r)
{
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
        if (e->insn == r->rip) {
            r->rip = e->fixup;
            return true;
        }
    return false;
}

void do_exception(struct cpu_regs *r)
{
    unsigned vec = r->entry_vector;

    if (vec == SPURIOUS_VECTOR)
        return;
    if (vec >= 32) {
        if (vec == TIMER_VECTOR) {
            apic_eoi();
            timer_interrupt();
        } else if (vec == EVENT_CHECK_VECTOR) {
            apic_eoi(); /* the exit path below does the looking */
        } else if (vec == FLUSH_VECTOR) {
            apic_eoi();
            smp_poll_requests();
        } else if (vec >= IRQ_VECTOR_BASE && vec < IRQ_VECTOR_BASE + NR_IRQ_VECTORS) {
            pirq_interrupt(vec - IRQ_VECTOR_BASE);
        } else {
            printk("unexpected interrupt, vector %u: ignored\n", vec);
        }
        if (regs_from_guest(r))
            exit_to_guest(r);
        return;
    }
    if (vec == TRAP_NMI) {
        printk("NMI received on CPU %u: ignored\n", smp_processor_id());
        return;
    }
    if (regs_from_guest(r)) {
        pv_guest_exception(r);
        exit_to_guest(r);
        return;
    }
    if ((vec == TRAP_PF || vec == TRAP_GP) && search_fixup(r))
        return;
    fatal_trap(r);
}
