/*
 * Domains: creation, shutdown and crash, and vm_assist (public/xen.h:
 * VMASST_*). Dom0 is the hardware domain: its shutdown ends the machine.
 */
#include <asm/irq.h>
#include <asm/page.h>
#include <xen/sched.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>
#include <xenolith/shutdown.h>

/* The assists Xen 4.17 accepts from a 64-bit PV guest (PV64_VM_ASSIST_MASK). */
#define PV64_VM_ASSIST_MASK                                                  \
    ((1UL << VMASST_TYPE_4gb_segments) | (1UL << VMASST_TYPE_4gb_segments_notify) | \
     (1UL << VMASST_TYPE_writable_pagetables) | (1UL << VMASST_TYPE_pae_extended_cr3) | \
     (1UL << VMASST_TYPE_architectural_iopl) | (1UL << VMASST_TYPE_runstate_update_flag) | \
     (1UL << VMASST_TYPE_m2p_strict))

#define VCPU_PAGES ((sizeof(struct vcpu) + PAGE_SIZE - 1) / PAGE_SIZE)
#define DEFAULT_WEIGHT 256 /* Xen's credit scheduler default */

#define MAX_DOMAINS 64

static struct domain *domain_list[MAX_DOMAINS];

struct domain *domain_by_id(domid_t id)
{
    if (id == DOMID_SELF)
        return current->domain;
    for (unsigned i = 0; i < ARRAY_SIZE(domain_list); i++)
        if (domain_list[i] && domain_list[i]->domain_id == id)
            return domain_list[i];
    return NULL;
}

/*
 * Ids go round as Xen's createdomain hands them out: the next free one
 * after the last given, wrapping past DOMID_FIRST_RESERVED to 1. An id just
 * freed is not given again at once: libxl (4.17's domid history) refuses an
 * id destroyed in the last 60 s, destroys the new domain and asks again, so
 * lowest-free ids made it create and destroy domain 1 for a minute.
 */
domid_t domain_free_id(void)
{
    static domid_t rover; /* under the domctl lock */
    domid_t id = rover;

    for (unsigned n = 1; n < DOMID_FIRST_RESERVED; n++) {
        id = (unsigned)id + 1 >= DOMID_FIRST_RESERVED ? 1 : id + 1;
        if (!domain_by_id(id))
            return rover = id;
    }
    return DOMID_INVALID;
}

struct domain *domain_iterate(domid_t *id)
{
    struct domain *best = NULL;

    for (unsigned i = 0; i < ARRAY_SIZE(domain_list); i++)
        if (domain_list[i] && domain_list[i]->domain_id >= *id &&
            (!best || domain_list[i]->domain_id < best->domain_id))
            best = domain_list[i];
    if (best)
        *id = best->domain_id + 1;
    return best;
}

static struct vcpu *vcpu_create(struct domain *d, unsigned id)
{
    struct vcpu *v = alloc_xen_pages(VCPU_PAGES);

    if (!v)
        return NULL;
    v->domain = d;
    v->vcpu_id = id;
    v->vcpu_info = &d->shared_info->vcpu_info[id];
    v->runstate.state = RUNSTATE_offline;
    vcpu_timers_init(v);
    d->vcpu[id] = v;
    return v;
}

struct domain *domain_create(domid_t id, bool privileged, unsigned max_vcpus)
{
    struct domain *d = alloc_xen_pages(1);
    uint64_t si_mfn;

    _Static_assert(sizeof(struct domain) <= PAGE_SIZE, "struct domain fits a page");
    if (!d)
        return NULL;
    d->domain_id = id;
    si_mfn = alloc_domain_frames(d, 1); /* the guest maps it: it is d's frame */
    if (si_mfn == INVALID_MFN || evtchn_init(d))
        return NULL;
    d->shared_info = mfn_to_virt(si_mfn);
    mfn_to_page(si_mfn)->flags |= PGF_special; /* never exchanged away under us */
    d->is_privileged = privileged;
    d->is_hardware = privileged && id == 0;
    d->vcpus_visible = true; /* createdomain hides them until max_vcpus */
    d->shutdown_code = SHUTDOWN_CODE_INVALID;
    d->weight = DEFAULT_WEIGHT;
    d->max_vcpus = MIN(MAX(max_vcpus, 1u), (unsigned)MAX_VIRT_CPUS);
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (!vcpu_create(d, i))
            return NULL;
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (!domain_list[i]) {
            domain_list[i] = d;
            return d;
        }
    return NULL;
}

/* Its vCPUs drop the references their state holds (page tables, GDT, LDT pages). */
static void vcpu_relinquish(struct vcpu *v)
{
    sched_remove_vcpu(v);
    stop_timer(&v->singleshot_timer);
    stop_timer(&v->periodic_timer);
    stop_timer(&v->poll_timer);
    mm_lock();
    pv_vcpu_relinquish(v);
    mm_unlock();
}

