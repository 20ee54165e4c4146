/*
 * xen/arch/x86/time_calibrate.c: the TSC rate comes out right although the
 * vCPU thread is descheduled in the middle of measuring it, and a change
 * of rate never steps the clock.
 *
 * A simulated machine as QEMU TCG presents it: host time advances by a
 * small cost per instruction that reads the TSC or the counter; the TSC
 * (2.6 GHz, as on this host) and the counter both follow host time; and
 * at a chosen moment the thread is descheduled for milliseconds, just
 * before or just after the counter answers.
 */
#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

#include <asm/time.h>

#define SIM_TSC_HZ 2600000000ULL
#define PM_HZ 3579545ULL
#define PIT_HZ 1193182ULL
#define TSC_COST_NS 20
#define READ_COST_NS 700 /* a port read under TCG */
#define MS 1000000ULL

static struct {
    uint64_t ns;                     /* host time */
    uint64_t stall_at, stall_ns;     /* one descheduling, at the first counter read from stall_at on */
    unsigned stall_pair, pairs;      /* or at the stall_pair-th read between two TSC reads */
    bool stall_before;               /* before the counter answers, else after */
    bool after_tsc, after_tsc_read;
    unsigned pair_every;             /* and one of every_ns inside all pairs but every pair_every-th */
    unsigned every, reads;           /* and one of every_ns at every `every`-th read */
    uint64_t every_ns;
    uint64_t ref_hz;
    unsigned bits;
} sim;

static uint64_t sim_tsc(void)
{
    sim.ns += TSC_COST_NS;
    sim.after_tsc = true;
    return (uint64_t)((unsigned __int128)sim.ns * SIM_TSC_HZ / 1000000000ULL) + 123456789;
}

static void sim_maybe_stall(void)
{
    if (sim.stall_ns && (sim.stall_pair ? sim.pairs == sim.stall_pair : sim.ns >= sim.stall_at)) {
        sim.ns += sim.stall_ns;
        sim.stall_ns = 0;
    }
}

static uint32_t sim_read(void)
{
    uint64_t at;

    sim.ns += READ_COST_NS;
    sim.pairs += sim.after_tsc;
    sim.after_tsc_read = sim.after_tsc;
    sim.after_tsc = false;
    if (sim.stall_before)
        sim_maybe_stall();
    at = sim.ns;
    if (!sim.stall_before)
        sim_maybe_stall();
    if (sim.every && ++sim.reads % sim.every == 0)
        sim.ns += sim.every_ns;
    if (sim.pair_every && sim.after_tsc_read && sim.pairs % sim.pair_every)
        sim.ns += sim.every_ns;
    return (uint32_t)((uint64_t)((unsigned __int128)at * sim.ref_hz / 1000000000ULL) &
                      ((1ULL << sim.bits) - 1));
}

static struct refclock sim_clock = { "simulated", 0, 0, sim_read, sim_tsc };

/* A second CPU, whose TSC is the first's plus SIM_AP_OFFSET. */
#define SIM_AP_OFFSET (-987654321LL)

static uint64_t sim_ap_tsc(void)
{
    return sim_tsc() + (uint64_t)SIM_AP_OFFSET;
}

static const struct refclock *sim_start(uint64_t ref_hz, unsigned bits, uint64_t start_ns)
{
    memset(&sim, 0, sizeof(sim));
    sim.ns = start_ns;
    sim.ref_hz = sim_clock.hz = ref_hz;
    sim.bits = sim_clock.bits = bits;
    return &sim_clock;
}

static bool within(uint64_t a, uint64_t b, uint64_t tolerance)
{
    return (a > b ? a - b : b - a) <= tolerance;
}

static uint64_t ppm_off(uint64_t hz)
{
    uint64_t d = hz > SIM_TSC_HZ ? hz - SIM_TSC_HZ : SIM_TSC_HZ - hz;

    return d * 1000000 / SIM_TSC_HZ;
}

/*
 * What Xenolith did before: read the TSC, busy-wait until the counter has
 * advanced 50 ms worth, read the TSC again. A descheduling after the last
 * counter read lands in the measurement.
 */
static uint64_t old_single_window(const struct refclock *c)
{
    uint64_t ticks = c->hz / 20, mask = (1ULL << c->bits) - 1, t0 = c->tsc();
    uint32_t start = c->read();

    while (((c->read() - start) & mask) < ticks)
        ;
    return (c->tsc() - t0) * 20;
}

