/*
 * Time: system time is one function of the TSC, the same on every CPU.
 * Guests read it through the pvclock record in their vcpu_info
 * (public/xen.h: struct vcpu_time_info): ns = system_time +
 * ((tsc - tsc_timestamp) << shift) * mul >> 32, a right shift when
 * tsc_shift is negative.
 *
 * The TSC rate is measured at boot against a reference counter (refclock.c,
 * time_calibrate.c) and then, as Xen does against its platform timer,
 * re-measured once a second over the whole time since boot, so that a
 * vCPU thread descheduled by QEMU's host cannot leave the clock off for
 * long (one boot measured 2944 MHz for a 2600 MHz TSC once and for all).
 *
 * A new rate never steps the clock. The boot CPU publishes a record that
 * takes over at a TSC no CPU has reached yet, and starts there at the
 * very value the old record gives (time_record_next); every reader picks
 * the record by its TSC, so all CPUs switch at the same system time. Each
 * CPU's own tick then refreshes the pvclock of the vCPU it runs, so guests
 * follow within a tick's latency.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/time.h>
#include <xen/xen.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>
#include <xenolith/spinlock.h>
#include <xenolith/timer.h>

#define SECOND_NS 1000000000ULL    /* a new rate starts at a whole second of system time */
#define TICK_DELAY_NS 20000ULL      /* and every CPU's tick comes this long after it */
#define SAMPLE_MAX_US 100           /* a wider correction sample: this vCPU was descheduled */
#define LOG_PPM 100                 /* a correction moving the rate more than this is logged */

uint64_t tsc_khz;

/*
 * Each CPU's TSC minus the boot CPU's at the same instant: an application
 * processor's TSC need not agree with the boot CPU's (QEMU may reset it on
 * INIT), so at bring-up each CPU reads the reference counter with its TSC
 * (time_sync_ap / time_sync_bsp). System time is read against the boot
 * CPU's TSC, "the TSC" below.
 */
static int64_t tsc_offset[NR_CPUS];
/* The bring-up handshake: the boot CPU asks, the AP samples the counter, until done. */
enum { SYNC_IDLE, SYNC_ASK, SYNC_SAMPLED, SYNC_DONE };
#define SYNC_MAX_NS 500000000   /* how long to ask again for an answer within half a wrap */
static struct ref_sample sync_sample;
static int sync_state;

/*
 * System time: cur, and next from next.tsc on (UINT64_MAX: none). Only
 * the boot CPU writes them, with seq odd meanwhile; a reader whose copy
 * straddled a write (seq moved) reads again.
 */
static struct {
    uint32_t seq;
    struct time_record cur, next;
} clk;

/* The reference counter, and the baseline since boot: first and latest samples, ticks between. */
static const struct refclock *ref;
static struct ref_sample ref_first, ref_last;
static uint64_t ref_ticks, hz_logged;
static struct timer tick[NR_CPUS];
static bool tick_started[NR_CPUS];

/*
 * System time at this CPU's TSC now: *tsc is that TSC, *rec the record it
 * came from. The TSC is read inside the section, so the records seen are
 * the ones in force at that TSC (clock_switch only adds ahead of it).
 */
