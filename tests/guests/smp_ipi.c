/*
 * Two vCPUs exchanging IPIs, as Xen 4.17 runs a 64-bit PV Dom0 booted with
 * dom0_max_vcpus=2 (vcpu.h and common_vcpu_op, xen/common/domain.c;
 * arch_set_info_guest, xen/arch/x86/domain.c; evtchn_bind_ipi,
 * xen/common/event_channel.c; do_poll, xen/common/sched/core.c):
 *
 *  - vCPU 1 exists but is down and uninitialised: VCPUOP_is_up 0,
 *    VCPUOP_up -EINVAL. VCPUOP_initialise without VGCF_online leaves it
 *    down; a second one is -EEXIST. VCPUOP_up starts it at the context's
 *    RIP, on its RSP, with its gs_base_kernel, and with the upcall mask
 *    the Dom0 builder left in its vcpu_info (set, as for every vCPU);
 *  - an IPI port (EVTCHNOP_bind_ipi) notifies the vCPU it names: the event
 *    callback runs on that vCPU (its stack, its GS base) and only that
 *    vCPU's evtchn_pending_sel gets the port's bit;
 *  - a vCPU blocked in SCHEDOP_block is woken by an IPI; one spinning in
 *    guest code takes the upcall without a hypercall of its own (the
 *    sender kicks it); one in SCHEDOP_poll on its masked-in port wakes
 *    when the port becomes pending;
 *  - VCPUOP_down stops vCPU 1 (is_up 0; an IPI to it stays pending),
 *    VCPUOP_up resumes it where it stopped and the IPI is delivered.
 *
 * vCPU 0 pings vCPU 1's IPI port and waits, bounded, for the answer that
 * vCPU 1's callback sends to vCPU 0's port; each callback counts what it
 * saw, and the counts must equal the pings exactly. vCPU 0's ports fill
 * selector word 0 and vCPU 1's port is in word 1, so a selector bit on the
 * wrong vCPU shows. Wait bounds are generous and never asserted as times;
 * the per-round cost is printed for the record.
 */
#include "events.h"
#include "pvclock.h"
#include "smp.h"

const char test_title[] = "smp_ipi: two vCPUs exchanging IPIs";

#define BLOCK_ROUNDS 5          /* vCPU 1 seen blocked before each ping */
#define SPIN_ROUNDS 500         /* vCPU 0 spins for the answer */
#define POLL_ROUNDS 500         /* vCPU 0 sleeps in SCHEDOP_poll */
#define WAIT_NS (5 * NSEC_PER_SEC)
#define QUIET_NS (100 * NSEC_PER_MSEC)

static struct smp_cpu cpus[2];
static uint8_t cpu1_stack[16384] __attribute__((aligned(16)));
static struct vcpu_guest_context ctx;

static evtchn_port_t ipi[2];            /* ipi[n] notifies vCPU n */

/* What the callback saw on each vCPU (indexed by the vCPU it ran on). */
struct side {
    volatile unsigned int upcalls;
    volatile unsigned int ipis;         /* its own IPI port, pending */
    volatile unsigned int empty;        /* found none of its ports pending */
    volatile unsigned int foreign_sel;  /* selector bits of another word */
    volatile unsigned int stray;        /* another port of its word pending */
    volatile unsigned int unmasked;     /* ran with its upcall mask clear */
    volatile unsigned int send_errors;  /* vCPU 1: failed answers */
};
static struct side sides[2];
/* Callbacks whose GS base and stack named different vCPUs. */
static volatile unsigned int wrong_cpu;

/* vCPU 1's report of its start, and its blocking loop. */
static struct {
    volatile bool ready;
    unsigned long gs_self;      /* %gs:0 at entry */
    bool on_stack;              /* RSP at entry on cpu1_stack */
    uint8_t mask;               /* its upcall mask at entry */
    long callback_rc, bind_rc;
    volatile unsigned int blocks, woken;        /* woken: with a new IPI */
    volatile long block_rc;
} cpu1;

static unsigned int pings;              /* IPIs vCPU 0 sent to vCPU 1 */

static void atomic_inc(volatile unsigned int *p)
{
    asm volatile("lock incl %0" : "+m"(*p) : : "memory");
}

static xen_ulong_t xchg_word(volatile xen_ulong_t *w, xen_ulong_t v)
{
    asm volatile("xchgq %0, %1" : "+r"(v), "+m"(*w) : : "memory");
    return v;
}

static unsigned int word_of(evtchn_port_t port)
{
    return port / EVTCHN_WORD_BITS;
}

static long vcpu_op(unsigned int cmd, unsigned int vcpu, void *arg)
{
    return hypercall_vcpu_op(cmd, vcpu, (unsigned long)arg);
}

