/*
 * An event-channel round trip between two vCPUs of the domain, the path of
 * Linux's PV spinlock kick and of any IPI: vCPU 0 sends on an IPI port
 * bound to vCPU 1 (EVTCHNOP_bind_ipi, EVTCHNOP_send); vCPU 1, blocked in
 * SCHEDOP_poll on it, wakes, consumes it and sends back on a port bound to
 * vCPU 0, which is polling in turn. Counted per round trip; the count is
 * the instructions of both CPUs (the TSC of -icount is the machine's), so
 * it includes both wake-ups, both schedules and the cross-CPU interrupts.
 *
 * vCPU 1 is brought up with VCPUOP_initialise and VCPUOP_up (vcpu.h,
 * smp.h); the harness boots Dom0 with dom0_max_vcpus=2.
 */
#include "evtchn.h"
#include "smp.h"

const char test_title[] = "bench: event channel round trip, vCPU 0 <-> vCPU 1";

#define ITERATIONS 10000UL

static evtchn_port_t port_to_vcpu0, port_to_vcpu1;
static volatile unsigned long vcpu1_turns;
static uint8_t vcpu1_stack[16384] __attribute__((aligned(16)));
static struct smp_cpu vcpu1 = {
    .id = 1, .stack = vcpu1_stack, .stack_size = sizeof(vcpu1_stack),
};

/* vCPU 1: answer every event, forever; on an error, stop answering (the
 * timed loop then fails its count). */
static void vcpu1_main(void)
{
    for (;;) {
        if (evtchn_wait(port_to_vcpu1) || evtchn_send(port_to_vcpu0))
            for (;;)
                hypercall_sched_op(SCHEDOP_block, 0);
        vcpu1_turns++;
    }
}

static long start_vcpu1(void)
{
    static struct vcpu_guest_context ctxt;      /* 5 KiB: not on the stack */
    long rc;

    smp_build_context(&ctxt, &vcpu1, vcpu1_main);
    /* SCHEDOP_poll wants events masked on the polling vCPU. */
    smp_vcpu_info(1)->evtchn_upcall_mask = 1;
    rc = hypercall_vcpu_op(VCPUOP_initialise, 1, (unsigned long)&ctxt);
    if (rc)
        return rc;
    return hypercall_vcpu_op(VCPUOP_up, 1, 0);
}

static long turns(unsigned long n)
{
    long rc = 0;

    for (unsigned long i = 0; i < n && !rc; i++) {
        rc = evtchn_send(port_to_vcpu1);
        if (!rc)
            rc = evtchn_wait(port_to_vcpu0);
    }
    return rc;
}

void test_main(void)
{
    uint64_t t0, t1;
    long rc;

    traps_init();
    vcpu0_info()->evtchn_upcall_mask = 1;
    rc = evtchn_bind_ipi(0, &port_to_vcpu0);
    if (!rc)
        rc = evtchn_bind_ipi(1, &port_to_vcpu1);
    if (rc)
        test_error("EVTCHNOP_bind_ipi = %ld", rc);
    port_mask(port_to_vcpu0);
    port_mask(port_to_vcpu1);
    port_clear_pending(port_to_vcpu0);
    port_clear_pending(port_to_vcpu1);

    rc = start_vcpu1();
    if (rc == -XEN_ENOENT)
        test_error("no vCPU 1: the harness must boot with dom0_max_vcpus=2");
    if (rc)
        bench_unsupported("evtchn_ipi_roundtrip",
                          "bringing up vCPU 1 (VCPUOP_initialise, _up) = %ld",
                          rc);

    rc = turns(BENCH_WARMUP);
    if (rc)
        test_error("a warm-up round trip failed: %ld", rc);
    t0 = bench_rdtsc();
    rc = turns(ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(rc, 0, "every timed send and poll");
    check_rc(vcpu1_turns, BENCH_WARMUP + ITERATIONS,
             "events vCPU 1 answered");
    bench_report("evtchn_ipi_roundtrip", t1 - t0, ITERATIONS);
}
