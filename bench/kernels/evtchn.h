/*
 * Waiting for an event channel in the evtchn bench kernels, on top of the
 * runtime's 2-level helpers (events.h): the waiter keeps events masked and
 * blocks in SCHEDOP_poll (sched.h), which wakes on a pending port whether
 * the port is masked or not; so the ports stay masked and no upcall is
 * ever made, as in Linux's PV spinlock kick (xen_poll_irq).
 */
#ifndef BENCH_EVTCHN_H
#define BENCH_EVTCHN_H

#include "bench.h"
#include "events.h"

/* SCHEDOP_poll on one port: returns at once if it is pending already. */
static inline long evtchn_poll(evtchn_port_t port)
{
    struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };

    set_xen_guest_handle(poll.ports, &port);
    return hypercall_sched_op(SCHEDOP_poll, (unsigned long)&poll);
}

/*
 * Block until port is pending, then consume it. Only the peer sets it, and
 * only after we answered its last event, so clearing cannot lose one.
 * Nonzero: the poll's error.
 */
static inline long evtchn_wait(evtchn_port_t port)
{
    long rc = 0;

    while (!port_pending(port) && !rc)
        rc = evtchn_poll(port);
    port_clear_pending(port);
    return rc;
}

#endif /* BENCH_EVTCHN_H */
