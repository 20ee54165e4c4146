/*
 * vcpu_op (public/vcpu.h): whether a vCPU is up, where its vcpu_info and
 * runstate live, and its timers (single-shot and periodic, both raising
 * VIRQ_TIMER). Bringing secondary vCPUs up or down says -ENOSYS (logged
 * once) until SMP guests exist.
 */
#include <asm/time.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

/* v's runstate as of now: the current state's time runs up to this moment. */
static void runstate_fill(const struct vcpu *v, struct vcpu_runstate_info *rs)
{
    uint64_t now = now_ns();

    *rs = v->runstate;
    rs->time[rs->state] += now - rs->state_entry_time;
}

void update_runstate_area(struct vcpu *v)
{
    struct vcpu_runstate_info rs;

    if (!v->runstate_guest)
        return;
    runstate_fill(v, &rs);
    copy_to_guest(v->runstate_guest, &rs, sizeof(rs)); /* as Xen: a bad page is not an error */
}

static long register_runstate(struct vcpu *v, uint64_t arg)
{
    struct vcpu_register_runstate_memory_area area;
    struct vcpu_runstate_info rs;

    if (copy_from_guest(&area, arg, sizeof(area)))
        return -EFAULT;
    if (!guest_range_ok((uint64_t)area.addr.v, sizeof(rs)))
        return -EFAULT;
    /* Re-registration moves it (Linux registers early, then at its per-CPU address). */
    v->runstate_guest = (uint64_t)area.addr.v;
    runstate_fill(v, &rs);
    copy_to_guest(v->runstate_guest, &rs, sizeof(rs)); /* as Xen: a bad page is not an error */
    return 0;
}

/*
 * VCPUOP_register_vcpu_info: the vCPU's vcpu_info moves from shared_info
 * into a frame of the guest's, which stays referenced and writable-typed
 * for as long as it is used. Registering twice is refused, as on Xen.
 */
static long register_vcpu_info(struct vcpu *v, uint64_t arg)
{
    struct vcpu_register_vcpu_info info;
    struct page_info *pg;
    vcpu_info_t *new;

    if (copy_from_guest(&info, arg, sizeof(info)))
        return -EFAULT;
    /* The area's checks come first, as on Xen. */
    if (info.offset > PAGE_SIZE - sizeof(vcpu_info_t) || (info.offset & 7))
        return -ENXIO;
    if (v->vcpu_info_mfn)
        return -EINVAL;
    pg = mfn_to_page(info.mfn);
    mm_lock();
    if (get_page_and_type(pg, v->domain, PGT_writable)) {
        mm_unlock();
        return -EINVAL;
    }
    mm_unlock();
    new = (vcpu_info_t *)((uint8_t *)mfn_to_virt(info.mfn) + info.offset);
    memcpy(new, v->vcpu_info, sizeof(*new));
    /* Everything pending, so the guest rescans and nothing is lost in the move. */
    new->evtchn_upcall_pending = 1;
    new->evtchn_pending_sel = ~0UL;
    v->vcpu_info = new;
    v->vcpu_info_mfn = info.mfn;
    pvclock_fill(&new->time);
    return 0;
}

static void singleshot_expired(void *data)
{
    struct vcpu *v = data;

    pvclock_fill(&v->vcpu_info->time);
    send_guest_vcpu_virq(v, VIRQ_TIMER);
}

/*
 * The periodic tick only reaches a running vCPU, as on Xen: one that is
 * blocked is not woken by it, and gets one tick when it runs again.
 */
static void periodic_expired(void *data)
{
    struct vcpu *v = data;

    if (v->running)
        singleshot_expired(v);
    else
        v->periodic_missed = true;
    set_timer(&v->periodic_timer, v->periodic_timer.expires + v->periodic_period);
}

/* Called when v is put on a CPU: the default tick starts, a missed tick is delivered. */
void vcpu_periodic_resume(struct vcpu *v)
{
    if (v->periodic_period && !v->periodic_timer.active)
        set_timer(&v->periodic_timer, now_ns() + v->periodic_period);
    if (v->periodic_missed) {
        v->periodic_missed = false;
        singleshot_expired(v);
    }
}

