/*
 * Waiting for events: SCHEDOP_block and SCHEDOP_poll (sched.h), as Xen
 * 4.17 implements them (xen/common/sched/core.c: vcpu_block_enable_events,
 * do_poll; event_2l.c calls evtchn_check_pollers on every set_pending):
 *
 *  - block clears the upcall mask and returns when an event is pending:
 *    at once if one already is, else when a timer raises VIRQ_TIMER;
 *  - poll([port], timeout) returns 0 at once when a listed port is
 *    already pending, even with upcalls masked and the port masked;
 *  - with nothing pending it sleeps until the timeout (absolute system
 *    time) and returns 0, the port still idle;
 *  - it wakes early when a listed port becomes pending, masked or not
 *    (Linux's PV spinlocks poll a masked port), and leaves the upcall
 *    mask alone;
 *  - a port the domain does not have is -EINVAL; more than 128 ports
 *    -EINVAL; a bad port array -EFAULT (sched_op.c checks those two too).
 *
 * Timeout lengths are generous and never asserted as durations; only the
 * order of events is (woke after the timeout, or before it because of the
 * port).
 */
#include "events.h"
#include "pvclock.h"

const char test_title[] = "sched_block_poll: SCHEDOP_block and SCHEDOP_poll with timeouts and ports";

#define SHORT (20 * NSEC_PER_MSEC)
/* A timeout that must NOT be what ends the wait. */
#define LONG (30 * NSEC_PER_SEC)

static evtchn_port_t timer;

static long poll(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
    struct sched_poll p = { .nr_ports = n, .timeout = timeout };

    set_xen_guest_handle(p.ports, ports);
    return hypercall_sched_op(SCHEDOP_poll, (unsigned long)&p);
}

static long singleshot(uint64_t deadline)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };

    return hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0,
                             (unsigned long)&t);
}

static void block(void)
{
    evtchn_port_t a, b;
    uint64_t deadline, woke;

    printf("SCHEDOP_block\n");
    evtchn_loopback(&a, &b);
    events_disable();
    port_upcalls[b] = 0;
    evtchn_send(a);
    check_rc(hypercall_sched_op(SCHEDOP_block, 0), 0,
             "block with port %u pending", b);
    check(port_upcalls[b] == 1, "returned at once and delivered it (%u)",
          port_upcalls[b]);
    check(upcall_mask() == 0, "block left the upcall mask clear");

    events_disable();
    port_upcalls[timer] = 0;
    deadline = system_time_ns() + SHORT;
    singleshot(deadline);
    while (!port_upcalls[timer])
        hypercall_sched_op(SCHEDOP_block, 0);
    woke = system_time_ns();
    check(woke >= deadline, "block ended by the timer, at %lu >= %lu",
          (unsigned long)woke, (unsigned long)deadline);
    evtchn_close(a);
    evtchn_close(b);
}

static void poll_pending(evtchn_port_t a, evtchn_port_t b)
{
    evtchn_port_t list[3] = { b, a, timer };

    printf("Poll on a pending port returns at once\n");
    events_disable();
    events_clear_all();
    evtchn_send(a);
    check_rc(poll(&b, 1, system_time_ns() + LONG), 0,
             "poll([%u], now + 30 s) with %u pending", b, b);
    check(port_pending(b), "the port is still pending (poll does not ack)");
    check(upcall_mask() == 1, "poll left the upcall mask set");

    events_clear_all();
    port_mask(b);
    evtchn_send(a);
    check_rc(poll(&b, 1, system_time_ns() + LONG), 0,
             "poll([%u]) with %u pending and masked", b, b);
    port_unmask_bit(b);
    check_rc(poll(list, 3, system_time_ns() + LONG), 0,
             "poll([%u, %u, %u]), the first one pending", b, a, timer);
    events_clear_all();
}