/* The 2-level scan, for the vCPU it runs on, of that vCPU's word only. */
static bool on_event(struct trap_record *rec, struct trap_regs *regs)
{
    struct smp_cpu *c = this_cpu();
    unsigned int id = smp_on_stack(&cpus[1], rec->frame) ? 1 : 0;
    struct vcpu_info *vi = smp_vcpu_info(id);
    struct side *s = &sides[id];
    unsigned int w = word_of(ipi[id]);
    xen_ulong_t sel, bits = 0;
    bool found = false;

    (void)regs;
    if (c != &cpus[id])
        atomic_inc(&wrong_cpu);
    s->upcalls++;
    if (!vi->evtchn_upcall_mask)
        s->unmasked++;

    vi->evtchn_upcall_pending = 0;
    sel = xchg_word(&vi->evtchn_pending_sel, 0);
    if (sel & ~(1UL << w))
        s->foreign_sel++;
    if (sel & (1UL << w))
        bits = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
    while (bits) {
        evtchn_port_t port = w * EVTCHN_WORD_BITS + __builtin_ctzl(bits);

        bits &= bits - 1;
        port_clear_pending(port);
        if (port != ipi[id]) {
            s->stray++;
            continue;
        }
        found = true;
        s->ipis++;
        if (id == 1 && evtchn_send(ipi[0]))
            s->send_errors++;
    }
    if (!found)
        s->empty++;
    return true;
}

/* vCPU 1 ------------------------------------------------------------------ */

static void cpu1_main(void)
{
    struct vcpu_info *vi = smp_vcpu_info(1);
    unsigned long sp;

    asm volatile("mov %%rsp, %0" : "=r"(sp));
    cpu1.on_stack = smp_on_stack(&cpus[1], sp);
    cpu1.mask = vi->evtchn_upcall_mask;
    cpu1.gs_self = smp_probe_gs_self();
    if (cpu1.gs_self != (unsigned long)&cpus[1])
        smp_set_this_cpu(&cpus[1]);     /* reported; let the rest run */
    cpu1.callback_rc = callback_register(CALLBACKTYPE_event,
                                         trap_stub(TRAP_VEC_EVENT), 0);
    cpu1.bind_rc = evtchn_bind_ipi(1, &ipi[1]);
    asm volatile("" ::: "memory");
    cpu1.ready = true;

    /*
     * Linux's idle loop: mask, decide to sleep, SCHEDOP_block (which
     * unmasks atomically and returns once an event is pending; the upcall
     * comes on its return). Only IPIs wake it: no VIRQ_TIMER is bound here.
     */
    for (;;) {
        unsigned int before;
        long rc;

        vi->evtchn_upcall_mask = 1;
        asm volatile("" ::: "memory");
        before = sides[1].ipis;
        rc = hypercall_sched_op(SCHEDOP_block, 0);
        if (rc)
            cpu1.block_rc = rc;
        cpu1.blocks++;
        if (sides[1].ipis != before)
            cpu1.woken++;
    }
}

/* vCPU 0 ------------------------------------------------------------------ */

static long is_up(unsigned int vcpu)
{
    return vcpu_op(VCPUOP_is_up, vcpu, NULL);
}

static bool runstate(unsigned int vcpu, struct vcpu_runstate_info *rs)
{
    long rc = vcpu_op(VCPUOP_get_runstate_info, vcpu, rs);

    if (rc)
        test_fail("VCPUOP_get_runstate_info(%u) = %ld", vcpu, rc);
    return rc == 0;
}

/* Wait, bounded, until vCPU 1's runstate is (or is not) `state`. */
static bool wait_runstate(int state, bool equal, const char *what)
{
    uint64_t deadline = system_time_ns() + WAIT_NS;
    struct vcpu_runstate_info rs;

    do {
        if (!runstate(1, &rs))
            return false;
        if ((rs.state == state) == equal)
            return true;
    } while (system_time_ns() < deadline);
    test_fail("vCPU 1 not %s within %llu s (runstate %d)", what,
              WAIT_NS / NSEC_PER_SEC, rs.state);
    return false;
}

/* The ports of vCPU 0: its IPI port, then unbound ones up to port 63. */
static void bind_ports(void)
{
    evtchn_port_t p = 0;

    check_rc(evtchn_bind_ipi(2, &p), -XEN_ENOENT,
             "bind_ipi(2): dom0_max_vcpus=2 made no vCPU 2");
    if (evtchn_bind_ipi(0, &ipi[0]))
        test_error("bind_ipi(0) failed");
    for (p = ipi[0]; p < EVTCHN_WORD_BITS - 1;)
        if (evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &p))
            test_error("alloc_unbound failed before port %u", p + 1);
    printf("vCPU 0: IPI port %u, ports up to %u taken\n", ipi[0], p);
}

