/*
 * sched_op (public/sched.h) and set_timer_op. Every sub-op that takes a
 * structure copies it in first, so a bad pointer is -EFAULT before
 * anything else, as on Xen. Blocking, polling and yielding only mark the
 * vCPU: the switch happens on the way back to the guest (schedule.c).
 */
#include <asm/time.h>
#include <xen/sched.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

/* set_timer_op (public/xen.h): a single-shot timer by absolute system time; 0 stops it. */
long do_set_timer_op(uint64_t timeout)
{
    struct vcpu *v = current;

    if (!timeout) {
        stop_timer(&v->singleshot_timer);
        return 0;
    }
    return vcpu_set_singleshot(v, timeout);
}

static bool any_pending(struct vcpu *v, const evtchn_port_t *ports, unsigned n)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < n; i++)
        if (evtchn_is_pending(v->domain, ports[i]))
            return true;
    return false;
}

/*
 * SCHEDOP_poll: sleep until one of the ports (at most 128, Xen's limit) is
 * pending, or the timeout (absolute system time; 0 = none) passes. Unlike
 * block it does not unmask event delivery (Linux's PV spinlocks use it).
 */
static long sched_poll(uint64_t arg)
{
    struct vcpu *v = current;
    struct sched_poll p;
    evtchn_port_t ports[128];

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -EFAULT;
    if (p.nr_ports > 128)
        return -EINVAL;
    if (copy_from_guest(ports, (uint64_t)p.ports.p, p.nr_ports * sizeof(ports[0])))
        return -EFAULT;
    for (unsigned i = 0; i < p.nr_ports; i++)
        if (ports[i] >= EVTCHN_2L_NR)
            return -EINVAL;
    if (any_pending(v, ports, p.nr_ports) || (p.timeout && p.timeout <= now_ns()))
        return 0;
    if (p.timeout)
        set_timer(&v->poll_timer, p.timeout);
    vcpu_block_until_event(v, true);
    /*
     * A port set pending after the scan above but before we were marked
     * polling found nobody to wake: look again now that we are.
     */
    if (any_pending(v, ports, p.nr_ports))
        vcpu_kick(v);
    return 0;
}

static long remote_shutdown(uint64_t arg)
{
    struct sched_remote_shutdown r;
    struct domain *d;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    d = domain_by_id(r.domain_id);
    if (!d)
        return -ESRCH;
    if (!current->domain->is_privileged)
        return -EPERM;
    domain_shutdown(d, r.reason);
    return 0;
}

/* Only CPU 0 runs guests yet: pinning there, or clearing (-1), is a no-op. */
static long pin_override(uint64_t arg)
{
    struct sched_pin_override p;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -EFAULT;
    if (!current->domain->is_hardware)
        return -EPERM;
    if (p.pcpu != -1 && p.pcpu != 0)
        return -EINVAL;
    return 0;
}

static void watchdog_fired(void *data)
{
    struct domain *d = data;

    printk_ratelimited("Watchdog timer fired for domain %u\n", d->domain_id);
    domain_shutdown(d, SHUTDOWN_watchdog);
}

/*
 * SCHEDOP_watchdog: id 0 arms a new watchdog and returns its id (1 or 2);
 * an id re-arms it, or with timeout 0 destroys it. Seconds, as Xen.
 */
static long sched_watchdog(uint64_t arg)
{
    struct domain *d = current->domain;
    struct sched_watchdog w;
    unsigned i;

    if (copy_from_guest(&w, arg, sizeof(w)))
        return -EFAULT;
    if (w.id == 0) {
        for (i = 0; i < NR_WATCHDOGS; i++)
            if (!d->watchdog_armed[i])
                break;
        if (i == NR_WATCHDOGS)
            return -ENOSPC;
        d->watchdog_armed[i] = true;
        init_timer(&d->watchdog[i], watchdog_fired, d);
        set_timer(&d->watchdog[i], now_ns() + w.timeout * 1000000000ULL);
        return i + 1;
    }
    if (w.id > NR_WATCHDOGS || !d->watchdog_armed[w.id - 1])
        return -EINVAL;
    i = w.id - 1;
    if (!w.timeout) {
        stop_timer(&d->watchdog[i]);
        d->watchdog_armed[i] = false;
    } else {
        set_timer(&d->watchdog[i], now_ns() + w.timeout * 1000000000ULL);
    }
    return 0;
}

long do_sched_op(uint64_t cmd, uint64_t arg)
{
    struct vcpu *v = current;
    struct sched_shutdown s;

    switch ((int)cmd) {
    case SCHEDOP_yield:
        vcpu_yield(v);
        return 0;
    case SCHEDOP_block:
        /* Unmask first: an event that arrives meanwhile is not lost (sched.h). */
        v->vcpu_info->evtchn_upcall_mask = 0;
        vcpu_block_until_event(v, false);
        return 0;
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        domain_shutdown(v->domain, s.reason);
        return 0;
    case SCHEDOP_shutdown_code:
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (v->domain->shutdown_code == SHUTDOWN_CODE_INVALID)
            v->domain->shutdown_code = (uint8_t)s.reason;
        return 0;
    case SCHEDOP_poll:
        return sched_poll(arg);
    case SCHEDOP_remote_shutdown:
        return remote_shutdown(arg);
    case SCHEDOP_watchdog:
        return sched_watchdog(arg);
    case SCHEDOP_pin_override:
        return pin_override(arg);
    }
    return -ENOSYS;
}
