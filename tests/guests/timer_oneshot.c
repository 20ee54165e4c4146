/*
 * Single-shot timers (vcpu.h: VCPUOP_set_singleshot_timer,
 * VCPUOP_stop_singleshot_timer; xen.h: set_timer_op), as Xen 4.17 runs
 * them for a PV vCPU (xen/common/domain.c do_vcpu_op, sched/core.c
 * do_set_timer_op): expiry raises VIRQ_TIMER on the vCPU, and
 * SCHEDOP_block returns once it is pending.
 *
 *  - a deadline in the future fires, never before it (system time at
 *    wake-up is past the deadline);
 *  - a deadline in the past fires at once: the event is pending when the
 *    hypercall returns (with upcalls enabled, delivered on that return);
 *  - VCPU_SSHOTTMR_future with a past deadline: Xen 4.17.7 IGNORES the
 *    flag (commit 7b5155a79e "xen/vcpu: ignore VCPU_SSHOTTMR_future":
 *    Linux before 4.7 mishandled -ETIME) and fires at once with rc 0,
 *    which vcpu.h allows ("can be ignored by the hypervisor");
 *  - a new deadline replaces the old one; stop cancels it;
 *  - set_timer_op(t) is the same timer; set_timer_op(0) stops it;
 *  - only the vCPU itself may set its single-shot timer; absent vCPUs are
 *    -ENOENT; bad pointers -EFAULT.
 *
 * Xen also gives every PV vCPU a 10 ms periodic timer on VIRQ_TIMER; it is
 * stopped first (as Linux does) so that every tick seen here is ours.
 */
#include "events.h"
#include "pvclock.h"

const char test_title[] = "timer_oneshot: single-shot timers and set_timer_op on VIRQ_TIMER";

/* Long enough that "nothing fired" means something, short under TCG. */
#define SHORT (10 * NSEC_PER_MSEC)
#define WAIT  (50 * NSEC_PER_MSEC)

static evtchn_port_t timer;

static long singleshot(uint64_t deadline, uint32_t flags)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline,
                                           .flags = flags };

    return hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0,
                             (unsigned long)&t);
}

/* Block until the timer port fires; returns system time at wake-up. */
static uint64_t block_for_tick(void)
{
    while (!port_upcalls[timer])
        hypercall_sched_op(SCHEDOP_block, 0);
    return system_time_ns();
}

static void one_shot(void)
{
    uint64_t deadline, woke;

    printf("A deadline in the future\n");
    port_upcalls[timer] = 0;
    deadline = system_time_ns() + SHORT;
    check_rc(singleshot(deadline, 0), 0, "set_singleshot_timer(now + 10 ms)");
    check(!port_upcalls[timer], "not fired on return");
    woke = block_for_tick();
    check(woke >= deadline, "woke at %lu, after the deadline %lu",
          (unsigned long)woke, (unsigned long)deadline);
    check(port_upcalls[timer] == 1, "exactly one tick (%u)",
          port_upcalls[timer]);
    port_upcalls[timer] = 0;
    spin_until_ns(system_time_ns() + WAIT);
    check(!port_upcalls[timer], "no second tick: it was single-shot (%u)",
          port_upcalls[timer]);
}

static void past(void)
{
    printf("A deadline in the past fires at once\n");
    port_upcalls[timer] = 0;
    check_rc(singleshot(system_time_ns() - NSEC_PER_MSEC, 0), 0,
             "set_singleshot_timer(now - 1 ms)");
    check(port_upcalls[timer] == 1, "delivered on the hypercall's return (%u)",
          port_upcalls[timer]);

    port_upcalls[timer] = 0;
    check_rc(singleshot(1, 0), 0, "set_singleshot_timer(1 ns after boot)");
    check(port_upcalls[timer] == 1, "delivered on the hypercall's return (%u)",
          port_upcalls[timer]);

    /* Masked: the event waits in shared_info for the guest. */
    events_disable();
    events_clear_all();
    check_rc(singleshot(system_time_ns() - NSEC_PER_MSEC, 0), 0,
             "set_singleshot_timer(now - 1 ms), upcalls masked");
    check(port_pending(timer) && upcall_pending(),
          "VIRQ_TIMER port %u pending on return", timer);
    events_enable();

    printf("VCPU_SSHOTTMR_future with a past deadline (flag ignored)\n");
    port_upcalls[timer] = 0;
    check_rc(singleshot(system_time_ns() - NSEC_PER_MSEC,
                        VCPU_SSHOTTMR_future),
             0, "set_singleshot_timer(now - 1 ms, VCPU_SSHOTTMR_future)");
    check(port_upcalls[timer] == 1, "fired at once (%u)", port_upcalls[timer]);
    port_upcalls[timer] = 0;
    check_rc(singleshot(system_time_ns() + SHORT, VCPU_SSHOTTMR_future), 0,
             "set_singleshot_timer(now + 10 ms, VCPU_SSHOTTMR_future)");
    block_for_tick();
    check(port_upcalls[timer] == 1, "fired (%u)", port_upcalls[timer]);
}

