#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <xenolith/lib.h>

#include <xen/xen.h>

extern uint64_t tsc_khz;

/* Measures the TSC against the PIT; logs the result. */
void tsc_calibrate(void);
void time_sync_ap(unsigned cpu);
/* Pairs the AP cpu's TSC with system time; returns the uncertainty window in ns. */
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

#endif