static void poll_expired(void *data)
{
    vcpu_kick(data);
}

void vcpu_timers_init(struct vcpu *v)
{
    init_timer(&v->singleshot_timer, singleshot_expired, v);
    init_timer(&v->periodic_timer, periodic_expired, v);
    init_timer(&v->poll_timer, poll_expired, v);
    v->periodic_period = 10000000; /* Xen's default 10 ms tick, until the guest stops it */
}

/* A deadline in the past fires at once (Linux relies on it for short waits). */
long vcpu_set_singleshot(struct vcpu *v, uint64_t deadline)
{
    if (deadline <= now_ns()) {
        stop_timer(&v->singleshot_timer);
        singleshot_expired(v);
    } else {
        set_timer(&v->singleshot_timer, deadline);
    }
    return 0;
}

static long set_singleshot_timer(struct vcpu *v, uint64_t arg)
{
    struct vcpu_set_singleshot_timer t;

    if (v != current)
        return -EINVAL;
    if (copy_from_guest(&t, arg, sizeof(t)))
        return -EFAULT;
    /* VCPU_SSHOTTMR_future is ignored, as Xen 4.17 does (vcpu.h: "can be ignored"). */
    return vcpu_set_singleshot(v, t.timeout_abs_ns);
}

static long set_periodic_timer(struct vcpu *v, uint64_t arg)
{
    struct vcpu_set_periodic_timer t;

    if (copy_from_guest(&t, arg, sizeof(t)))
        return -EFAULT;
    /* Xen's bounds: at least 1 ms, at most STIME_DELTA_MAX (2^62 ns). */
    if (t.period_ns < 1000000 || t.period_ns > (1ULL << 62))
        return -EINVAL;
    v->periodic_period = t.period_ns;
    set_timer(&v->periodic_timer, now_ns() + t.period_ns);
    return 0;
}

/* VCPUOP_up: an initialised vCPU joins the scheduler. */
static long vcpu_up(struct vcpu *v)
{
    if (!v->initialised)
        return -EINVAL;
    if (!v->up) {
        v->up = true;
        vcpu_wake(v);
    }
    return 0;
}

/* VCPUOP_down: the last vCPU going down powers the domain off, as on Xen. */
static long vcpu_down(struct vcpu *v)
{
    struct domain *d = v->domain;
    unsigned up = 0;

    for (unsigned i = 0; i < d->max_vcpus; i++)
        up += d->vcpu[i] && d->vcpu[i]->up && d->vcpu[i] != v;
    if (!up) {
        domain_shutdown(d, SHUTDOWN_poweroff);
        return 0;
    }
    v->up = false;
    if (v == current)
        vcpu_yield(v);
    return 0;
}

long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg)
{
    struct domain *d = current->domain;
    struct vcpu *v;
    struct vcpu_runstate_info rs;

    if ((unsigned)vcpuid >= d->max_vcpus || !(v = d->vcpu[(unsigned)vcpuid]))
        return -ENOENT;
    switch ((int)cmd) {
    case VCPUOP_is_up:
        return v->up;
    case VCPUOP_initialise:
        return pv_vcpu_initialise(v, arg);
    case VCPUOP_up:
        return vcpu_up(v);
    case VCPUOP_down:
        return vcpu_down(v);
    case VCPUOP_register_runstate_memory_area:
        return register_runstate(v, arg);
    case VCPUOP_get_runstate_info:
        runstate_fill(v, &rs);
        return copy_to_guest(arg, &rs, sizeof(rs));
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case VCPUOP_set_singleshot_timer:
        return set_singleshot_timer(v, arg);
    case VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -EINVAL;
        stop_timer(&v->singleshot_timer);
        return 0;
    case VCPUOP_set_periodic_timer:
        return set_periodic_timer(v, arg);
    case VCPUOP_stop_periodic_timer:
        v->periodic_period = 0;
        stop_timer(&v->periodic_timer);
        return 0;    case VCPUOP_get_physid:
        /*
         * Xen answers only for a hardware-domain vCPU pinned to its physical
         * CPU (dom0_vcpus_pin), -EINVAL otherwise; Xenolith never pins.
         */
        return -EINVAL;
    }
    return unimplemented("vcpu_op", cmd);
}
