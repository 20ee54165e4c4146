#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <xenolith/lib.h>

#include <xen/xen.h>

/* The TSC rate system time currently runs at (kHz, for CPUID and sysctl). */
extern uint64_t tsc_khz;

/* Measures the TSC against the platform's reference counter; logs the result. */
void tsc_calibrate(void);
/* Starts the boot CPU's once-a-second clock correction (the APIC timer must work). */
void time_tick_start(void);
void time_sync_ap(unsigned cpu);
/* Pairs the AP cpu's TSC with the boot CPU's; returns the uncertainty window in ns. */
uint64_t time_sync_bsp(unsigned cpu);
/* Nanoseconds since tsc_calibrate(), the same on every CPU. */
uint64_t now_ns(void);
/* Reads the RTC: the wall-clock time at system time 0 (for shared_info). */
void wallclock_init(void);
void wallclock_fill(shared_info_t *s);
/* XENPF_settime64: moves the wall clock of every domain. */
void wallclock_set(uint64_t secs, uint32_t nsecs, uint64_t system_time);

/* Fills a pvclock record (public/xen.h: struct vcpu_time_info). */
void pvclock_fill(struct vcpu_time_info *t);

/* The TSC, read after every earlier instruction has completed. */
static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/*
 * The arithmetic of calibration (time_calibrate.c: no hardware access,
 * so tests/unit/test_time_calibrate.c runs it against a simulated clock).
 */

/*
 * A free-running reference counter the TSC is measured against (refclock.c:
 * the ACPI PM timer, the PIT): counts up at hz, wraps at 2^bits. tsc reads
 * the TSC of the CPU that samples it.
 */
struct refclock {
    const char *name;
    uint64_t hz;
    unsigned bits;
    uint32_t (*read)(void);
    uint64_t (*tsc)(void);
};

/* The ACPI PM timer if the FADT has one that counts, else PIT channel 2. */
const struct refclock *refclock_probe(void);
/*
 * The PM timer's I/O port from the FADT, 0 if there is none; set by
 * refclock_probe() whether or not the timer became the reference. No
 * guest may use its 4 bytes (pv/emul_priv.c), as on Xen.
 */
uint16_t refclock_pm_timer_port(void);

/* The counter (raw) read between two TSC reads: tsc is their middle, window their distance. */
struct ref_sample {
    uint64_t tsc, window;
    uint32_t raw;
};

/* The narrowest of a few tight (TSC, counter, TSC) reads. */
void ref_sample(const struct refclock *c, struct ref_sample *s);
/*
 * Counter ticks from sample a to sample b. The counter may have wrapped any
 * number of times: the TSC says how many, at tsc_hz. With tsc_hz 0 (no
 * estimate yet) it wrapped at most once.
 */
uint64_t ref_elapsed(const struct refclock *c, const struct ref_sample *a,
                     const struct ref_sample *b, uint64_t tsc_hz);
/* The TSC rate in Hz from tsc_ticks over ref_ticks of a counter at ref_hz. */
uint64_t tsc_hz_from(uint64_t tsc_ticks, uint64_t ref_ticks, uint64_t ref_hz);
/*
 * The TSC offset (theirs minus ours) of the CPU that took sample other,
 * taken after ours (self) and before our TSC read `until`; false when
 * until is too late to tell the counter's wraps apart.
 */
bool ref_tsc_offset(const struct refclock *c, const struct ref_sample *self, uint64_t until,
                    const struct ref_sample *other, uint64_t tsc_hz, int64_t *offset);
/*
 * The TSC rate at boot: the median of three windows, each between two
 * tight samples; *end is the last sample, where tracking starts.
 */
uint64_t ref_calibrate(const struct refclock *c, struct ref_sample *end);

/*
 * System time from stime on, as a function of the boot CPU's TSC:
 * stime + (tsc - this tsc) at hz, through mul and shift as in a pvclock
 * record (public/xen.h: struct vcpu_time_info).
 */
struct time_record {
    uint64_t tsc, stime, hz;
    uint32_t mul;
    int8_t shift;
};

/* A record for a TSC at hz, starting at system time stime at TSC tsc. */
void time_record_init(struct time_record *r, uint64_t tsc, uint64_t stime, uint64_t hz);
/* Nanoseconds of ticks TSC ticks (negative ones too: a TSC just before r's start). */
int64_t time_record_ns(const struct time_record *r, int64_t ticks);
/* System time at TSC tsc. */
uint64_t time_record_at(const struct time_record *r, uint64_t tsc);
/* The TSC at which r reaches system time stime (no earlier than r's start). */
uint64_t time_record_tsc_at(const struct time_record *r, uint64_t stime);
/* The record that takes over from r at TSC tsc at a new rate: equal to r there. */
void time_record_next(const struct time_record *r, uint64_t tsc, uint64_t hz,
                      struct time_record *next);

#endif
