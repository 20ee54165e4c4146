/*
 * An event-channel loopback on one vCPU: send on an IPI port bound to the
 * sending vCPU itself (EVTCHNOP_send), SCHEDOP_poll on it, which returns
 * at once because the port is pending, and consume it. The hypervisor work
 * of one side of evtchn_ipi_roundtrip without the other vCPU's wake-up,
 * schedule and cross-CPU interrupt. Port and events masked, as there.
 */
#include "evtchn.h"

const char test_title[] = "bench: event channel loopback on one vCPU (send, poll)";

#define ITERATIONS 50000UL

static long turns(evtchn_port_t port, unsigned long n)
{
    long rc = 0;

    for (unsigned long i = 0; i < n && !rc; i++) {
        rc = evtchn_send(port);
        if (!rc)
            rc = evtchn_poll(port);
        if (!rc && !port_pending(port))
            rc = 1;
        port_clear_pending(port);
    }
    return rc;
}

void test_main(void)
{
    evtchn_port_t port;
    uint64_t t0, t1;
    long rc;

    traps_init();
    vcpu0_info()->evtchn_upcall_mask = 1;
    rc = evtchn_bind_ipi(0, &port);
    if (rc)
        test_error("EVTCHNOP_bind_ipi(vCPU 0) = %ld", rc);
    port_mask(port);
    port_clear_pending(port);

    rc = turns(port, BENCH_WARMUP);
    if (rc)
        test_error("a warm-up turn failed: %ld (1: the port was not pending)",
                   rc);
    t0 = bench_rdtsc();
    rc = turns(port, ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(rc, 0, "every timed send, poll and consume");
    bench_report("evtchn_loopback", t1 - t0, ITERATIONS);
}
