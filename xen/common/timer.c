/*
 * Timers (see xenolith/timer.h): one list per CPU, soonest first, and the
 * local APIC timer armed for the head of the list. One CPU runs guests
 * for now, so the list is CPU 0's.
 */
#include <asm/apic.h>
#include <asm/time.h>
#include <xenolith/timer.h>

static struct timer *timers;

void init_timer(struct timer *t, void (*fn)(void *), void *data)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->data = data;
}

static void unlink(struct timer *t)
{
    for (struct timer **p = &timers; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    t->active = false;
    t->next = NULL;
}

static void reprogram(void)
{
    apic_timer_program(timers ? timers->expires : 0);
}

void set_timer(struct timer *t, uint64_t expires)
{
    struct timer **p;

    if (t->active)
        unlink(t);
    t->expires = expires;
    for (p = &timers; *p && (*p)->expires <= expires; p = &(*p)->next)
        ;
    t->next = *p;
    *p = t;
    t->active = true;
    if (timers == t)
        reprogram();
}

void stop_timer(struct timer *t)
{
    if (t->active) {
        unlink(t);
        reprogram();
    }
}

void timer_interrupt(void)
{
    uint64_t now = now_ns();

    while (timers && timers->expires <= now) {
        struct timer *t = timers;

        unlink(t);
        t->fn(t->data); /* may set timers again */
        now = now_ns();
    }
    reprogram();
}
