/*
 * domctl (public/domctl.h, interface version 0x15 as Xen 4.17): the
 * toolstack's control of domains, for privileged callers only. The subset
 * a PV toolstack needs first: create, destroy, pause, unpause, domain
 * information, memory and vCPU limits, vCPU contexts and the hypercall
 * page. Other commands say -ENOSYS (logged once).
 */
#include <asm/smp.h>
#include <asm/time.h>
#include <xen/domctl.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>
#include <xenolith/spinlock.h>

static spinlock_t domctl_lock = SPINLOCK_INIT;

/*
 * getdomaininfo.flags' shutdown code (public/domctl.h, XEN_DOMINF_shutdownshift):
 * Xen shifts its code in whole, and a domain that never set one has
 * SHUTDOWN_CODE_INVALID (~0u), so a running domain's upper 16 bits are all
 * ones (0xffff0020 for a running one). libxc's shutdown_reason reads 255 then,
 * not 0 (poweroff), whether or not XEN_DOMINF_shutdown is set.
 */
static uint32_t shutdown_field(const struct domain *d)
{
    uint32_t code = d->shutdown_code == SHUTDOWN_CODE_INVALID ? 0xffffu : d->shutdown_code;

    return code << XEN_DOMINF_shutdownshift;
}

/*
 * Xen 4.17 allocates a new domain's vCPUs at XEN_DOMCTL_max_vcpus, not at
 * createdomain; Xenolith makes them at createdomain but shows them only
 * from max_vcpus on, so a toolstack sees what Xen would show in between:
 * getdomaininfo's max_vcpu_id XEN_INVALID_MAX_VCPU_ID, no online vCPU,
 * neither running nor blocked; getvcpuinfo, get/setvcpucontext and
 * vcpuaffinity of any vCPU refused as for a vCPU Xen has not made.
 */
static struct vcpu *domctl_vcpu(const struct domain *d, uint32_t id)
{
    return id < d->max_vcpus && d->vcpus_visible ? d->vcpu[id] : NULL;
}

void domain_info(const struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint64_t cpu_time = 0;
    unsigned online = 0, max_id = XEN_INVALID_MAX_VCPU_ID;
    bool running = false, blocked = true;

    memset(info, 0, sizeof(*info));
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = domctl_vcpu(d, i);

        if (!v)
            continue;
        max_id = i;
        online += v->up;
        running |= v->running;
        blocked &= v->blocked || !v->up;
        cpu_time += v->runstate.time[RUNSTATE_running] +
                    (v->running ? now_ns() - v->runstate.state_entry_time : 0);
    }
    info->domain = d->domain_id;
    info->flags = (d->is_dying ? XEN_DOMINF_dying : 0) |
                  (d->is_shutting_down ? XEN_DOMINF_shutdown : 0) |
                  (d->paused_by_controller ? XEN_DOMINF_paused : 0) |
                  /* Xen: running and blocked only describe online vCPUs. */
                  (online && running ? XEN_DOMINF_running : 0) |
                  (online && blocked ? XEN_DOMINF_blocked : 0) |
                  shutdown_field(d);
    info->tot_pages = d->nr_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = virt_to_maddr(d->shared_info) >> PAGE_SHIFT;
    info->cpu_time = cpu_time;
    info->nr_online_vcpus = online;
    info->max_vcpu_id = max_id;
    info->cpupool = 0;
    memcpy(info->handle, d->handle, sizeof(info->handle));
}

static long createdomain(struct xen_domctl *op)
{
    struct xen_domctl_createdomain *c = &op->u.createdomain;
    domid_t id = op->domain;
    struct domain *d;

    if (c->flags & (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap))
        return -EINVAL; /* PV only */
    if (!c->max_vcpus || c->max_vcpus > MAX_VIRT_CPUS)
        return -EINVAL;
    if (id == 0 || id >= DOMID_FIRST_RESERVED)
        id = domain_free_id();
    else if (domain_by_id(id))
        return -EEXIST;
    if (id == DOMID_INVALID)
        return -ENOMEM;
    d = domain_create(id, false, c->max_vcpus);
    if (!d)
        return -ENOMEM;
    d->paused_by_controller = true;
    memcpy(d->handle, c->handle, sizeof(d->handle));
    for (unsigned i = 0; i < d->max_vcpus; i++)
        d->vcpu[i]->up = false; /* VCPUOP_up or setvcpucontext + unpause bring them up */
    d->vcpus_visible = false;   /* until XEN_DOMCTL_max_vcpus, as Xen */
    op->domain = id;
    printk_ratelimited("Domain %u created (%u vCPUs)\n", id, d->max_vcpus);
    return 0;
}