static uint64_t clock_read(uint64_t *tsc, struct time_record *rec)
{
    int64_t offset = tsc_offset[smp_processor_id()];
    uint64_t t;
    uint32_t seq;

    do {
        while ((seq = __atomic_load_n(&clk.seq, __ATOMIC_ACQUIRE)) & 1)
            __asm__ volatile("pause");
        t = rdtsc_ordered() - (uint64_t)offset;
        *rec = t >= clk.next.tsc ? clk.next : clk.cur;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while (__atomic_load_n(&clk.seq, __ATOMIC_RELAXED) != seq);
    *tsc = t + (uint64_t)offset;
    return time_record_at(rec, t);
}

uint64_t now_ns(void)
{
    struct time_record r;
    uint64_t tsc;

    return clock_read(&tsc, &r);
}

/*
 * On the boot CPU: run at hz from system time `at` on. Readers see the
 * change only at that TSC, so it must still be ahead: the TSC is read
 * inside the write, and an `at` already passed is dropped.
 */
static void clock_switch(uint64_t at, uint64_t hz)
{
    uint64_t now, tsc;

    __atomic_store_n(&clk.seq, clk.seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    now = rdtsc_ordered();
    if (now >= clk.next.tsc) {
        clk.cur = clk.next;
        clk.next.tsc = UINT64_MAX;
    }
    tsc = time_record_tsc_at(&clk.cur, at);
    if (tsc > now)
        time_record_next(&clk.cur, tsc, hz, &clk.next);
    __atomic_store_n(&clk.seq, clk.seq + 1, __ATOMIC_RELEASE);
}

#define MHZ(hz) (unsigned long)((hz) / 1000000), (unsigned long)((hz) / 1000 % 1000)

void tsc_calibrate(void)
{
    uint64_t hz;

    ref = refclock_probe();
    hz = ref_calibrate(ref, &ref_first);
    if (hz < 1000000 || hz == UINT64_MAX)
        panic("TSC does not advance against the %s", ref->name);
    ref_last = ref_first;
    time_record_init(&clk.cur, rdtsc_ordered(), 0, hz);
    clk.next = clk.cur;
    clk.next.tsc = UINT64_MAX;
    tsc_khz = hz / 1000;
    hz_logged = hz;
    /* bench/devices.sh reads "TSC: N MHz" */
    printk("TSC: %lu.%03lu MHz, calibrated against the %s%s\n", MHZ(hz), ref->name,
           boot_cpu.invariant_tsc ? " (invariant TSC)" : "");
}

/*
 * The TSC rate over the whole time since boot, or 0 when this CPU's sample
 * is not tight. The PM timer wraps every 4.7 s and this runs when the tick
 * does, perhaps much later: ref_elapsed counts the wraps from the TSC.
 */
static uint64_t tsc_hz_since_boot(void)
{
    struct ref_sample s;

    ref_sample(ref, &s);
    if (s.window > clk.cur.hz / 1000000 * SAMPLE_MAX_US)
        return 0;
    ref_ticks += ref_elapsed(ref, &ref_last, &s, clk.cur.hz);
    ref_last = s;
    return tsc_hz_from(s.tsc - ref_first.tsc, ref_ticks, ref->hz);
}

/* On the boot CPU: re-measure, and run at the new rate from system time `at`. */
static void time_correct(uint64_t at)
{
    uint64_t hz = tsc_hz_since_boot(), moved;

    if (!hz || hz == UINT64_MAX)
        return;
    clock_switch(at, hz);
    tsc_khz = hz / 1000;
    moved = hz > hz_logged ? hz - hz_logged : hz_logged - hz;
    if (moved * (1000000 / LOG_PPM) > hz_logged) {
        hz_logged = hz;
        printk("TSC: corrected to %lu.%03lu MHz, the rate over the %lu.%03lu s since boot\n",
               MHZ(hz), (unsigned long)(ref_ticks / ref->hz),
               (unsigned long)(ref_ticks % ref->hz * 1000 / ref->hz));
    }
}

/*
 * Every CPU, just after each whole second: refresh the running vCPU's
 * pvclock, as a new rate may have started at that second; meanwhile the
 * guest extrapolated the old one, so the delay is kept short (at a rate
 * 100 ppm off, 20 us of it make 2 ns). The boot CPU then measures the
 * rate that starts at the next second.
 */
static void tick_fn(void *data)
{
    unsigned cpu = smp_processor_id();
    uint64_t second = (now_ns() / SECOND_NS + 1) * SECOND_NS;

    if (current)
        pvclock_fill(&current->vcpu_info->time);
    if (cpu == 0)
        time_correct(second);
    set_timer(&tick[cpu], second + TICK_DELAY_NS);
}

/*
 * Every CPU that runs a vCPU needs its tick: the boot CPU's starts at boot,
 * an AP's at its first pvclock_fill (every vCPU gets to a CPU through
 * context_load, which fills its pvclock).
 */
void time_tick_start(void)
{
    unsigned cpu = smp_processor_id();

    if (tick_started[cpu])
        return;
    tick_started[cpu] = true;
    init_timer(&tick[cpu], tick_fn, NULL);
    set_timer(&tick[cpu], (now_ns() / SECOND_NS + 1) * SECOND_NS + TICK_DELAY_NS);
}

/* On the AP being started: sample the reference counter each time the boot CPU asks, until done. */
void time_sync_ap(unsigned cpu)
{
    int state;

    (void)cpu; /* the boot CPU writes our offset */
    for (;;) {
        while ((state = __atomic_load_n(&sync_state, __ATOMIC_ACQUIRE)) != SYNC_ASK &&
               state != SYNC_DONE)
            __asm__ volatile("pause");
        if (state == SYNC_DONE)
            break;
        ref_sample(ref, &sync_sample);
        __atomic_store_n(&sync_state, SYNC_SAMPLED, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&sync_state, SYNC_IDLE, __ATOMIC_RELEASE);
}

/*
 * On the boot CPU, for the AP cpu: we and the AP each read the reference
 * counter between two close reads of our own TSC, which pins each TSC to
 * the counter within a microsecond however long the two vCPU threads take
 * to answer each other (under TCG on a loaded host they rarely run at
 * once: a ping-pong pairing of the TSCs took up to 10 ms there, and left
 * an AP's clock ms off). Ask again while the answer comes too late to
 * count the counter's wraps (the PIT's half wrap is 27 ms). Returns the
 * uncertainty of the offset, in ns.
 */
uint64_t time_sync_bsp(unsigned cpu)
{
    uint64_t start = now_ns();
    struct ref_sample ours, ap;
    int64_t offset = 0;
    bool ok;

    do {
        ref_sample(ref, &ours);
        __atomic_store_n(&sync_state, SYNC_ASK, __ATOMIC_RELEASE);
        while (__atomic_load_n(&sync_state, __ATOMIC_ACQUIRE) != SYNC_SAMPLED)
            __asm__ volatile("pause");
        ap = sync_sample;
        ok = ref_tsc_offset(ref, &ours, rdtsc_ordered(), &ap, clk.cur.hz, &offset);
    } while (!ok && now_ns() - start < SYNC_MAX_NS);
    if (!ok)
        printk("CPU%u: no timely answer to pair its TSC with ours: its clock may be off\n", cpu);
    tsc_offset[cpu] = offset;
    __atomic_store_n(&sync_state, SYNC_DONE, __ATOMIC_RELEASE);
    while (__atomic_load_n(&sync_state, __ATOMIC_ACQUIRE) != SYNC_IDLE)
        __asm__ volatile("pause");
    return (uint64_t)time_record_ns(&clk.cur, (int64_t)(ours.window + ap.window) / 2) +
           1000000000ULL / ref->hz; /* and a counter tick */
}

/* Unix time at system time 0; XENPF_settime64 moves it (wallclock_lock). */
static uint64_t boot_wallclock_sec;
static uint32_t boot_wallclock_nsec;
static spinlock_t wallclock_lock = SPINLOCK_INIT;

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
    return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (the civil-from-days inverse, Gregorian). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    y -= m <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return (uint64_t)era * 146097 + doe - 719468;
}

void wallclock_init(void)
{
    unsigned sec, min, hour, day, mon, year;
    bool binary;

    while (cmos(0x0a) & 0x80) /* update in progress */
        ;
    binary = cmos(0x0b) & 0x04;
    sec = bcd(cmos(0x00), binary);
    min = bcd(cmos(0x02), binary);
    hour = bcd(cmos(0x04) & 0x7f, binary);
    day = bcd(cmos(0x07), binary);
    mon = bcd(cmos(0x08), binary);
    year = bcd(cmos(0x09), binary) + 2000;
    boot_wallclock_sec = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec -
                         now_ns() / 1000000000ULL;
    printk("RTC: %04u-%02u-%02u %02u:%02u:%02u UTC\n", year, mon, day, hour, min, sec);
}

/* shared_info's wall clock (public/xen.h: wc_version odd while updating). */
void wallclock_fill(shared_info_t *s)
{
    s->wc_version++;
    __asm__ volatile("" ::: "memory");
    s->wc_sec = (uint32_t)boot_wallclock_sec;
    s->wc_sec_hi = (uint32_t)(boot_wallclock_sec >> 32);
    s->wc_nsec = boot_wallclock_nsec;
    __asm__ volatile("" ::: "memory");
    s->wc_version++;
}

/*
 * XENPF_settime64 (public/platform.h): the wall clock reads secs.nsecs
 * when system time is system_time. Every domain's shared_info follows,
 * as Xen's do_settime() does.
 */
void wallclock_set(uint64_t secs, uint32_t nsecs, uint64_t system_time)
{
    uint64_t ns = secs * 1000000000ULL + nsecs - system_time;
    domid_t id = 0;
    struct domain *d;

    spin_lock(&wallclock_lock);
    boot_wallclock_sec = ns / 1000000000ULL;
    boot_wallclock_nsec = (uint32_t)(ns % 1000000000ULL);
    while ((d = domain_iterate(&id)))
        if (d->shared_info)
            wallclock_fill(d->shared_info);
    spin_unlock(&wallclock_lock);
}

/*
 * The record the CPU filling it reads (the TSC is this CPU's), with the
 * rate in force at that TSC; tick_fn refreshes it when the rate changes.
 */
void pvclock_fill(struct vcpu_time_info *t)
{
    struct time_record r;
    uint64_t tsc, stime = clock_read(&tsc, &r);

    /* An odd version tells the guest an update is in progress. */
    t->version++;
    __asm__ volatile("" ::: "memory");
    t->tsc_timestamp = tsc;
    t->system_time = stime;
    t->tsc_to_system_mul = r.mul;
    t->tsc_shift = r.shift;
    __asm__ volatile("" ::: "memory");
    t->version++;
    time_tick_start();
}
