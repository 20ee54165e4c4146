/*
 * The reference counters the TSC is calibrated against (time.c): fixed-rate,
 * free-running, readable at any moment, as Xen's platform timers are.
 *
 *  - the ACPI PM timer (ACPI 6.4 section 4.8.3.3): 3.579545 MHz, 24 bits,
 *    or 32 with the FADT flag TMR_VAL_EXT; its port is the FADT's
 *    X_PM_TMR_BLK when that is in I/O space, else PM_TMR_BLK;
 *  - else PIT channel 2 as a rate generator (mode 2) reloading 65536:
 *    1.193182 MHz, read by latching, counting down, so negated.
 */
#include <asm/acpi.h>
#include <asm/io.h>
#include <asm/time.h>

#define PM_TIMER_HZ 3579545
#define PIT_HZ 1193182

/* FADT (ACPI 6.4 table 5.9) offsets. */
#define FADT_PM_TMR_BLK 76
#define FADT_PM_TMR_LEN 91
#define FADT_FLAGS 112
#define FADT_TMR_VAL_EXT (1U << 8)
#define FADT_X_PM_TMR_BLK 208  /* a Generic Address Structure, 12 bytes */
#define GAS_SPACE_IO 1
#define PROBE_READS 100000     /* far more than one PM timer or PIT tick takes */

static uint16_t pm_port;
static char pm_name[48];

static uint32_t pm_read(void)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(pm_port));
    return v;
}

static uint32_t pit_read(void)
{
    uint8_t lo, hi;

    outb(0x43, 0x80); /* latch channel 2 */
    lo = inb(0x42);
    hi = inb(0x42);
    return (uint16_t)-(uint16_t)(lo | hi << 8);
}

static struct refclock pm_timer = { pm_name, PM_TIMER_HZ, 24, pm_read, rdtsc_ordered };
static struct refclock pit = { "PIT (channel 2)", PIT_HZ, 16, pit_read, rdtsc_ordered };

/* The PM timer's port from the FADT, or 0. */
static uint16_t fadt_pm_port(const struct acpi_header *fadt)
{
    const uint8_t *f = (const uint8_t *)fadt;
    uint64_t x_addr = 0;
    uint32_t blk = 0;

    if (fadt->length >= FADT_X_PM_TMR_BLK + 12) {
        memcpy(&x_addr, f + FADT_X_PM_TMR_BLK + 4, 8);
        if (f[FADT_X_PM_TMR_BLK] == GAS_SPACE_IO && x_addr && x_addr < 0x10000)
            return (uint16_t)x_addr;
    }
    if (f[FADT_PM_TMR_LEN] == 4)
        memcpy(&blk, f + FADT_PM_TMR_BLK, 4);
    return blk < 0x10000 ? (uint16_t)blk : 0;
}

static bool ticks(const struct refclock *c)
{
    uint32_t first = c->read();

    for (unsigned i = 0; i < PROBE_READS; i++)
        if (c->read() != first)
            return true;
    return false;
}

static bool pm_timer_probe(void)
{
    const struct acpi_header *fadt = acpi_find_table("FACP");
    uint32_t flags;

    if (!fadt || fadt->length < FADT_FLAGS + 4 || !(pm_port = fadt_pm_port(fadt)))
        return false;
    memcpy(&flags, (const uint8_t *)fadt + FADT_FLAGS, 4);
    if (flags & FADT_TMR_VAL_EXT)
        pm_timer.bits = 32;
    snprintf(pm_name, sizeof(pm_name), "ACPI PM timer (port %#x, %u-bit)", pm_port,
             pm_timer.bits);
    return ticks(&pm_timer);
}

static bool pit_probe(void)
{
    outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* gate on, speaker off */
    outb(0x43, 0xb4);                                  /* channel 2, lo/hi byte, mode 2 */
    outb(0x42, 0);
    outb(0x42, 0);
    return ticks(&pit);
}

uint16_t refclock_pm_timer_port(void)
{
    return pm_port;
}

const struct refclock *refclock_probe(void)
{
    if (pm_timer_probe())
        return &pm_timer;
    if (pit_probe())
        return &pit;
    panic("no reference counter to calibrate the TSC against (no PM timer, no PIT)");
}