static long getvcpucontext(struct domain *d, struct xen_domctl_vcpucontext *vc)
{
    static struct vcpu_guest_context c; /* under domctl_lock */
    struct vcpu *v;

    if (!(v = domctl_vcpu(d, vc->vcpu)))
        return -ESRCH;
    if (!v->initialised)
        return -ENODATA;
    memset(&c, 0, sizeof(c));
    c.flags = (v->kernel_mode ? VGCF_in_kernel : 0) | (v->fpu_initialised ? VGCF_i387_valid : 0);
    c.user_regs.rip = v->regs.rip;
    c.user_regs.rsp = v->regs.rsp;
    c.user_regs.rflags = v->regs.rflags;
    c.user_regs.cs = (uint16_t)v->regs.cs;
    c.user_regs.ss = (uint16_t)v->regs.ss;
    c.user_regs.rax = v->regs.rax;
    c.user_regs.rbx = v->regs.rbx;
    c.user_regs.rcx = v->regs.rcx;
    c.user_regs.rdx = v->regs.rdx;
    c.user_regs.rsi = v->regs.rsi;
    c.user_regs.rdi = v->regs.rdi;
    c.user_regs.rbp = v->regs.rbp;
    c.ctrlreg[3] = v->guest_table << PAGE_SHIFT;
    c.kernel_ss = v->kernel_ss;
    c.kernel_sp = v->kernel_sp;
    c.event_callback_eip = v->callbacks[CB_EVENT].address;
    c.failsafe_callback_eip = v->callbacks[CB_FAILSAFE].address;
    c.syscall_callback_eip = v->callbacks[CB_SYSCALL].address;
    c.fs_base = v->fs_base;
    c.gs_base_kernel = v->gs_base_kernel;
    c.gs_base_user = v->gs_base_user;
    return copy_to_guest((uint64_t)vc->ctxt.p, &c, sizeof(c));
}

/* XEN_DOMCTL_getvcpuinfo (`xl vcpu-list`): Xen's answers, -EINVAL past max_vcpus. */
static long getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *vi)
{
    const struct vcpu *v;

    if (vi->vcpu >= d->max_vcpus)
        return -EINVAL;
    if (!(v = domctl_vcpu(d, vi->vcpu)))
        return -ESRCH;
    vi->online = v->up;
    vi->blocked = v->blocked;
    vi->running = v->running;
    vi->cpu_time = v->runstate.time[RUNSTATE_running] +
                   (v->running ? now_ns() - v->runstate.state_entry_time : 0);
    vi->cpu = v->processor;
    return 0;
}

/*
 * XEN_DOMCTL_setvcpucontext: the vCPU's state is replaced (what the old
 * one referenced is let go); it comes up only if VGCF_online says so, as
 * Xen's arch_set_info_guest.
 */
static long setvcpucontext(struct domain *d, struct xen_domctl_vcpucontext *vc)
{
    static struct vcpu_guest_context c; /* under domctl_lock */
    struct vcpu *v;
    long rc;

    if (!(v = domctl_vcpu(d, vc->vcpu)))
        return -EINVAL;
    if (!d->paused_by_controller || d->is_dying)
        return -EBUSY;
    if (copy_from_guest(&c, (uint64_t)vc->ctxt.p, sizeof(c)))
        return -EFAULT;
    mm_lock();
    pv_vcpu_relinquish(v);
    mm_unlock();
    v->initialised = false;
    rc = pv_vcpu_initialise(v, (uint64_t)vc->ctxt.p);
    if (rc)
        return rc == -EFAULT ? rc : -EINVAL;
    v->up = (c.flags & VGCF_online) != 0;
    return 0;
}

long bitmap_to_guest(const struct xenctl_bitmap *b, unsigned set); /* cpupool.c */
long domctl_get_cpu_policy(struct xen_domctl_cpu_policy *cp);      /* pv/cpu_policy.c */
long sched_adjust(struct domain *d, struct xen_domctl_scheduler_op *op); /* schedule.c */
long domctl_set_cpu_policy(struct domain *d, struct xen_domctl_cpu_policy *cp);