static void poll_timeout(evtchn_port_t b)
{
    uint64_t deadline, woke;

    printf("Poll with nothing pending sleeps until the timeout\n");
    events_disable();
    events_clear_all();
    deadline = system_time_ns() + SHORT;
    check_rc(poll(&b, 1, deadline), 0, "poll([%u], now + 20 ms)", b);
    woke = system_time_ns();
    check(woke >= deadline, "returned at %lu, after the timeout %lu",
          (unsigned long)woke, (unsigned long)deadline);
    check(!port_pending(b), "port %u still idle", b);

    deadline = system_time_ns() - NSEC_PER_MSEC;
    check_rc(poll(&b, 1, deadline), 0, "poll([%u], a timeout in the past)",
             b);
}

static void poll_wakes(void)
{
    uint64_t alarm, woke;

    printf("Poll wakes when a listed port becomes pending\n");
    events_disable();
    events_clear_all();
    alarm = system_time_ns() + SHORT;
    singleshot(alarm);
    check_rc(poll(&timer, 1, system_time_ns() + LONG), 0,
             "poll([VIRQ_TIMER port %u], now + 30 s), alarm in 20 ms", timer);
    woke = system_time_ns();
    check(port_pending(timer), "the timer port is pending");
    check(woke >= alarm && woke < alarm + LONG / 2,
          "woke by the alarm, long before the timeout (%lu ms after it)",
          (unsigned long)((woke - alarm) / NSEC_PER_MSEC));
    check(upcall_mask() == 1, "the upcall mask is still set");

    printf("... even when that port is masked\n");
    events_clear_all();
    port_mask(timer);
    alarm = system_time_ns() + SHORT;
    singleshot(alarm);
    check_rc(poll(&timer, 1, system_time_ns() + LONG), 0,
             "poll([masked port %u], now + 30 s), alarm in 20 ms", timer);
    woke = system_time_ns();
    check(port_pending(timer) && !port_selected(timer) && !upcall_pending(),
          "the masked port is pending, nothing else raised");
    check(woke >= alarm && woke < alarm + LONG / 2,
          "woke by the alarm, long before the timeout (%lu ms after it)",
          (unsigned long)((woke - alarm) / NSEC_PER_MSEC));
    port_unmask_bit(timer);
    events_clear_all();
}

static void poll_refused(evtchn_port_t b)
{
    evtchn_port_t bad[] = { EVTCHN_PORTS, 0xffffffff };
    evtchn_port_t many[129];
    evtchn_port_t mixed[2] = { b, EVTCHN_PORTS };

    printf("Poll refuses what is not there\n");
    events_disable();
    events_clear_all();
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
        check_rc(poll(&bad[i], 1, system_time_ns() + LONG), -XEN_EINVAL,
                 "poll([%#x])", bad[i]);
    check_rc(poll(mixed, 2, system_time_ns() + LONG), -XEN_EINVAL,
             "poll([%u, %#x]): one bad port", b, EVTCHN_PORTS);
    for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
        many[i] = b;
    check_rc(poll(many, 129, system_time_ns() + LONG), -XEN_EINVAL,
             "poll with 129 ports");
    check_rc(poll((evtchn_port_t *)BAD_PTR_UNMAPPED, 1,
                  system_time_ns() + LONG),
             -XEN_EFAULT, "poll with ports at %#lx", BAD_PTR_UNMAPPED);
    check_rc(poll((evtchn_port_t *)BAD_PTR_HYPERVISOR, 1,
                  system_time_ns() + LONG),
             -XEN_EFAULT, "poll with ports at %#lx", BAD_PTR_HYPERVISOR);
}

void test_main(void)
{
    evtchn_port_t a, b;
    long rc;

    events_init();
    hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &timer);
    if (rc)
        test_error("bind_virq(VIRQ_TIMER, 0) = %ld", rc);
    block();
    evtchn_loopback(&a, &b);
    poll_pending(a, b);
    poll_timeout(b);
    poll_wakes();
    poll_refused(b);
    events_disable();
    check(upcalls_unmasked == 0, "every upcall ran masked");
}