static void test_old_single_window_is_wrong(void)
{
    const struct refclock *c = sim_start(PM_HZ, 24, 0);

    CU_ASSERT(ppm_off(old_single_window(c)) < 100); /* undisturbed, it was right */
    c = sim_start(PM_HZ, 24, 0);
    sim.stall_at = 50 * MS; /* the last read of the wait */
    sim.stall_ns = 7 * MS;
    CU_ASSERT(ppm_off(old_single_window(c)) > 100000); /* 2600 MHz read as ~2960 */
}

static void test_sample_is_tight(void)
{
    const struct refclock *c = sim_start(PM_HZ, 24, 5 * MS);
    struct ref_sample s;

    sim.stall_at = 0;
    sim.stall_ns = 30 * MS;
    ref_sample(c, &s);
    CU_ASSERT(s.window < SIM_TSC_HZ / 1000000); /* under 1 us: the stalled try was dropped */
    CU_ASSERT_EQUAL(sim.stall_ns, 0);
}

/* A boot calibration descheduled for stall_ns at the given time, or inside the given TSC pair. */
static uint64_t calibrate_stalled(uint64_t ref_hz, unsigned bits, uint64_t stall_ns, bool before,
                                  uint64_t at, unsigned pair)
{
    const struct refclock *c = sim_start(ref_hz, bits, 1000 * MS);
    struct ref_sample end;

    sim.stall_at = 1000 * MS + at;
    sim.stall_pair = pair;
    sim.stall_ns = stall_ns;
    sim.stall_before = before;
    return ppm_off(ref_calibrate(c, &end));
}

/* Descheduled at every moment of a boot calibration in turn, and inside every TSC pair. */
static void sweep(uint64_t ref_hz, unsigned bits, uint64_t stall_ns, bool before,
                  uint64_t max_ppm)
{
    uint64_t worst = 0, off;

    for (uint64_t at = 0; at < 110 * MS; at += MS / 4) {
        off = calibrate_stalled(ref_hz, bits, stall_ns, before, at, 0);
        worst = off > worst ? off : worst;
    }
    for (unsigned pair = 1; pair <= 6 * 8; pair++) { /* 3 windows, 2 samples, 8 tries */
        off = calibrate_stalled(ref_hz, bits, stall_ns, before, 0, pair);
        worst = off > worst ? off : worst;
    }
    CU_ASSERT(worst <= max_ppm);
    if (worst > max_ppm)
        printf("\n  %u-bit counter, %llu ms stall: %llu ppm off\n", bits,
               (unsigned long long)(stall_ns / MS), (unsigned long long)worst);
}

static void test_calibrate_pm_timer_descheduled(void)
{
    sweep(PM_HZ, 24, 7 * MS, false, 20);
    sweep(PM_HZ, 24, 7 * MS, true, 20);
    sweep(PM_HZ, 24, 600 * MS, false, 20);
    sweep(PM_HZ, 24, 600 * MS, true, 20);
}

/* The PIT wraps every 55 ms: a long stall inside a window costs a wrap; the median outvotes it. */
static void test_calibrate_pit_descheduled(void)
{
    sweep(PIT_HZ, 16, 7 * MS, false, 100);
    sweep(PIT_HZ, 16, 600 * MS, true, 100);
}

static void test_calibrate_many_stalls(void)
{
    const struct refclock *c = sim_start(PM_HZ, 24, 0);
    struct ref_sample end;

    sim.every = 997; /* about every 0.7 ms */
    sim.every_ns = 3 * MS;
    CU_ASSERT(ppm_off(ref_calibrate(c, &end)) <= 20);
}

/* Seven tries in eight descheduled: only retrying gives a tight pair. */
static void test_calibrate_every_sample_stalled(void)
{
    const struct refclock *c = sim_start(PM_HZ, 24, 0);
    struct ref_sample end;

    sim.pair_every = 8;
    sim.every_ns = 2 * MS;
    CU_ASSERT(ppm_off(ref_calibrate(c, &end)) <= 20);
}