/*
 * XEN_DOMCTL_{get,set}vcpuaffinity (`xl vcpu-list`, `xl vcpu-pin`): Xenolith
 * runs any vCPU anywhere: a set is accepted but changes nothing.
 */
static long vcpuaffinity(struct domain *d, struct xen_domctl_vcpuaffinity *va, bool set)
{
    /* Asked for, every CPU (Xen's default cpumask_all); after a set, the effective: the online ones. */
    unsigned cpus = set ? nr_cpus_online : NR_CPUS;
    long rc = 0;

    if (va->vcpu >= d->max_vcpus)
        return -EINVAL;
    if (!domctl_vcpu(d, va->vcpu))
        return -ESRCH;
    if (!(va->flags & (XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT)))
        return -EINVAL;
    if (va->flags & XEN_VCPUAFFINITY_HARD)
        rc = bitmap_to_guest(&va->cpumap_hard, cpus);
    if (!rc && (va->flags & XEN_VCPUAFFINITY_SOFT))
        rc = bitmap_to_guest(&va->cpumap_soft, cpus);
    return rc;
}

/*
 * XEN_DOMCTL_settscinfo / gettscinfo (domctl.h, struct xen_domctl_tsc_info):
 * a PV guest reads the TSC natively and scales it by its pvclock, so the
 * default mode and never-emulate are what Xenolith does; always-emulate
 * (mode 1, rdtsc trapped) is not offered: -EOPNOTSUPP.
 */
#define TSC_MODE_ALWAYS_EMULATE 1
#define TSC_MODE_NEVER_EMULATE 2

static long tscinfo(struct domain *d, struct xen_domctl_tsc_info *ti, bool set)
{
    if (!set) {
        ti->tsc_mode = d->tsc_mode;
        ti->gtsc_khz = (uint32_t)tsc_khz;
        ti->incarnation = d->tsc_incarnation;
        ti->elapsed_nsec = now_ns();
        return 0;
    }
    if (ti->tsc_mode == TSC_MODE_ALWAYS_EMULATE)
        return -EOPNOTSUPP;
    if (ti->tsc_mode != 0 && ti->tsc_mode != TSC_MODE_NEVER_EMULATE)
        return -EINVAL;
    d->tsc_mode = ti->tsc_mode;
    d->tsc_incarnation = ti->incarnation;
    return 0;
}

/* One NUMA node: a node affinity must include it; the answer is always it. */
static long nodeaffinity(struct xen_domctl_nodeaffinity *na, bool set)
{
    uint8_t first;

    if (!set)
        return bitmap_to_guest(&na->nodemap, 1);
    if (!na->nodemap.nr_bits || copy_from_guest(&first, (uint64_t)na->nodemap.bitmap.p, 1))
        return na->nodemap.nr_bits ? -EFAULT : -EINVAL;
    return (first & 1) ? 0 : -EINVAL;
}

