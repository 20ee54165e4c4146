/*
 * Timers (see xenolith/timer.h): one list per CPU, soonest first, each
 * CPU's local APIC timer armed for the head of its own list. A timer
 * belongs to the CPU that set it last; one lock covers all the lists.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/time.h>
#include <xenolith/spinlock.h>
#include <xenolith/timer.h>

static struct timer *timers[NR_CPUS];
static spinlock_t timer_lock = SPINLOCK_INIT;

void init_timer(struct timer *t, void (*fn)(void *), void *data)
{
    memset(t, 0, sizeof(*t));
    t->fn = fn;
    t->data = data;
}

static void unlink(struct timer *t)
{
    for (struct timer **p = &timers[t->cpu]; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    t->active = false;
    t->next = NULL;
}

/*
 * Arming the local APIC timer costs ~12 us under QEMU (an emulated MMIO
 * write that re-arms a host timer), and a guest re-arms its one-shot timer
 * at every idle entry. So the APIC is armed again only when the head of
 * the list must fire earlier than the armed deadline, by more than
 * TIMER_SLACK_NS (Xen's timer_slack, 50 us by default); a head that moved
 * later, or went, gets an early interrupt that finds nothing due and arms
 * for the new head. armed[cpu] is 0 when nothing is armed.
 */
#define TIMER_SLACK_NS 50000
static uint64_t armed[NR_CPUS];

static void reprogram(unsigned cpu)
{
    uint64_t head = timers[cpu] ? timers[cpu]->expires : 0;

    if (!head || (armed[cpu] && armed[cpu] <= head + TIMER_SLACK_NS))
        return;
    armed[cpu] = head;
    apic_timer_program(head);
}

void set_timer(struct timer *t, uint64_t expires)
{
    unsigned cpu = smp_processor_id();
    struct timer **p;

    spin_lock(&timer_lock);
    if (t->active)
        unlink(t);
    t->expires = expires;
    t->cpu = cpu;
    for (p = &timers[cpu]; *p && (*p)->expires <= expires; p = &(*p)->next)
        ;
    t->next = *p;
    *p = t;
    t->active = true;
    if (timers[cpu] == t)
        reprogram(cpu);
    spin_unlock(&timer_lock);
}

void stop_timer(struct timer *t)
{
    spin_lock(&timer_lock);
    if (t->active) {
        unlink(t);
        if (t->cpu == smp_processor_id())
            reprogram(t->cpu);
    }
    spin_unlock(&timer_lock);
}

void timer_interrupt(void)
{
    unsigned cpu = smp_processor_id();

    spin_lock(&timer_lock);
    armed[cpu] = 0; /* the one-shot fired */
    while (timers[cpu] && timers[cpu]->expires <= now_ns()) {
        struct timer *t = timers[cpu];

        unlink(t);
        spin_unlock(&timer_lock);
        t->fn(t->data); /* may set timers again */
        spin_lock(&timer_lock);
    }
    reprogram(cpu);
    spin_unlock(&timer_lock);
}
