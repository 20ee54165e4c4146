/*
 * The scheduler: credit-style, over all online CPUs, with one run queue.
 *
 * Every 30 ms each domain's runnable vCPUs receive credit in proportion to
 * the domain's weight (default 256, as Xen's credit scheduler), 300 credits
 * per online CPU in all; running burns one credit per 100 us. vCPUs with
 * credit left (UNDER) run before those without (OVER), first come first
 * served within each; a vCPU runs for at most 30 ms while others wait at
 * its priority. A cap (percent of one CPU) parks a domain that used more
 * than its cap in a period until the next one. No vCPU starves: OVER vCPUs
 * regain credit every period, and credit is bounded both ways.
 *
 * vCPUs switch only on the way back to a guest (exit_to_guest), when the
 * guest's whole state is in the frame at the top of the CPU's stack. A CPU
 * with nothing to run halts in idle_loop until an interrupt brings work.
 * One lock guards the queue and every vCPU's scheduling state.
 */
#include <asm/apic.h>
#include <asm/flushtlb.h>
#include <asm/page.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <xen/domctl.h>
#include <xenolith/cmdline.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>
#include <xenolith/spinlock.h>

#define TICK_NS 10000000ULL      /* 10 ms */
#define SLICE_NS 30000000ULL     /* 30 ms */
#define CREDITS_PER_CPU 300      /* per 30 ms accounting period */
#define CREDIT_NS 100000ULL      /* one credit: 100 us of running */
#define CREDIT_MAX 300
#define CREDIT_MIN (-300)

static spinlock_t sched_lock = SPINLOCK_INIT;
static bool opt_sched_debug;
PARAM_BOOL("sched_debug", opt_sched_debug);
static struct vcpu *runq;
static bool need_resched[NR_CPUS];
static struct timer tick[NR_CPUS];
static unsigned ticks_seen;

static bool runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;

    return v->up && v->initialised && !v->blocked && !d->is_shutting_down && !d->parked &&
           !d->paused_by_controller && !d->is_dying;
}

static void runstate_change(struct vcpu *v, int state)
{
    uint64_t now = now_ns();

    v->runstate.time[v->runstate.state] += now - v->runstate.state_entry_time;
    v->runstate.state = state;
    v->runstate.state_entry_time = now;
}

/* UNDER before OVER, FIFO within; the caller holds sched_lock. */
static void enqueue(struct vcpu *v)
{
    struct vcpu **p = &runq;

    if (v->on_runq || v->running)
        return;
    if (v->credit > 0)
        while (*p && (*p)->credit > 0)
            p = &(*p)->next_in_runq;
    else
        while (*p)
            p = &(*p)->next_in_runq;
    v->next_in_runq = *p;
    *p = v;
    v->on_runq = true;
    runstate_change(v, RUNSTATE_runnable);
}

static struct vcpu *dequeue(void)
{
    struct vcpu *v;

    while ((v = runq)) {
        runq = v->next_in_runq;
        v->on_runq = false;
        if (runnable(v))
            return v;
        runstate_change(v, v->up ? RUNSTATE_blocked : RUNSTATE_offline);
    }
    return NULL;
}

/* Asks one idle CPU (or v's last one) to look at the queue. */
static void poke_a_cpu(const struct vcpu *v)
{
    unsigned self = smp_processor_id(), target = v->processor;

    for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
        if (!get_cpu_curr(cpu)) {
            target = cpu;
            break;
        }
    need_resched[target] = true;
    if (target != self)
        smp_send(target, EVENT_CHECK_VECTOR);
}

void vcpu_wake(struct vcpu *v)
{
    spin_lock(&sched_lock);
    if (runnable(v) && !v->running && !v->on_runq) {
        enqueue(v);
        poke_a_cpu(v);
    }
    spin_unlock(&sched_lock);
}