static void bring_up(void)
{
    uint64_t deadline;

    printf("Bring-up of vCPU 1\n");
    check_rc(is_up(0), 1, "VCPUOP_is_up(0)");
    check_rc(is_up(1), 0, "VCPUOP_is_up(1) before anything");
    check_rc(is_up(2), -XEN_ENOENT, "VCPUOP_is_up(2)");
    check_rc(vcpu_op(VCPUOP_up, 1, NULL), -XEN_EINVAL,
             "VCPUOP_up(1) before VCPUOP_initialise");

    cpus[1].id = 1;
    cpus[1].stack = cpu1_stack;
    cpus[1].stack_size = sizeof(cpu1_stack);
    smp_build_context(&ctx, &cpus[1], cpu1_main);
    if (!check_rc(vcpu_op(VCPUOP_initialise, 1, &ctx), 0,
                  "VCPUOP_initialise(1)"))
        test_error("vCPU 1 cannot be initialised");
    check_rc(vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EEXIST,
             "VCPUOP_initialise(1) again");
    check_rc(is_up(1), 0, "VCPUOP_is_up(1) after initialise (no VGCF_online)");
    check_rc(vcpu_op(VCPUOP_up, 1, NULL), 0, "VCPUOP_up(1)");
    check_rc(is_up(1), 1, "VCPUOP_is_up(1) after up");
    check_rc(vcpu_op(VCPUOP_up, 1, NULL), 0, "VCPUOP_up(1) when up already");

    deadline = system_time_ns() + WAIT_NS;
    while (!cpu1.ready)
        if (system_time_ns() > deadline)
            test_error("vCPU 1 did not report within %llu s",
                       WAIT_NS / NSEC_PER_SEC);
    asm volatile("" ::: "memory");      /* read its report after `ready` */
    check(cpu1.on_stack, "vCPU 1 started on its stack (user_regs.rsp)");
    check_eq(cpu1.gs_self, (unsigned long)&cpus[1],
             "vCPU 1's %%gs:0 at entry (gs_base_kernel)");
    check_rc(cpu1.mask, 1, "vCPU 1's upcall mask at entry");
    check_rc(cpu1.callback_rc, 0, "CALLBACKOP_register(event) on vCPU 1");
    if (!check_rc(cpu1.bind_rc, 0, "bind_ipi(1) on vCPU 1"))
        test_error("vCPU 1 has no IPI port");
    printf("vCPU 1: IPI port %u\n", ipi[1]);
    if (word_of(ipi[1]) == word_of(ipi[0]))
        test_error("ports %u and %u share a selector word", ipi[0], ipi[1]);
}

enum wait_mode { WAIT_SPIN, WAIT_POLL };

/* One SCHEDOP_poll on vCPU 0's port, masked, then deliver what came. */
static void poll_once(uint64_t deadline)
{
    struct sched_poll p = { .nr_ports = 1, .timeout = deadline };
    long rc = 0;

    set_xen_guest_handle(p.ports, &ipi[0]);
    events_disable();
    if (!port_pending(ipi[0]))
        rc = hypercall_sched_op(SCHEDOP_poll, (unsigned long)&p);
    events_enable();
    if (rc)
        test_fail("SCHEDOP_poll([%u]) = %ld", ipi[0], rc);
}

/* Ping vCPU 1 and wait for its answer; false (and a failure) on timeout. */
static bool ping(const char *phase, unsigned int round, enum wait_mode mode)
{
    uint64_t deadline;
    long rc = evtchn_send(ipi[1]);

    if (rc) {
        test_fail("%s round %u: send(%u) = %ld", phase, round, ipi[1], rc);
        return false;
    }
    pings++;
    deadline = system_time_ns() + WAIT_NS;
    while (sides[0].ipis < pings) {
        if (system_time_ns() > deadline) {
            test_fail("%s round %u: no answer within %llu s (ping %u: vCPU 1 "
                      "saw %u, vCPU 0 got %u answers)", phase, round,
                      WAIT_NS / NSEC_PER_SEC, pings, sides[1].ipis,
                      sides[0].ipis);
            return false;
        }
        if (mode == WAIT_POLL)
            poll_once(deadline);
        else
            asm volatile("pause" ::: "memory");
    }
    return true;
}

static bool pingpong(const char *phase, unsigned int rounds,
                     enum wait_mode mode, bool when_blocked)
{
    uint64_t start = system_time_ns(), ns;
    unsigned int i;