static void replace_and_stop(void)
{
    uint64_t deadline, woke;

    printf("A new deadline replaces the old one\n");
    port_upcalls[timer] = 0;
    check_rc(singleshot(system_time_ns() + 60 * NSEC_PER_SEC, 0), 0,
             "set_singleshot_timer(now + 60 s)");
    deadline = system_time_ns() + SHORT;
    check_rc(singleshot(deadline, 0), 0, "set_singleshot_timer(now + 10 ms)");
    woke = block_for_tick();
    check(woke >= deadline && woke < deadline + 30 * NSEC_PER_SEC,
          "fired for the second deadline (woke at %lu, deadline %lu)",
          (unsigned long)woke, (unsigned long)deadline);

    printf("Stop\n");
    port_upcalls[timer] = 0;
    check_rc(singleshot(system_time_ns() + SHORT, 0), 0,
             "set_singleshot_timer(now + 10 ms)");
    check_rc(hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0), 0,
             "VCPUOP_stop_singleshot_timer");
    spin_until_ns(system_time_ns() + WAIT);
    check(!port_upcalls[timer], "nothing fired in 50 ms (%u)",
          port_upcalls[timer]);
    check_rc(hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0), 0,
             "stop again (not armed)");
}

static void timer_op(void)
{
    uint64_t deadline, woke;

    printf("set_timer_op\n");
    port_upcalls[timer] = 0;
    deadline = system_time_ns() + SHORT;
    check_rc(hypercall_set_timer_op(deadline), 0, "set_timer_op(now + 10 ms)");
    woke = block_for_tick();
    check(woke >= deadline, "woke at %lu, after %lu", (unsigned long)woke,
          (unsigned long)deadline);

    port_upcalls[timer] = 0;
    check_rc(hypercall_set_timer_op(system_time_ns() + SHORT), 0,
             "set_timer_op(now + 10 ms)");
    check_rc(hypercall_set_timer_op(0), 0, "set_timer_op(0) stops it");
    spin_until_ns(system_time_ns() + WAIT);
    check(!port_upcalls[timer], "nothing fired in 50 ms (%u)",
          port_upcalls[timer]);

    /* The same timer as VCPUOP_set_singleshot_timer. */
    check_rc(singleshot(system_time_ns() + SHORT, 0), 0,
             "set_singleshot_timer(now + 10 ms)");
    check_rc(hypercall_set_timer_op(0), 0, "set_timer_op(0)");
    spin_until_ns(system_time_ns() + WAIT);
    check(!port_upcalls[timer],
          "set_timer_op(0) stopped the single-shot timer too (%u)",
          port_upcalls[timer]);
}

static void refused(void)
{
    struct vcpu_set_singleshot_timer t = {
        .timeout_abs_ns = system_time_ns() + SHORT,
    };

    printf("Refused\n");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0,
                                   bad_ptrs[i].addr),
                 -XEN_EFAULT, "set_singleshot_timer at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);
    check_rc(hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 1,
                               (unsigned long)&t),
             -XEN_ENOENT, "set_singleshot_timer for absent vCPU 1");
    check_rc(hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 1, 0),
             -XEN_ENOENT, "stop_singleshot_timer for absent vCPU 1");
    check_rc(hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0xffffffff,
                               (unsigned long)&t),
             -XEN_ENOENT, "set_singleshot_timer for vCPU 0xffffffff");
    check_rc(hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0), 0,
             "stop what the failed calls did not set");
}

void test_main(void)
{
    long rc;

    events_init();
    rc = hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    check_rc(rc, 0, "VCPUOP_stop_periodic_timer (Xen's default 10 ms tick)");
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &timer);
    if (rc)
        test_error("bind_virq(VIRQ_TIMER, 0) = %ld", rc);
    events_enable();
    one_shot();
    past();
    replace_and_stop();
    timer_op();
    refused();
    events_disable();
    check(upcalls_unmasked == 0, "every upcall ran masked");
}
