/*
 * Domains: creation, shutdown and crash, and vm_assist (public/xen.h:
 * VMASST_*). Dom0 is the hardware domain: its shutdown ends the machine.
 */
#include <asm/irq.h>
#include <asm/page.h>
#include <xen/sched.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
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

domid_t domain_free_id(void)
{
    for (domid_t id = 1; id < DOMID_FIRST_RESERVED; id++)
        if (!domain_by_id(id))
            return id;
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

/* Frees everything d owns. Its vCPUs must be paused and off every CPU. */
void domain_destroy(struct domain *d)
{
    d->is_dying = true;
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];

        if (!v)
            continue;
        while (__atomic_load_n(&v->running, __ATOMIC_ACQUIRE))
            __asm__ volatile("pause");
        stop_timer(&v->singleshot_timer);
        stop_timer(&v->periodic_timer);
        stop_timer(&v->poll_timer);
    }
    for (unsigned i = 0; i < NR_WATCHDOGS; i++)
        if (d->watchdog_armed[i])
            stop_timer(&d->watchdog[i]);
    mm_lock();
    /* Its tables only reference its own frames: every one goes back, whatever its counts. */
    frames_lock();
    for (uint64_t mfn = 0; mfn < frame_table.nr; mfn++) {
        struct page_info *pg = &frame_table.pages[mfn];

        if (pg->state == FRAME_DOMAIN && pg->owner == d->domain_id) {
            set_m2p(mfn, ~0UL);
            pg->count = pg->type_count = 0;
            frames_free(&frame_table, mfn, 1);
        }
    }
    frames_unlock();
    mm_unlock();
    pirq_domain_destroy(d);
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (domain_list[i] == d)
            domain_list[i] = NULL;
    printk("Domain %u destroyed\n", d->domain_id);
}

void domain_shutdown(struct domain *d, unsigned reason)
{
    /* A code set by SCHEDOP_shutdown_code wins over the reason given now. */
    if (d->shutdown_code == SHUTDOWN_CODE_INVALID)
        d->shutdown_code = (uint8_t)reason;
    if (d->is_hardware)
        hwdom_shutdown(d, d->shutdown_code);
    d->is_shutting_down = true;
    /* The toolstack learns of it through VIRQ_DOM_EXC (public/xen.h). */
    if (domain_by_id(0))
        send_guest_global_virq(domain_by_id(0), VIRQ_DOM_EXC);
}

noreturn void domain_crash(struct domain *d, const char *why)
{
    printk("Domain %u (vcpu#0) crashed: %s\n", d->domain_id, why);
    domain_shutdown(d, SHUTDOWN_crash);
    /* Only the hardware domain exists yet, and its shutdown does not return. */
    panic("domain %u crashed and no other domain can run", d->domain_id);
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