static void test_elapsed_counts_wraps(void)
{
    const struct refclock *c = sim_start(PM_HZ, 24, 0);
    struct ref_sample a, b;
    uint64_t gap = 17 * 1000 * MS + 123456; /* 3.6 wraps of 4.7 s */

    ref_sample(c, &a);
    sim.ns += gap;
    ref_sample(c, &b);
    /* The TSC rate 1000 ppm off still names the right number of wraps. */
    CU_ASSERT(within(ref_elapsed(c, &a, &b, SIM_TSC_HZ + SIM_TSC_HZ / 1000),
                     (b.tsc - a.tsc) * PM_HZ / SIM_TSC_HZ, 4));
    CU_ASSERT(ref_elapsed(c, &a, &b, SIM_TSC_HZ) == ref_elapsed(c, &a, &b, SIM_TSC_HZ - 1000000));
    /* Without an estimate: at most one wrap. */
    CU_ASSERT(ref_elapsed(c, &a, &b, 0) < 1U << 24);
}

/*
 * Bring-up: the boot CPU samples, the AP answers 40 ms later (its thread
 * was waiting), each sample tight: the offset comes out within a
 * microsecond, where pairing the two TSCs directly would be 20 ms off.
 */
static void test_ap_offset_from_the_counter(void)
{
    const struct refclock *c = sim_start(PM_HZ, 24, 3 * MS);
    struct refclock ap_clock = *c;
    struct ref_sample ours, ap;
    int64_t offset = 0;

    ap_clock.tsc = sim_ap_tsc;
    ref_sample(c, &ours);
    sim.ns += 40 * MS;
    ref_sample(&ap_clock, &ap);
    sim.ns += 3 * MS;
    CU_ASSERT(ref_tsc_offset(c, &ours, sim_tsc(), &ap, SIM_TSC_HZ, &offset));
    CU_ASSERT(within((uint64_t)offset, (uint64_t)SIM_AP_OFFSET, SIM_TSC_HZ / 1000000));
    /* The PIT wraps every 55 ms: an answer 40 ms late cannot be placed. */
    c = sim_start(PIT_HZ, 16, 3 * MS);
    ap_clock = *c;
    ap_clock.tsc = sim_ap_tsc;
    ref_sample(c, &ours);
    sim.ns += 40 * MS;
    ref_sample(&ap_clock, &ap);
    CU_ASSERT_FALSE(ref_tsc_offset(c, &ours, sim_tsc(), &ap, SIM_TSC_HZ, &offset));
}

/* Thirty days of baseline: the products need 128 bits. */
static void test_rate_over_a_month(void)
{
    uint64_t secs = 30 * 86400ULL;

    CU_ASSERT_EQUAL(tsc_hz_from(SIM_TSC_HZ * secs, PM_HZ * secs, PM_HZ), SIM_TSC_HZ);
    CU_ASSERT_EQUAL(tsc_hz_from(SIM_TSC_HZ * secs + 1000 * secs, PM_HZ * secs, PM_HZ),
                    SIM_TSC_HZ + 1000);
    CU_ASSERT_EQUAL(tsc_hz_from(1, 0, PM_HZ), UINT64_MAX);
}

static void test_record_scale(void)
{
    struct time_record r;

    time_record_init(&r, 1000, 0, SIM_TSC_HZ);
    CU_ASSERT_EQUAL(r.shift, -1);
    CU_ASSERT(r.mul >= 1U << 31);
    CU_ASSERT(within(time_record_at(&r, 1000 + SIM_TSC_HZ), 1000000000, 1));
    CU_ASSERT(within(time_record_at(&r, 1000 - SIM_TSC_HZ / 1000), -1000000ULL, 1)); /* before r's start */
    time_record_init(&r, 0, 0, 500000000); /* a slow TSC shifts left, to (1, 2] GHz */
    CU_ASSERT_EQUAL(r.shift, 2);
    CU_ASSERT(within(time_record_at(&r, 500000000), 1000000000, 1));
    time_record_init(&r, 0, 5 * MS, SIM_TSC_HZ);
    CU_ASSERT(within(time_record_at(&r, time_record_tsc_at(&r, 777 * MS)), 777 * MS, 1));
}