static long domctl_on(struct xen_domctl *op, struct domain *d, bool *copyback)
{
    switch (op->cmd) {
    case XEN_DOMCTL_destroydomain:
        if (d == current->domain || d->is_hardware)
            return -EINVAL;
        domain_destroy(d);
        return 0;
    case XEN_DOMCTL_pausedomain:
        if (d == current->domain)
            return -EINVAL;
        d->paused_by_controller = true;
        return 0;
    case XEN_DOMCTL_unpausedomain:
        d->paused_by_controller = false;
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpu[i])
                vcpu_wake(d->vcpu[i]);
        return 0;
    case XEN_DOMCTL_max_mem:
        if (d->is_dying)
            return -EINVAL;
        d->max_pages = op->u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        return 0;
    case XEN_DOMCTL_max_vcpus:
        /* Xen 4.17: the number is createdomain's, and no domain does it to itself. */
        if (op->u.max_vcpus.max != d->max_vcpus || d == current->domain)
            return -EINVAL;
        d->vcpus_visible = true;
        return 0;
    case XEN_DOMCTL_setvcpucontext:
        return setvcpucontext(d, &op->u.vcpucontext);
    case XEN_DOMCTL_getvcpuinfo:
        *copyback = true;
        return getvcpuinfo(d, &op->u.getvcpuinfo);
    case XEN_DOMCTL_getvcpuaffinity:
    case XEN_DOMCTL_setvcpuaffinity:
        return vcpuaffinity(d, &op->u.vcpuaffinity, op->cmd == XEN_DOMCTL_setvcpuaffinity);
    case XEN_DOMCTL_settscinfo:
    case XEN_DOMCTL_gettscinfo:
        *copyback = op->cmd == XEN_DOMCTL_gettscinfo;
        return tscinfo(d, &op->u.tsc_info, op->cmd == XEN_DOMCTL_settscinfo);
    case XEN_DOMCTL_get_cpu_policy:
        *copyback = true;
        return domctl_get_cpu_policy(&op->u.cpu_policy);
    case XEN_DOMCTL_set_cpu_policy: {
        long rc = domctl_set_cpu_policy(d, &op->u.cpu_policy);

        *copyback = rc == -ERANGE; /* err_leaf and err_subleaf say which */
        return rc;
    }
    case XEN_DOMCTL_scheduler_op:
        *copyback = op->u.scheduler_op.cmd == XEN_DOMCTL_SCHEDOP_getinfo;
        return sched_adjust(d, &op->u.scheduler_op);
    case XEN_DOMCTL_set_address_size:
        /* 64-bit PV only: a 32-bit (compat) guest is not supported. */
        if (op->u.address_size.size == 64)
            return 0;
        return op->u.address_size.size == 32 ? -EOPNOTSUPP : -EINVAL;
    case XEN_DOMCTL_get_address_size:
        op->u.address_size.size = 64;
        *copyback = true;
        return 0;
    case XEN_DOMCTL_setnodeaffinity:
    case XEN_DOMCTL_getnodeaffinity:
        return nodeaffinity(&op->u.nodeaffinity, op->cmd == XEN_DOMCTL_setnodeaffinity);
    case XEN_DOMCTL_getvcpucontext:
        return getvcpucontext(d, &op->u.vcpucontext);
    case XEN_DOMCTL_hypercall_init: {
        struct page_info *pg = mfn_to_page(op->u.hypercall_init.gmfn);

        if (!owned_domain_frame(pg, d))
            return -EINVAL;
        hypercall_page_fill(mfn_to_virt(op->u.hypercall_init.gmfn));
        return 0;
    }
    case XEN_DOMCTL_setdomainhandle:
        memcpy(d->handle, op->u.setdomainhandle.handle, sizeof(d->handle));
        return 0;
    }
    (void)copyback;
    return unimplemented("domctl", op->cmd);
}

static long domctl(struct xen_domctl *op, bool *copyback)
{
    struct domain *d;
    domid_t id;

    switch (op->cmd) {
    case XEN_DOMCTL_createdomain:
        *copyback = true;
        return createdomain(op);
    case XEN_DOMCTL_getdomaininfo:
        /* Xen 4.17: the first domain whose id is at least the one asked for. */
        if (op->domain >= DOMID_FIRST_RESERVED)
            return -EINVAL;
        id = op->domain;
        d = domain_iterate(&id);
        if (!d)
            return -ESRCH;
        domain_info(d, &op->u.getdomaininfo);
        op->domain = d->domain_id;
        *copyback = true;
        return 0;
    }
    d = domain_by_id(op->domain);
    if (!d)
        return -ESRCH;
    *copyback = op->cmd == XEN_DOMCTL_getvcpucontext;
    return domctl_on(op, d, copyback);
}

/* Frees the domains gone since the last look, when no domctl holds a pointer to one. */
void domctl_reap(void)
{
    spin_lock(&domctl_lock);
    mm_lock();
    domain_reap();
    mm_unlock();
    spin_unlock(&domctl_lock);
}

long do_domctl(uint64_t arg)
{
    struct xen_domctl op;
    bool copyback = false;
    long rc;

    if (!current->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    spin_lock(&domctl_lock);
    mm_lock();
    domain_reap();
    mm_unlock();
    rc = domctl(&op, &copyback);
    spin_unlock(&domctl_lock);
    /* Results, and on some errors what went wrong (set_cpu_policy's err_leaf). */
    if (copyback && (!rc || rc == -ERANGE) && copy_to_guest(arg, &op, sizeof(op)))
        return -EFAULT;
    return rc;
}
