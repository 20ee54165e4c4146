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

#define PIT_HZ 1193182
#define CALIBRATE_MS 50

uint64_t tsc_khz;
static uint64_t tsc_at_boot;
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
    tsc_at_boot = rdtsc();
    printk("TSC: %lu.%03lu MHz (calibrated against the PIT)%s\n",
           (unsigned long)(tsc_khz / 1000), (unsigned long)(tsc_khz % 1000),
           boot_cpu.invariant_tsc ? ", invariant" : "");
}

uint64_t now_ns(void)
{
    return scale(rdtsc() - tsc_at_boot);
}

void pvclock_fill(struct vcpu_time_info *t)
{
    uint64_t tsc = rdtsc();

    /* An odd version tells the guest an update is in progress. */
    t->version++;
    __asm__ volatile("" ::: "memory");
    t->tsc_timestamp = tsc;
    t->system_time = scale(tsc - tsc_at_boot);
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = tsc_shift;
    __asm__ volatile("" ::: "memory");
    t->version++;
}