/*
 * Xen's domain_kill: the domain is dying from now on (nothing of it runs
 * again), lets go of its vCPUs' state, its ports, its grant mappings, its
 * pirqs and its own references on its frames. What other domains still
 * map keeps those frames, and the domain, until they unmap them.
 */
void domain_destroy(struct domain *d)
{
    if (d->is_dying)
        return; /* already killed: Xen answers 0 again */
    d->is_dying = true;
    d->paused_by_controller = true;
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_relinquish(d->vcpu[i]);
    for (unsigned i = 0; i < NR_WATCHDOGS; i++)
        if (d->watchdog_armed[i])
            stop_timer(&d->watchdog[i]);
    evtchn_destroy(d);
    pirq_domain_destroy(d);
    mm_lock();
    grant_table_release(d);
    d->relinquished = true;
    d->nr_frames++; /* held while relinquishing: the last frame must not free d under us */
    relinquish_domain_frames(d);
    printk_ratelimited("Domain %u destroyed\n", d->domain_id);
    if (d->nr_frames > 1)
        printk_ratelimited("Domain %u: %lu frames still mapped by other domains\n", d->domain_id,
               (unsigned long)d->nr_frames - 1);
    domid_t id = d->domain_id;
    if (!--d->nr_frames)
        domain_last_frame_gone(d);
    mm_unlock();
    /* The toolstack learns of it through VIRQ_DOM_EXC (public/xen.h), as from Xen's domain_kill. */
    if (domain_by_id(0) && id != 0)
        send_guest_global_virq(domain_by_id(0), VIRQ_DOM_EXC);
}

static struct domain *dead_domains;
void memory_map_free(struct domain *d); /* memory_map.c */

/* The dying domain leaves the list (its id is free again); its memory goes at the next reap. */
void domain_last_frame_gone(struct domain *d)
{
    if (!d->relinquished)
        return;
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (domain_list[i] == d)
            domain_list[i] = NULL;
    d->next_dead = dead_domains;
    dead_domains = d;
    /* As Xen's complete_domain_destroy: xenstored then sees it gone (@releaseDomain). */
    if (domain_by_id(0))
        send_guest_global_virq(domain_by_id(0), VIRQ_DOM_EXC);
}

/*
 * Deferred so that no hypercall in progress (a grant unmap that freed the
 * last frame, say) holds a pointer to freed memory: called at the start of
 * domctl and sysctl (domctl_reap), under the domctl and mm locks.
 */
void domain_reap(void)
{
    while (dead_domains) {
        struct domain *d = dead_domains;

        dead_domains = d->next_dead;
        grant_table_free(d);
        memory_map_free(d);
        evtchn_free(d);
        for (unsigned i = 0; i < d->max_vcpus; i++)
            if (d->vcpu[i])
                free_xen_pages(d->vcpu[i], VCPU_PAGES);
        free_xen_pages(d, 1);
    }
}

void domain_shutdown(struct domain *d, unsigned reason)
{
    /* A code set by SCHEDOP_shutdown_code wins over the reason given now. */
    if (d->shutdown_code == SHUTDOWN_CODE_INVALID)
        d->shutdown_code = (uint8_t)reason;
    if (d->is_hardware)
        hwdom_shutdown(d, d->shutdown_code);
    d->is_shutting_down = true;
    /* Its other vCPUs stop too: they are not runnable any more, make their CPUs look. */
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i] && d->vcpu[i] != current)
            vcpu_kick(d->vcpu[i]);
    /* The toolstack learns of it through VIRQ_DOM_EXC (public/xen.h). */
    if (domain_by_id(0))
        send_guest_global_virq(domain_by_id(0), VIRQ_DOM_EXC);
}

noreturn void domain_crash(struct domain *d, const char *why)
{
    printk_ratelimited("Domain %u (vcpu#0) crashed: %s\n", d->domain_id, why);
    /* Xen's domain_crash: the shutdown code is crash, whatever the guest set before. */
    d->shutdown_code = SHUTDOWN_crash;
    domain_shutdown(d, SHUTDOWN_crash);
    /* The hardware domain's shutdown does not return; another's: switch away for good. */
    leave_dead_vcpu();
}

long do_vm_assist(uint64_t cmd, uint64_t type)
{
    struct domain *d = current->domain;

    if ((unsigned)type >= 64 || !(PV64_VM_ASSIST_MASK & (1UL << (unsigned)type)))
        return -EINVAL;
    switch ((unsigned)cmd) {
    case VMASST_CMD_enable:
        d->vm_assist |= 1UL << (unsigned)type;
        return 0;
    case VMASST_CMD_disable:
        d->vm_assist &= ~(1UL << (unsigned)type);
        return 0;
    }
    return -ENOSYS;
}