    for (i = 0; i < rounds; i++) {
        if (when_blocked &&
            !wait_runstate(RUNSTATE_blocked, true, "blocked"))
            break;
        if (!ping(phase, i, mode))
            break;
    }
    ns = system_time_ns() - start;
    check(i == rounds, "%s: %u of %u rounds answered (%lu us a round)",
          phase, i, rounds, (unsigned long)(ns / NSEC_PER_USEC / (i ? i : 1)));
    return i == rounds;
}

/* vCPU 1 down, an IPI stays pending; up again, and it is answered. */
static void down_up(void)
{
    uint64_t quiet;
    unsigned int seen = sides[1].ipis;

    printf("VCPUOP_down and up again\n");
    check_rc(vcpu_op(VCPUOP_down, 1, NULL), 0, "VCPUOP_down(1)");
    check_rc(is_up(1), 0, "VCPUOP_is_up(1) after down");
    if (!wait_runstate(RUNSTATE_running, false, "off its pCPU"))
        return;
    check_rc(evtchn_send(ipi[1]), 0, "send(%u) to the down vCPU 1", ipi[1]);
    pings++;
    quiet = system_time_ns() + QUIET_NS;
    while (system_time_ns() < quiet)
        asm volatile("pause" ::: "memory");
    check(sides[1].ipis == seen && sides[0].ipis == pings - 1,
          "no callback on the down vCPU within %llu ms (saw %u, was %u)",
          QUIET_NS / NSEC_PER_MSEC, sides[1].ipis, seen);
    check(port_pending(ipi[1]), "its IPI port %u stays pending", ipi[1]);

    check_rc(vcpu_op(VCPUOP_up, 1, NULL), 0, "VCPUOP_up(1) again");
    check_rc(is_up(1), 1, "VCPUOP_is_up(1)");
    quiet = system_time_ns() + WAIT_NS;
    while (sides[0].ipis < pings && system_time_ns() < quiet)
        asm volatile("pause" ::: "memory");
    check(sides[1].ipis == seen + 1 && sides[0].ipis == pings,
          "vCPU 1 resumed, took the pending IPI and answered (saw %u, "
          "answers %u of %u)", sides[1].ipis, sides[0].ipis, pings);
}

static void report(void)
{
    struct vcpu_runstate_info rs;

    for (unsigned int id = 0; id < 2; id++) {
        const struct side *s = &sides[id];

        printf("vCPU %u: %u upcalls, %u IPIs, %u empty\n", id, s->upcalls,
               s->ipis, s->empty);
        check(s->ipis == pings, "vCPU %u's callback counted %u IPIs of %u",
              id, s->ipis, pings);
        check(s->foreign_sel == 0,
              "vCPU %u never saw another vCPU's selector bit (%u times)", id,
              s->foreign_sel);
        check(s->stray == 0, "vCPU %u found no stray port pending (%u)", id,
              s->stray);
        check(s->unmasked == 0, "vCPU %u's callbacks all ran masked (%u not)",
              id, s->unmasked);
    }
    check(wrong_cpu == 0,
          "every callback ran on the stack of the vCPU its GS base names "
          "(%u did not)", wrong_cpu);
    check(sides[1].send_errors == 0, "vCPU 1's answers all sent (%u failed)",
          sides[1].send_errors);
    check_rc(cpu1.block_rc, 0, "vCPU 1's SCHEDOP_block");
    printf("vCPU 1: %u returns from SCHEDOP_block, %u with a new IPI\n",
           cpu1.blocks, cpu1.woken);
    if (runstate(1, &rs))
        check(rs.time[RUNSTATE_blocked] > 0,
              "vCPU 1 spent %lu us blocked",
              (unsigned long)(rs.time[RUNSTATE_blocked] / NSEC_PER_USEC));
}

void test_main(void)
{
    bool ok;

    traps_init();
    cpus[0].id = 0;
    check_rc(smp_set_this_cpu(&cpus[0]), 0,
             "set_segment_base(SEGBASE_GS_KERNEL) on vCPU 0");
    check(this_cpu() == &cpus[0], "%%gs:0 names vCPU 0");
    trap_set_hook(TRAP_VEC_EVENT, on_event);

    bind_ports();
    bring_up();

    events_enable();
    printf("Ping-pong\n");
    ok = pingpong("vCPU 1 blocked", BLOCK_ROUNDS, WAIT_SPIN, true) &&
         pingpong("vCPU 0 spinning", SPIN_ROUNDS, WAIT_SPIN, false) &&
         pingpong("vCPU 0 polling", POLL_ROUNDS, WAIT_POLL, false);
    if (ok)
        down_up();
    report();

    check_rc(vcpu_op(VCPUOP_down, 1, NULL), 0, "VCPUOP_down(1) at the end");
    check_rc(is_up(1), 0, "VCPUOP_is_up(1) at the end");
    events_disable();
}
