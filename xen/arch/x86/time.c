/*
 * Time: the TSC, calibrated once against the PIT, is the clock. Guests
 * read it through the pvclock record in their vcpu_info (public/xen.h:
 * struct vcpu_time_info): ns = ((tsc - tsc_timestamp) << shift) * mul >> 32,
 * a right shift when tsc_shift is negative.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/time.h>
#include <xen/xen.h>
#include <xenolith/sched.h>
#include <xenolith/spinlock.h>

#define PIT_HZ 1193182
#define CALIBRATE_MS 50

uint64_t tsc_khz;
/*
 * Each CPU's TSC is read against its own base: an application processor's
 * TSC need not agree with the boot CPU's (QEMU resets it on INIT), so at
 * bring-up each CPU pairs a reading of its TSC with the boot CPU's system
 * time (time_sync_ap / time_sync_bsp).
 */
static uint64_t tsc_base[NR_CPUS], stime_base[NR_CPUS];
/* The bring-up handshake: the boot CPU asks, the AP samples its TSC, until done. */
enum { SYNC_IDLE, SYNC_ASK, SYNC_SAMPLED, SYNC_DONE };
#define SYNC_ROUNDS 16
#define SYNC_GOOD_NS 20000      /* a window this narrow ends the rounds */
#define SYNC_MAX_NS 500000000   /* but look no longer than this for one */
static volatile uint64_t sync_tsc;
static int sync_state;
static uint32_t tsc_mul;
static int8_t tsc_shift;

/* PIT channel 2 counts down once, gated through port 0x61; OUT2 ends it. */
static uint64_t pit_measure_tsc(void)
{
    uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint64_t t0, t1;

    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
    outb(0x43, 0xb0); /* channel 2, lo/hi byte, mode 0 */
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    t0 = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    t1 = rdtsc();
    return t1 - t0;
}

/* Chooses shift and mul so that 1 second of TSC ticks scales to 1e9 ns. */
static void set_scale(uint64_t hz)
{
    int shift = 0;

    while (hz > 2000000000ULL) {
        hz >>= 1;
        shift--;
    }
    while (hz <= 1000000000ULL) {
        hz <<= 1;
        shift++;
    }
    tsc_shift = (int8_t)shift;
    tsc_mul = (uint32_t)((1000000000ULL << 32) / hz);
}

static uint64_t scale(uint64_t delta)
{
    if (tsc_shift < 0)
        delta >>= -tsc_shift;
    else
        delta <<= tsc_shift;
    return (uint64_t)(((unsigned __int128)delta * tsc_mul) >> 32);
}

void tsc_calibrate(void)
{
    uint64_t ticks = pit_measure_tsc();

    tsc_khz = ticks * (1000 / CALIBRATE_MS) / 1000;
    if (!tsc_khz)
        panic("TSC does not advance");
    set_scale(tsc_khz * 1000);
    tsc_base[0] = rdtsc();
    printk("TSC: %lu.%03lu MHz (calibrated against the PIT)%s\n",
           (unsigned long)(tsc_khz / 1000), (unsigned long)(tsc_khz % 1000),
           boot_cpu.invariant_tsc ? ", invariant" : "");
}

uint64_t now_ns(void)
{
    unsigned cpu = smp_processor_id();

    return stime_base[cpu] + scale(rdtsc() - tsc_base[cpu]);
}

/* On the AP being started: sample our TSC each time the boot CPU asks, until it is done. */
void time_sync_ap(unsigned cpu)
{
    int state;

    (void)cpu; /* the boot CPU writes our base */
    for (;;) {
        while ((state = __atomic_load_n(&sync_state, __ATOMIC_ACQUIRE)) != SYNC_ASK &&
               state != SYNC_DONE)
            __asm__ volatile("pause");
        if (state == SYNC_DONE)
            break;
        sync_tsc = rdtsc();
        __atomic_store_n(&sync_state, SYNC_SAMPLED, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&sync_state, SYNC_IDLE, __ATOMIC_RELEASE);
}

/*
 * On the boot CPU, for the AP cpu: the AP's TSC sample lies somewhere
 * between our asking and its answer, so pair it with the middle of that
 * window; keep the narrowest window of the rounds. Under TCG on a loaded
 * host the two vCPU threads rarely run at once, and a window of 10 ms put
 * a CPU's clock 5 ms off: so go on past SYNC_ROUNDS until a window is
 * narrow, for at most SYNC_MAX_NS. Returns the window kept, in ns.
 */
uint64_t time_sync_bsp(unsigned cpu)
{
    uint64_t best = UINT64_MAX, t0, t1, start = now_ns();

    for (unsigned round = 0;
         round < SYNC_ROUNDS || (best > SYNC_GOOD_NS && now_ns() - start < SYNC_MAX_NS);
         round++) {
        t0 = now_ns();
        __atomic_store_n(&sync_state, SYNC_ASK, __ATOMIC_RELEASE);
        while (__atomic_load_n(&sync_state, __ATOMIC_ACQUIRE) != SYNC_SAMPLED)
            __asm__ volatile("pause");
        t1 = now_ns();
        if (t1 - t0 < best) {
            best = t1 - t0;
            tsc_base[cpu] = sync_tsc;
            stime_base[cpu] = t0 + (t1 - t0) / 2;
        }
    }
    __atomic_store_n(&sync_state, SYNC_DONE, __ATOMIC_RELEASE);
    while (__atomic_load_n(&sync_state, __ATOMIC_ACQUIRE) != SYNC_IDLE)
        __asm__ volatile("pause");
    return best;
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

void pvclock_fill(struct vcpu_time_info *t)
{
    uint64_t tsc = rdtsc();

    /* An odd version tells the guest an update is in progress. */
    t->version++;
    __asm__ volatile("" ::: "memory");
    t->tsc_timestamp = tsc;
    t->system_time = stime_base[smp_processor_id()] + scale(tsc - tsc_base[smp_processor_id()]);
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = tsc_shift;
    __asm__ volatile("" ::: "memory");
    t->version++;
}
