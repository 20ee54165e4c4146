/*
 * Hypervisor timers: a function called at a system time (ns since boot),
 * from the timer interrupt of the CPU that set it. Interrupts are off in
 * the hypervisor, so a timer's function runs with nothing interleaved.
 */
#ifndef XENOLITH_TIMER_H
#define XENOLITH_TIMER_H

#include <xenolith/lib.h>

struct timer {
    uint64_t expires;      /* ns since boot */
    void (*fn)(void *data);
    void *data;
    bool active;
    unsigned cpu;          /* whose list it is on */
    struct timer *next;    /* the CPU's list, soonest first */
};

void init_timer(struct timer *t, void (*fn)(void *), void *data);
void set_timer(struct timer *t, uint64_t expires);
void stop_timer(struct timer *t);
/* Runs what is due and programs the next interrupt (the timer vector's handler). */
void timer_interrupt(void);

#endif