/* A new rate: the same value where it takes over, and never backwards around it. */
static void test_rate_change_is_continuous(void)
{
    struct time_record cur, next;
    uint64_t at;

    time_record_init(&cur, 5000, 40 * MS, SIM_TSC_HZ + SIM_TSC_HZ / 8); /* the 13 % of the bug */
    at = time_record_tsc_at(&cur, 1000 * MS);
    time_record_next(&cur, at, SIM_TSC_HZ, &next);
    CU_ASSERT_EQUAL(time_record_at(&next, at), time_record_at(&cur, at));
    for (uint64_t t = at - 100; t < at + 100; t++) {
        uint64_t a = t < at ? time_record_at(&cur, t) : time_record_at(&next, t);
        uint64_t b = t + 1 < at ? time_record_at(&cur, t + 1) : time_record_at(&next, t + 1);

        CU_ASSERT(b >= a);
    }
    /* From there on the clock runs at the new rate. */
    CU_ASSERT(within(time_record_at(&next, at + SIM_TSC_HZ) - time_record_at(&next, at),
                     1000000000, 1));
}

/*
 * A guest extrapolating its pvclock (filled from a record at TSC ts) agrees
 * with Xenolith, and a later fill never lands before the extrapolation.
 */
static void test_pvclock_extrapolation_agrees(void)
{
    struct time_record r;

    time_record_init(&r, 77, 3 * MS, SIM_TSC_HZ - 12345);
    for (uint64_t ts = 1000; ts < 4 * SIM_TSC_HZ; ts += SIM_TSC_HZ / 3 + 7) {
        uint64_t stime = time_record_at(&r, ts), later = ts + SIM_TSC_HZ / 7 + 3;
        uint64_t guest = stime + (uint64_t)time_record_ns(&r, (int64_t)(later - ts));

        CU_ASSERT(guest <= time_record_at(&r, later));
        CU_ASSERT(time_record_at(&r, later) - guest <= 2);
    }
}

/*
 * The once-a-second correction (time.c, tsc_hz_since_boot) over a
 * simulated minute: a boot rate 300 ppm off, samples taken late and with
 * stalls, the counter wrapping between them; the rate converges.
 */
static void test_correction_converges(void)
{
    const struct refclock *c = sim_start(PM_HZ, 24, 0);
    struct ref_sample first, last, s;
    uint64_t hz = SIM_TSC_HZ + SIM_TSC_HZ / 3333, ticks = 0;

    ref_sample(c, &first);
    last = first;
    for (unsigned i = 1; i <= 60; i++) {
        sim.ns += (i % 10 ? 1000 : 7000) * MS; /* now and then a tick comes 7 s late */
        sim.stall_at = sim.ns + (i % 7) * 700;
        sim.stall_ns = (i % 3) * MS;
        ref_sample(c, &s);
        ticks += ref_elapsed(c, &last, &s, hz);
        last = s;
        hz = tsc_hz_from(s.tsc - first.tsc, ticks, PM_HZ);
        if (i == 2)
            CU_ASSERT(ppm_off(hz) <= 1);
    }
    CU_ASSERT(ppm_off(hz) < 1);
}

void register_time_calibrate_tests(void)
{
    CU_pSuite s = CU_add_suite("time_calibrate", NULL, NULL);

    CU_add_test(s, "the old single window is wrong when descheduled", test_old_single_window_is_wrong);
    CU_add_test(s, "a sample is a tight TSC pair", test_sample_is_tight);
    CU_add_test(s, "PM timer calibration, descheduled anywhere", test_calibrate_pm_timer_descheduled);
    CU_add_test(s, "PIT calibration, descheduled anywhere", test_calibrate_pit_descheduled);
    CU_add_test(s, "calibration among many stalls", test_calibrate_many_stalls);
    CU_add_test(s, "calibration with seven tries in eight descheduled",
                test_calibrate_every_sample_stalled);
    CU_add_test(s, "counter wraps counted from the TSC", test_elapsed_counts_wraps);
    CU_add_test(s, "an AP's TSC offset from the counter", test_ap_offset_from_the_counter);
    CU_add_test(s, "a month of baseline", test_rate_over_a_month);
    CU_add_test(s, "scale of a record", test_record_scale);
    CU_add_test(s, "a rate change is continuous", test_rate_change_is_continuous);
    CU_add_test(s, "the guest's extrapolation agrees", test_pvclock_extrapolation_agrees);
    CU_add_test(s, "corrections converge", test_correction_converges);
}
