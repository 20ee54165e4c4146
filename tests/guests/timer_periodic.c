/*
 * The periodic timer (vcpu.h: VCPUOP_set_periodic_timer,
 * VCPUOP_stop_periodic_timer), as Xen 4.17 runs it for a PV vCPU
 * (xen/common/domain.c do_vcpu_op, sched/core.c vcpu_periodic_timer_work):
 *
 *  - every PV vCPU starts with a 10 ms periodic timer
 *    (xen/arch/x86/pv/domain.c: v->periodic_period = MILLISECS(10)); its
 *    ticks reach the guest once VIRQ_TIMER is bound. This is why Linux
 *    stops it (xen_vcpuop_setup_timer / xen_timer_resume);
 *  - periods below 1 ms, and above STIME_DELTA_MAX (2^62 ns), are -EINVAL;
 *    bad pointers are -EFAULT; absent vCPUs -ENOENT;
 *  - a 5 ms period ticks repeatedly; after the call returns, tick k never
 *    comes before k periods have passed since the call (Xen schedules each
 *    tick one period after the last one it delivered, the first one at
 *    once when a period has passed since the old timer's last tick);
 *  - it ticks only while the vCPU runs: SCHEDOP_block is not ended by it
 *    (Xen stops the timer when the vCPU is descheduled);
 *  - stop ends the ticks.
 *
 * Tick rates are not asserted (timing belongs in bench/); the elapsed time
 * is printed.
 */
#include "events.h"
#include "pvclock.h"

const char test_title[] = "timer_periodic: default tick, set/stop periodic timer on VIRQ_TIMER";

#define PERIOD (5 * NSEC_PER_MSEC)
#define TICKS 5
/* Two clocks describe one instant: allow this much disagreement. */
#define SLACK (100 * NSEC_PER_USEC)

static evtchn_port_t timer;

static long set_periodic(unsigned long vcpu, uint64_t period)
{
    struct vcpu_set_periodic_timer t = { .period_ns = period };

    return hypercall_vcpu_op(VCPUOP_set_periodic_timer, vcpu,
                             (unsigned long)&t);
}

static void default_tick(void)
{
    uint64_t start = system_time_ns(), end;

    printf("The default periodic timer\n");
    port_upcalls[timer] = 0;
    while (port_upcalls[timer] < 3 &&
           system_time_ns() - start < 2 * NSEC_PER_SEC)
        hypercall_sched_op(SCHEDOP_yield, 0);
    end = system_time_ns();
    check(port_upcalls[timer] >= 3,
          "VIRQ_TIMER ticks without any timer set: %u ticks in %lu us",
          port_upcalls[timer], (unsigned long)((end - start) / 1000));
}

static void arguments(void)
{
    printf("Arguments\n");
    check_rc(set_periodic(0, 0), -XEN_EINVAL, "set_periodic_timer(0 ns)");
    check_rc(set_periodic(0, NSEC_PER_MSEC - 1), -XEN_EINVAL,
             "set_periodic_timer(999999 ns)");
    check_rc(set_periodic(0, (1ULL << 62) + 1), -XEN_EINVAL,
             "set_periodic_timer(2^62 + 1 ns)");
    check_rc(set_periodic(0, ~0ULL), -XEN_EINVAL,
             "set_periodic_timer(2^64 - 1 ns)");
    check_rc(set_periodic(1, PERIOD), -XEN_ENOENT,
             "set_periodic_timer for absent vCPU 1");
    check_rc(hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 1, 0), -XEN_ENOENT,
             "stop_periodic_timer for absent vCPU 1");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_vcpu_op(VCPUOP_set_periodic_timer, 0,
                                   bad_ptrs[i].addr),
                 -XEN_EFAULT, "set_periodic_timer at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);
    /* vcpu.h: "arg == NULL"; Xen never reads it. */
    check_rc(hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0,
                               BAD_PTR_UNMAPPED),
             0, "stop_periodic_timer ignores its argument");
}

static void ticks(void)
{
    uint64_t start, when[TICKS];
    unsigned int early = 0, k = 0;

    printf("A %lu ms period\n", (unsigned long)(PERIOD / NSEC_PER_MSEC));
    /*
     * Xen schedules the first tick one period after the last tick of the
     * old timer, at once if that is past. Let a period pass after stopping
     * the old one, so that every tick counted below (after the call's
     * return) is one of the new period's.
     */
    check_rc(hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0), 0,
             "stop_periodic_timer (the default one)");
    spin_until_ns(system_time_ns() + 2 * PERIOD);
    start = system_time_ns();
    check_rc(set_periodic(0, PERIOD), 0, "set_periodic_timer(5 ms)");
    port_upcalls[timer] = 0;
    /* Running (yield keeps us on the CPU): the timer ticks. */
    while (k < TICKS && system_time_ns() - start < 2 * NSEC_PER_SEC) {
        hypercall_sched_op(SCHEDOP_yield, 0);
        if (port_upcalls[timer] > k) {
            when[k] = system_time_ns();
            if (when[k] + SLACK < start + (uint64_t)(k + 1) * PERIOD)
                early++;
            k = port_upcalls[timer];
        }
    }
    check(k >= TICKS, "%u ticks while running (want %u)", k, TICKS);
    if (k >= TICKS)
        printf("  the last after %lu us\n",
               (unsigned long)((when[TICKS - 1] - start) / 1000));
    check(early == 0, "no tick k came before k periods had passed (%u did)",
          early);
}

/*
 * Xen stops a vCPU's periodic timer while the vCPU is descheduled and
 * catches up with one tick when it runs again (sched/core.c, schedule():
 * stop_timer(&prev->periodic_timer), vcpu_periodic_timer_work(next)): a
 * vCPU that blocks is not woken by its periodic timer. A single-shot
 * timer 50 ms ahead is the only thing that may end the block.
 */
static void blocked(void)
{
    struct vcpu_set_singleshot_timer guard;
    uint64_t woke;

    printf("Blocked with only the periodic timer\n");
    guard.timeout_abs_ns = system_time_ns() + 10 * PERIOD;
    guard.flags = 0;
    check_rc(hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0,
                               (unsigned long)&guard),
             0, "set_singleshot_timer(now + 50 ms) as the alarm");
    check_rc(hypercall_sched_op(SCHEDOP_block, 0), 0, "SCHEDOP_block");
    woke = system_time_ns();
    check(woke + SLACK >= guard.timeout_abs_ns,
          "woken by the single-shot alarm, not by a 5 ms tick (woke %ld us "
          "after the alarm)",
          (long)((int64_t)(woke - guard.timeout_abs_ns) / 1000));
    check(port_upcalls[timer] > 0, "the tick port fired");
    check_rc(hypercall_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0), 0,
             "stop the alarm (if it has not fired)");
}

static void stop(void)
{
    printf("Stop\n");
    check_rc(hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0), 0,
             "stop_periodic_timer");
    /* A tick raised just before the stop may still be on its way. */
    spin_until_ns(system_time_ns() + 2 * PERIOD);
    port_upcalls[timer] = 0;
    spin_until_ns(system_time_ns() + 20 * PERIOD);
    check(!port_upcalls[timer], "no tick in 20 periods after the stop (%u)",
          port_upcalls[timer]);
}

void test_main(void)
{
    long rc;

    events_init();
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &timer);
    if (rc)
        test_error("bind_virq(VIRQ_TIMER, 0) = %ld", rc);
    events_enable();
    default_tick();
    arguments();
    ticks();
    blocked();
    stop();
    events_disable();
    check(upcalls_unmasked == 0, "every upcall ran masked");
}
