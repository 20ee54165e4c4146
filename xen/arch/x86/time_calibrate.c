/*
 * The arithmetic of TSC calibration (asm/time.h), with no hardware access:
 * the reference counter and the TSC are read through struct refclock, so
 * tests/unit/test_time_calibrate.c runs this file against a simulated
 * machine whose vCPU thread is descheduled at chosen moments.
 *
 * Under QEMU TCG the TSC and the emulated counters both follow host time,
 * but the vCPU thread can be descheduled between any two instructions for
 * milliseconds (seen: 600 ms). A measurement is therefore only ever taken
 * from a read of the counter enclosed by two close TSC reads; time spent
 * descheduled elsewhere costs nothing.
 */
#include <asm/time.h>

#define SAMPLE_TRIES 8         /* one descheduling spoils at most one try */
#define CAL_WINDOWS 3
#define CAL_WINDOW_MS 33       /* three make the ~100 ms baseline */
#define CAL_AGREE 1000         /* windows agree within 1/CAL_AGREE (1000 ppm) */
#define NSEC_PER_SEC 1000000000ULL

/* a * b / c through a 128-bit product; UINT64_MAX when c is 0 or the quotient does not fit. */
static uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p, q, r;

    if (hi >= c)
        return UINT64_MAX;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c));
    return q;
}

void ref_sample(const struct refclock *c, struct ref_sample *s)
{
    s->window = UINT64_MAX;
    for (unsigned i = 0; i < SAMPLE_TRIES; i++) {
        uint64_t t0 = c->tsc();
        uint32_t raw = c->read();
        uint64_t t1 = c->tsc();

        if (t1 - t0 < s->window) {
            s->window = t1 - t0;
            s->tsc = t0 + s->window / 2;
            s->raw = raw;
        }
    }
}

uint64_t ref_elapsed(const struct refclock *c, const struct ref_sample *a,
                     const struct ref_sample *b, uint64_t tsc_hz)
{
    uint64_t wrap = 1ULL << c->bits, ticks = (b->raw - a->raw) & (wrap - 1), expect;

    if (!tsc_hz)
        return ticks;
    /* Whole wraps, to the count nearest what the TSC predicts (right while it is off by < wrap/2). */
    expect = muldiv64(b->tsc - a->tsc, c->hz, tsc_hz);
    if (expect > ticks)
        ticks += (expect - ticks + wrap / 2) / wrap * wrap;
    return ticks;
}

uint64_t tsc_hz_from(uint64_t tsc_ticks, uint64_t ref_ticks, uint64_t ref_hz)
{
    return muldiv64(tsc_ticks, ref_hz, ref_ticks);
}

/*
 * The counter is one clock for all CPUs: two CPUs that each read it
 * between two close reads of their own TSC learn the offset between their
 * TSCs, however long apart the two readings are, as long as the counter
 * cannot have wrapped in between (the caller's TSC bounds that).
 */
bool ref_tsc_offset(const struct refclock *c, const struct ref_sample *self, uint64_t until,
                    const struct ref_sample *other, uint64_t tsc_hz, int64_t *offset)
{
    uint64_t wrap = 1ULL << c->bits, ticks = (other->raw - self->raw) & (wrap - 1);

    if (muldiv64(until - self->tsc, c->hz, tsc_hz) >= wrap / 2)
        return false;
    *offset = (int64_t)(other->tsc - self->tsc - muldiv64(ticks, tsc_hz, c->hz));
    return true;
}

/* One window of about `ticks` counter ticks; its TSC rate. */
static uint64_t cal_window(const struct refclock *c, uint64_t ticks, struct ref_sample *start,
                           struct ref_sample *end)
{
    uint32_t mask = (uint32_t)((1ULL << c->bits) - 1);

    ref_sample(c, start);
    while (((c->read() - start->raw) & mask) < ticks)
        ;
    ref_sample(c, end);
    return tsc_hz_from(end->tsc - start->tsc, ref_elapsed(c, start, end, 0), c->hz);
}

/*
 * A window is at most a quarter of the counter's wrap (the PIT's is 55 ms),
 * so it is exact unless a descheduling inside it passes a whole wrap: the
 * median outvotes such a window. When all three agree, the baseline from
 * the first sample to the last is the more precise answer.
 */
uint64_t ref_calibrate(const struct refclock *c, struct ref_sample *end)
{
    uint64_t hz[CAL_WINDOWS], ticks = MIN(c->hz * CAL_WINDOW_MS / 1000, (1ULL << c->bits) / 4);
    struct ref_sample first, start;

    for (unsigned i = 0; i < CAL_WINDOWS; i++) {
        hz[i] = cal_window(c, ticks, &start, end);
        if (!i)
            first = start;
    }
    for (unsigned i = 0; i < CAL_WINDOWS; i++) /* sort */
        for (unsigned j = i + 1; j < CAL_WINDOWS; j++)
            if (hz[j] < hz[i]) {
                uint64_t t = hz[i];

                hz[i] = hz[j];
                hz[j] = t;
            }
    if (hz[CAL_WINDOWS - 1] - hz[0] > hz[CAL_WINDOWS / 2] / CAL_AGREE)
        return hz[CAL_WINDOWS / 2];
    return tsc_hz_from(end->tsc - first.tsc, ref_elapsed(c, &first, end, hz[CAL_WINDOWS / 2]),
                       c->hz);
}

/* mul and shift as pvclock needs them: ((ticks << shift) * mul) >> 32 ns, mul >= 2^31. */
void time_record_init(struct time_record *r, uint64_t tsc, uint64_t stime, uint64_t hz)
{
    uint64_t f = hz;
    int shift = 0;

    while (f > 2 * NSEC_PER_SEC) {
        f >>= 1;
        shift--;
    }
    while (f && f <= NSEC_PER_SEC) {
        f <<= 1;
        shift++;
    }
    r->tsc = tsc;
    r->stime = stime;
    r->hz = hz;
    r->shift = (int8_t)shift;
    r->mul = f ? (uint32_t)((NSEC_PER_SEC << 32) / f) : 0;
}

/* The guest's own formula (pvclock), so a guest and Xenolith agree to the ns. */
int64_t time_record_ns(const struct time_record *r, int64_t ticks)
{
    uint64_t d = ticks < 0 ? -(uint64_t)ticks : (uint64_t)ticks;

    d = r->shift < 0 ? d >> -r->shift : d << r->shift;
    d = (uint64_t)(((unsigned __int128)d * r->mul) >> 32);
    return ticks < 0 ? -(int64_t)d : (int64_t)d;
}

uint64_t time_record_at(const struct time_record *r, uint64_t tsc)
{
    return r->stime + (uint64_t)time_record_ns(r, (int64_t)(tsc - r->tsc));
}

uint64_t time_record_tsc_at(const struct time_record *r, uint64_t stime)
{
    if (stime <= r->stime)
        return r->tsc;
    return r->tsc + muldiv64(stime - r->stime, r->hz, NSEC_PER_SEC);
}

/* Continuous by construction: next starts at the very value r gives at tsc. */
void time_record_next(const struct time_record *r, uint64_t tsc, uint64_t hz,
                      struct time_record *next)
{
    time_record_init(next, tsc, time_record_at(r, tsc), hz);
}
