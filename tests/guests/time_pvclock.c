/*
 * Time as a PV guest reads it (xen.h: struct vcpu_time_info in vcpu_info,
 * wc_version/wc_sec/wc_nsec/wc_sec_hi in shared_info; linux-pv-abi.md 2.8):
 *
 *  - the pvclock record is published with an even version, a non-zero
 *    tsc_to_system_mul and a shift a 64-bit TSC delta can take;
 *  - system time (ns since the hypervisor booted) is positive and advances
 *    as the TSC does: a later record (Xen writes one after its once-a-second
 *    time calibration) agrees with the earlier record extrapolated to its
 *    TSC stamp;
 *  - the wall clock: wc_version even, wc_nsec < 1e9, and
 *    wc + system time is a date after 2020 and before 2100.
 *
 * No durations are asserted (timing belongs in bench/): only orders and
 * consistency between two descriptions of the same instant.
 */
#include "events.h"
#include "pvclock.h"

const char test_title[] = "time_pvclock: vcpu_info pvclock and shared_info wall clock";

#define Y2020 1577836800ULL     /* 2020-01-01T00:00:00Z */
#define Y2100 4102444800ULL     /* 2100-01-01T00:00:00Z */

static void record(void)
{
    struct vcpu_time_info t;
    unsigned int retries = pvclock_snapshot(&t);

    printf("pvclock: version %u tsc %#lx system_time %lu mul %#x shift %d "
           "flags %#x (%u retries)\n", t.version,
           (unsigned long)t.tsc_timestamp, (unsigned long)t.system_time,
           t.tsc_to_system_mul, t.tsc_shift, t.flags, retries);
    check(!(t.version & 1), "version %u is even", t.version);
    check(t.version != 0, "version %u: the record was written", t.version);
    check(t.tsc_to_system_mul != 0, "tsc_to_system_mul %#x is not zero",
          t.tsc_to_system_mul);
    check(t.tsc_shift > -32 && t.tsc_shift < 32, "tsc_shift %d in (-32, 32)",
          t.tsc_shift);
    check(t.system_time > 0, "system_time %lu ns is positive",
          (unsigned long)t.system_time);
    check(t.tsc_timestamp != 0 && t.tsc_timestamp <= rdtsc_ordered(),
          "tsc_timestamp %#lx is a past TSC value",
          (unsigned long)t.tsc_timestamp);
}

static evtchn_port_t timer_port;

/* Block until VIRQ_TIMER from a single-shot timer `ns` from now. */
static void sleep_on_timer(uint64_t ns)
{
    struct vcpu_set_singleshot_timer t = {
        .timeout_abs_ns = system_time_ns() + ns,
    };
    long rc;

    port_upcalls[timer_port] = 0;
    rc = hypercall_vcpu_op(VCPUOP_set_singleshot_timer, 0, (unsigned long)&t);
    if (rc)
        test_error("VCPUOP_set_singleshot_timer = %ld", rc);
    while (!port_upcalls[timer_port])
        hypercall_sched_op(SCHEDOP_block, 0);
    events_disable();
}

static void advances(void)
{
    struct vcpu_time_info before, after;
    uint64_t t0, t1, tsc0, predicted, err, elapsed;

    printf("System time advances with the TSC\n");
    pvclock_snapshot(&before);
    t0 = system_time_ns();
    tsc0 = rdtsc_ordered();
    while (rdtsc_ordered() - tsc0 < 20000000)   /* some ms at any speed */
        ;
    t1 = system_time_ns();
    check(t1 > t0, "system time went from %lu to %lu ns", (unsigned long)t0,
          (unsigned long)t1);

    /*
     * The hypervisor writes a new record when its own time base moves on
     * (Xen: once a second per CPU, at time calibration; the vCPU sees it
     * when it is scheduled again). Sleep on a timer until one appears,
     * and compare it with the old record extrapolated to the new record's
     * TSC stamp.
     */
    for (unsigned int i = 0; i < 12; i++) {
        sleep_on_timer(250 * NSEC_PER_MSEC);
        pvclock_snapshot(&after);
        if (after.version != before.version)
            break;
    }
    if (!check(after.version != before.version,
               "a new record within 3 s of sleeping (version %u -> %u)",
               before.version, after.version))
        return;
    predicted = pvclock_at(&before, after.tsc_timestamp);
    err = predicted > after.system_time ? predicted - after.system_time
                                        : after.system_time - predicted;
    elapsed = after.system_time - before.system_time;
    printf("  new record version %u: system_time %lu, old record "
           "extrapolated %lu (%lu ns apart over %lu ns)\n", after.version,
           (unsigned long)after.system_time, (unsigned long)predicted,
           (unsigned long)err, (unsigned long)elapsed);
    check(after.system_time > before.system_time,
          "the new record is later (%lu > %lu)",
          (unsigned long)after.system_time,
          (unsigned long)before.system_time);
    /* Two scales of one clock: agree to 1% of the interval, or 100 us. */
    check(err <= elapsed / 100 || err <= 100 * NSEC_PER_USEC,
          "the two records agree within 1%% (or 100 us): %lu ns apart",
          (unsigned long)err);
}

static void wallclock(void)
{
    volatile struct shared_info *s = shared_info;
    uint32_t version, sec, nsec, sec_hi;
    uint64_t now_sec;

    printf("Wall clock\n");
    do {
        version = s->wc_version;
        asm volatile("" ::: "memory");
        sec = s->wc_sec;
        nsec = s->wc_nsec;
        sec_hi = s->xen_wc_sec_hi;
        asm volatile("" ::: "memory");
    } while ((version & 1) || version != s->wc_version);
    printf("  wc_version %u wc_sec %u wc_nsec %u wc_sec_hi %u\n", version,
           sec, nsec, sec_hi);
    check(nsec < NSEC_PER_SEC, "wc_nsec %u < 1e9", nsec);
    now_sec = (((uint64_t)sec_hi << 32) | sec) +
              (nsec + system_time_ns()) / NSEC_PER_SEC;
    check(now_sec > Y2020 && now_sec < Y2100,
          "now is %lu s after 1970: between 2020 and 2100",
          (unsigned long)now_sec);
}

void test_main(void)
{
    events_init();
    /* Xen starts every PV vCPU with a 10 ms periodic timer; not needed. */
    hypercall_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    if (evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port))
        test_error("bind_virq(VIRQ_TIMER) failed");
    record();
    advances();
    wallclock();
}