void sched_remove_vcpu(struct vcpu *v)
{
    spin_lock(&sched_lock);
    for (struct vcpu **p = &runq; *p; p = &(*p)->next_in_runq)
        if (*p == v) {
            *p = v->next_in_runq;
            v->on_runq = false;
            break;
        }
    if (v->running && v->processor != smp_processor_id())
        smp_send(v->processor, EVENT_CHECK_VECTOR); /* it is not runnable: switched out there */
    spin_unlock(&sched_lock);
    while (__atomic_load_n(&v->running, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
}

void vcpu_kick(struct vcpu *v)
{
    bool wake = false;

    if (opt_sched_debug)
        printk("kick d%uv%u from cpu%u blocked %u running %u on cpu%u\n", v->domain->domain_id,
               v->vcpu_id, smp_processor_id(), v->blocked, v->running, v->processor);
    spin_lock(&sched_lock);
    if (v->blocked) {
        v->blocked = false;
        v->polling = false;
        wake = true;
    } else if (v->running && v->processor != smp_processor_id()) {
        smp_send(v->processor, EVENT_CHECK_VECTOR); /* deliver the upcall now */
    }
    spin_unlock(&sched_lock);
    if (wake) {
        stop_timer(&v->poll_timer);
        vcpu_wake(v);
    }
}

void vcpu_block_until_event(struct vcpu *v, bool poll)
{
    if (opt_sched_debug)
        printk("d%uv%u %s on cpu%u rip %lx pending %u mask %u\n", v->domain->domain_id, v->vcpu_id,
               poll ? "polls" : "blocks", smp_processor_id(), (unsigned long)get_cpu_info()->guest_regs.rip,
               v->vcpu_info->evtchn_upcall_pending, v->vcpu_info->evtchn_upcall_mask);
    spin_lock(&sched_lock);
    v->blocked = true;
    v->polling = poll;
    /* An event that came before we slept must not be slept through. */
    if (!poll && vcpu_event_pending(v))
        v->blocked = false;
    spin_unlock(&sched_lock);
}

void vcpu_yield(struct vcpu *v)
{
    need_resched[v->processor] = true;
}

static void poll_timeout(void *data)
{
    vcpu_kick(data);
}

/* Picks what runs next on this CPU; switches the frame if it is another vCPU. */
static struct vcpu *schedule(struct cpu_regs *frame)
{
    unsigned cpu = smp_processor_id();
    struct vcpu *prev = get_cpu_curr(cpu), *next;

    spin_lock(&sched_lock);
    need_resched[cpu] = false;
    if (prev) {
        prev->running = false;
        prev->credit -= (int)((now_ns() - prev->last_start) / CREDIT_NS);
        prev->domain->consumed += (unsigned)((now_ns() - prev->last_start) / CREDIT_NS);
        if (prev->credit < CREDIT_MIN)
            prev->credit = CREDIT_MIN;
        if (runnable(prev))
            enqueue(prev);
        else
            runstate_change(prev, prev->up ? RUNSTATE_blocked : RUNSTATE_offline);
    }
    next = dequeue();
    if (next) {
        next->running = true;
        next->processor = cpu;
        next->last_start = now_ns();
        runstate_change(next, RUNSTATE_running);
    }
    /*
     * Still under the lock: prev may already be back on the queue, and no
     * other CPU may load it before its state is saved here.
     */
    if (next != prev) {
        if (prev)
            context_save(prev, frame);
        if (next)
            context_load(next, frame);
        else
            set_cpu_curr(cpu, NULL);
    }
    spin_unlock(&sched_lock);
    return next;
}

void exit_to_guest(struct cpu_regs *frame)
{
    unsigned cpu = smp_processor_id();
    struct vcpu *v = current;

    if (need_resched[cpu] || !runnable(v)) {
        if (!schedule(frame))
            idle_loop();
    }
    pv_exit_to_guest(frame);
}

/* The current vCPU's domain is shut down or dying: run something else, never it again. */
noreturn void leave_dead_vcpu(void)
{
    struct cpu_regs *frame = &get_cpu_info()->guest_regs;

    exit_to_guest(frame);
    launch_guest_frame(frame);
}

noreturn void idle_loop(void)
{
    unsigned cpu = smp_processor_id();
    struct cpu_info *ci = get_cpu_info();

    load_cr3(virt_to_maddr(idle_pg_table), NULL);
    for (;;) {
        if (runq) {
            struct vcpu *v = schedule(&ci->guest_regs);

            if (v) {
                pv_exit_to_guest(&ci->guest_regs);
                launch_guest_frame(&ci->guest_regs);
            }
        }
        (void)cpu;
        if (scrub_free_frames()) {
            /* Between batches, whatever interrupt is pending is taken. */
            __asm__ volatile("sti; nop; cli" ::: "memory");
            continue;
        }
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
}

/* Every 30 ms on CPU 0: credit by weight to the domains with runnable vCPUs. */
static void accounting(void)
{
    unsigned total_weight = 0;
    struct domain *d;

    for (domid_t id = 0; (d = domain_iterate(&id));) {
        d->parked = d->cap && d->consumed > d->cap * CREDITS_PER_CPU / 100;
        d->consumed = 0;
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpu[i] && d->vcpu[i]->up && d->vcpu[i]->initialised) {
                total_weight += d->weight;
                break;
            }
    }
    if (!total_weight)
        return;
    for (domid_t id = 0; (d = domain_iterate(&id));) {
        unsigned active = 0;
        int share;

        for (unsigned i = 0; i < d->max_vcpus; i++)
            active += d->vcpu[i] && d->vcpu[i]->up && d->vcpu[i]->initialised;
        if (!active)
            continue;
        share = (int)(CREDITS_PER_CPU * nr_cpus_online * d->weight / total_weight / active);
        for (unsigned i = 0; i < d->max_vcpus; i++) {
            struct vcpu *v = d->vcpu[i];

            if (v && v->up && v->initialised)
                v->credit = MIN(v->credit + share, CREDIT_MAX);
        }
    }
}

/* Each CPU's 10 ms tick: accounting, and preemption when the slice is over. */
static void tick_fn(void *data)
{
    unsigned cpu = (unsigned)(uintptr_t)data;
    struct vcpu *v = get_cpu_curr(cpu);

    spin_lock(&sched_lock);
    if (cpu == 0 && ++ticks_seen % 3 == 0) {
        accounting();
        /* A parked domain's vCPUs are picked up again at the next look. */
    }
    if (v && runq && (now_ns() - v->last_start >= SLICE_NS || (runq->credit > 0 && v->credit <= 0)))
        need_resched[cpu] = true;
    spin_unlock(&sched_lock);
    set_timer(&tick[cpu], now_ns() + TICK_NS);
}

/*
 * XEN_DOMCTL_scheduler_op for the credit scheduler this one imitates
 * (domctl.h, struct xen_domctl_sched_credit; `xl sched-credit`): a
 * domain's weight and cap. On put, weight 0 and cap 0xffff leave that
 * value as it is; per-vCPU parameters are not credit's (-EINVAL).
 */
long sched_adjust(struct domain *d, struct xen_domctl_scheduler_op *op)
{
    if (op->sched_id != XEN_SCHEDULER_CREDIT)
        return -EINVAL;
    switch (op->cmd) {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        op->u.credit.weight = (uint16_t)d->weight;
        op->u.credit.cap = (uint16_t)d->cap;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo:
        spin_lock(&sched_lock);
        if (op->u.credit.weight)
            d->weight = op->u.credit.weight;
        if (op->u.credit.cap != (uint16_t)~0U)
            d->cap = op->u.credit.cap;
        spin_unlock(&sched_lock);
        return 0;
    }
    return -EINVAL;
}

void sched_start_cpu(void)
{
    unsigned cpu = smp_processor_id();

    init_timer(&tick[cpu], tick_fn, (void *)(uintptr_t)cpu);
    set_timer(&tick[cpu], now_ns() + TICK_NS);
}

void sched_init(void)
{
    for (domid_t id = 0;;) {
        struct domain *d = domain_iterate(&id);

        if (!d)
            break;
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpu[i])
                init_timer(&d->vcpu[i]->poll_timer, poll_timeout, d->vcpu[i]);
    }
}
