/*
 * Event channels (public/event_channel.h), the 2-level ABI. Every sub-op
 * has the same shape: copy the argument struct in, run a worker on kernel
 * pointers, copy results back on success. A domain acts on its own ports;
 * naming another domain needs privilege. FIFO channels are not offered:
 * EVTCHNOP_init_control says -ENOSYS and guests stay on 2-level, as on a
 * Xen without FIFO.
 */
#include <asm/irq.h>
#include <xenolith/cmdline.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/page_alloc.h>
#include <xenolith/sched.h>

#define EVTCHN_PAGES ((EVTCHN_2L_NR * sizeof(struct evtchn) + PAGE_SIZE - 1) / PAGE_SIZE)
#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

static bool opt_evtchn_debug;
PARAM_BOOL("evtchn_debug", opt_evtchn_debug);

int evtchn_init(struct domain *d)
{
    d->evtchn = alloc_xen_pages(EVTCHN_PAGES);
    if (!d->evtchn)
        return -ENOMEM;
    d->evtchn[0].state = ECS_RESERVED;
    return 0;
}

static bool test_and_set(volatile xen_ulong_t *words, unsigned bit)
{
    bool old;

    __asm__ volatile("lock btsq %2, %0; setc %1"
                     : "+m"(words[bit / BITS_PER_WORD]), "=r"(old)
                     : "r"((xen_ulong_t)(bit % BITS_PER_WORD))
                     : "memory", "cc");
    return old;
}

static bool test_and_clear(volatile xen_ulong_t *words, unsigned bit)
{
    bool old;

    __asm__ volatile("lock btrq %2, %0; setc %1"
                     : "+m"(words[bit / BITS_PER_WORD]), "=r"(old)
                     : "r"((xen_ulong_t)(bit % BITS_PER_WORD))
                     : "memory", "cc");
    return old;
}

static void clear_bit(volatile xen_ulong_t *words, unsigned bit)
{
    __asm__ volatile("lock btrq %1, %0"
                     : "+m"(words[bit / BITS_PER_WORD])
                     : "r"((xen_ulong_t)(bit % BITS_PER_WORD))
                     : "memory", "cc");
}

static bool test_bit(const volatile xen_ulong_t *words, unsigned bit)
{
    return (words[bit / BITS_PER_WORD] >> (bit % BITS_PER_WORD)) & 1;
}

bool evtchn_is_pending(const struct domain *d, evtchn_port_t port)
{
    return test_bit(d->shared_info->evtchn_pending, port);
}

bool vcpu_event_pending(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending;
}

/* Sets the selector bit and the upcall flag, and wakes the vCPU if needed. */
static void mark_pending(struct vcpu *v, evtchn_port_t port)
{
    if (!test_and_set((volatile xen_ulong_t *)&v->vcpu_info->evtchn_pending_sel,
                      port / BITS_PER_WORD)) {
        v->vcpu_info->evtchn_upcall_pending = 1;
        vcpu_kick(v);
    }
}

void evtchn_set_pending(struct vcpu *v, evtchn_port_t port)
{
    shared_info_t *s = v->domain->shared_info;

    if (test_and_set(s->evtchn_pending, port))
        return;
    if (!test_bit(s->evtchn_mask, port))
        mark_pending(v, port);
    /* SCHEDOP_poll waits on ports, masked or not, whatever the selector says. */
    if (v->polling)
        vcpu_kick(v);
}

static struct vcpu *notify_vcpu(struct domain *d, const struct evtchn *c)
{
    struct vcpu *v = c->notify_vcpu < d->max_vcpus ? d->vcpu[c->notify_vcpu] : NULL;

    return v ? v : d->vcpu[0];
}

static bool virq_is_global(unsigned virq)
{
    return virq == VIRQ_CONSOLE || virq == VIRQ_DOM_EXC || virq == VIRQ_TBUF ||
           virq == VIRQ_DEBUGGER || (virq >= VIRQ_CON_RING && virq <= VIRQ_ENOMEM) ||
           virq == VIRQ_ARCH_0 /* VIRQ_MCA */;
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned virq)
{
    evtchn_port_t port = v->virq_to_evtchn[virq];

    if (port)
        evtchn_set_pending(v, port);
}

void evtchn_notify(struct domain *d, evtchn_port_t port)
{
    if (port && port < EVTCHN_2L_NR && d->evtchn[port].state == ECS_PIRQ)
        evtchn_set_pending(notify_vcpu(d, &d->evtchn[port]), port);
}

void send_guest_global_virq(struct domain *d, unsigned virq)
{
    struct vcpu *v0 = d->vcpu[0];
    evtchn_port_t port = v0 ? v0->virq_to_evtchn[virq] : 0;

    if (port)
        evtchn_set_pending(notify_vcpu(d, &d->evtchn[port]), port);
}

static long get_free_port(struct domain *d)
{
    for (evtchn_port_t p = 1; p < EVTCHN_2L_NR; p++)
        if (d->evtchn[p].state == ECS_FREE) {
            d->evtchn[p].notify_vcpu = 0;
            return p;
        }
    return -ENOSPC;
}

static struct evtchn *port_of(struct domain *d, evtchn_port_t port)
{
    return port && port < EVTCHN_2L_NR && d->evtchn[port].state != ECS_FREE ? &d->evtchn[port]
                                                                           : NULL;
}

/* The domain a sub-op names: oneself, or anyone for a privileged caller. */
static struct domain *named_domain(domid_t id, long *rc)
{
    struct domain *d = domain_by_id(id);

    if (!d) {
        *rc = -ESRCH;
        return NULL;
    }
    if (d != current->domain && !current->domain->is_privileged) {
        *rc = -EPERM;
        return NULL;
    }
    return d;
}

static long alloc_unbound(evtchn_alloc_unbound_t *a)
{
    long rc = 0, port;
    struct domain *d = named_domain(a->dom, &rc);
    domid_t remote = a->remote_dom == DOMID_SELF ? current->domain->domain_id : a->remote_dom;

    if (!d)
        return rc;
    port = get_free_port(d);
    if (port < 0)
        return port;
    d->evtchn[port].state = ECS_UNBOUND;
    d->evtchn[port].u.unbound_remote = remote;
    a->port = (evtchn_port_t)port;
    return 0;
}

static long bind_interdomain(evtchn_bind_interdomain_t *b)
{
    struct domain *ld = current->domain;
    domid_t rid = b->remote_dom == DOMID_SELF ? ld->domain_id : b->remote_dom;
    struct domain *rd = domain_by_id(rid);
    struct evtchn *rc_, *lc;
    long lport;

    if (!rd)
        return -ESRCH;
    rc_ = port_of(rd, b->remote_port);
    if (!rc_ || rc_->state != ECS_UNBOUND || rc_->u.unbound_remote != ld->domain_id)
        return -EINVAL;
    lport = get_free_port(ld);
    if (lport < 0)
        return lport;
    lc = &ld->evtchn[lport];
    lc->state = ECS_INTERDOMAIN;
    lc->u.interdomain.dom = rd;
    lc->u.interdomain.port = b->remote_port;
    rc_->state = ECS_INTERDOMAIN;
    rc_->u.interdomain.dom = ld;
    rc_->u.interdomain.port = (evtchn_port_t)lport;
    b->local_port = (evtchn_port_t)lport;
    /* Anything sent while unbound is visible now. */
    evtchn_set_pending(notify_vcpu(ld, lc), (evtchn_port_t)lport);
    return 0;
}

static long bind_virq(evtchn_bind_virq_t *b)
{
    struct domain *d = current->domain;
    struct vcpu *v;
    long port;

    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    if (virq_is_global(b->virq) && b->vcpu != 0)
        return -EINVAL;
    if (b->vcpu >= d->max_vcpus || !(v = d->vcpu[b->vcpu]))
        return -ENOENT;
    if (v->virq_to_evtchn[b->virq])
        return -EEXIST;
    port = get_free_port(d);
    if (port < 0)
        return port;
    d->evtchn[port].state = ECS_VIRQ;
    d->evtchn[port].notify_vcpu = (uint16_t)b->vcpu;
    d->evtchn[port].u.virq = b->virq;
    v->virq_to_evtchn[b->virq] = (evtchn_port_t)port;
    b->port = (evtchn_port_t)port;
    return 0;
}

static long bind_ipi(evtchn_bind_ipi_t *b)
{
    struct domain *d = current->domain;
    long port;

    if (b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu])
        return -ENOENT;
    port = get_free_port(d);
    if (port < 0)
        return port;
    d->evtchn[port].state = ECS_IPI;
    d->evtchn[port].notify_vcpu = (uint16_t)b->vcpu;
    b->port = (evtchn_port_t)port;
    return 0;
}

/* Closes a port of d; the other end of an interdomain channel waits for a new peer. */
static long bind_pirq(evtchn_bind_pirq_t *b)
{
    struct domain *d = current->domain;
    long port = get_free_port(d), rc;

    if (port < 0)
        return port;
    rc = pirq_bind(d, b->pirq, (evtchn_port_t)port);
    if (rc)
        return rc;
    d->evtchn[port].state = ECS_PIRQ;
    d->evtchn[port].u.pirq = b->pirq;
    b->port = (evtchn_port_t)port;
    return 0;
}

static long close_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn *c = port_of(d, port), *peer;

    if (!c || c->state == ECS_RESERVED)
        return -EINVAL;
    switch (c->state) {
    case ECS_VIRQ: {
        struct vcpu *v = d->vcpu[c->notify_vcpu];

        if (v && v->virq_to_evtchn[c->u.virq] == port)
            v->virq_to_evtchn[c->u.virq] = 0;
        break;
    }
    case ECS_PIRQ:
        pirq_unbind(d, c->u.pirq);
        break;
    case ECS_INTERDOMAIN:
        peer = &c->u.interdomain.dom->evtchn[c->u.interdomain.port];
        peer->state = ECS_UNBOUND;
        peer->u.unbound_remote = d->domain_id;
        break;
    }
    clear_bit(d->shared_info->evtchn_pending, port);
    memset(c, 0, sizeof(*c));
    return 0;
}

static long send(evtchn_port_t port)
{
    struct domain *d = current->domain, *rd;
    struct evtchn *c = port_of(d, port);

    if (!c)
        return -EINVAL;
    switch (c->state) {
    case ECS_INTERDOMAIN:
        rd = c->u.interdomain.dom;
        evtchn_set_pending(notify_vcpu(rd, &rd->evtchn[c->u.interdomain.port]),
                           c->u.interdomain.port);
        return 0;
    case ECS_IPI:
        if (opt_evtchn_debug)
            printk("d%uv%u: IPI port %u -> v%u\n", d->domain_id, current->vcpu_id, port,
                   c->notify_vcpu);
        evtchn_set_pending(notify_vcpu(d, c), port);
        return 0;
    case ECS_UNBOUND:
        return 0; /* nobody listens yet: dropped, as on Xen */
    }
    return -EINVAL;
}

static long status(evtchn_status_t *st)
{
    long rc = 0;
    struct domain *d = named_domain(st->dom, &rc);
    struct evtchn *c;

    if (!d)
        return rc;
    if (st->port >= EVTCHN_2L_NR)
        return -EINVAL;
    c = &d->evtchn[st->port];
    st->vcpu = c->notify_vcpu;
    memset(&st->u, 0, sizeof(st->u));
    switch (c->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        st->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = c->u.unbound_remote;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = c->u.interdomain.dom->domain_id;
        st->u.interdomain.port = c->u.interdomain.port;
        break;
    case ECS_PIRQ:
        st->status = EVTCHNSTAT_pirq;
        st->u.pirq = c->u.pirq;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = c->u.virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    }
    return 0;
}

static long bind_vcpu(const evtchn_bind_vcpu_t *b)
{
    struct domain *d = current->domain;
    struct evtchn *c = port_of(d, b->port);

    if (b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu])
        return -ENOENT;
    if (!c)
        return -EINVAL;
    switch (c->state) {
    case ECS_VIRQ:
        if (!virq_is_global(c->u.virq))
            return -EINVAL;
        /* fall through */
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
    case ECS_PIRQ:
        c->notify_vcpu = (uint16_t)b->vcpu;
        return 0;
    }
    return -EINVAL;
}

static long unmask(evtchn_port_t port)
{
    struct domain *d = current->domain;
    struct evtchn *c = port_of(d, port);
    shared_info_t *s = d->shared_info;

    if (port >= EVTCHN_2L_NR)
        return -EINVAL;
    /* A port that became pending while masked raises its upcall now (only then). */
    if (test_and_clear(s->evtchn_mask, port) && test_bit(s->evtchn_pending, port))
        mark_pending(c ? notify_vcpu(d, c) : d->vcpu[0], port);
    return 0;
}

static long reset(const evtchn_reset_t *r)
{
    long rc = 0;
    struct domain *d = named_domain(r->dom, &rc);

    if (!d)
        return rc;
    for (evtchn_port_t p = 1; p < EVTCHN_2L_NR; p++)
        if (d->evtchn[p].state != ECS_FREE)
            close_port(d, p);
    return 0;
}

/*
 * A dying domain's ports all close (as Xen's evtchn_destroy): the other
 * end of each interdomain channel becomes unbound, waiting for the dead
 * domain's id, until its owner closes it.
 */
void evtchn_destroy(struct domain *d)
{
    for (evtchn_port_t p = 1; p < EVTCHN_2L_NR; p++)
        if (d->evtchn[p].state != ECS_FREE)
            close_port(d, p);
}

void evtchn_free(struct domain *d)
{
    free_xen_pages(d->evtchn, EVTCHN_PAGES);
    d->evtchn = NULL;
}

long do_event_channel_op(uint64_t cmd, uint64_t arg)
{
    switch ((int)cmd) {
    case EVTCHNOP_alloc_unbound: COPY_OP(evtchn_alloc_unbound_t, a, alloc_unbound(&a), true);
    case EVTCHNOP_bind_interdomain: COPY_OP(evtchn_bind_interdomain_t, b, bind_interdomain(&b), true);
    case EVTCHNOP_bind_virq: COPY_OP(evtchn_bind_virq_t, b, bind_virq(&b), true);
    case EVTCHNOP_bind_ipi: COPY_OP(evtchn_bind_ipi_t, b, bind_ipi(&b), true);
    case EVTCHNOP_close: COPY_OP(evtchn_close_t, c, close_port(current->domain, c.port), false);
    case EVTCHNOP_send: COPY_OP(evtchn_send_t, s, send(s.port), false);
    case EVTCHNOP_status: COPY_OP(evtchn_status_t, st, status(&st), true);
    case EVTCHNOP_bind_vcpu: COPY_OP(evtchn_bind_vcpu_t, b, bind_vcpu(&b), false);
    case EVTCHNOP_unmask: COPY_OP(evtchn_unmask_t, u, unmask(u.port), false);
    case EVTCHNOP_reset: COPY_OP(evtchn_reset_t, r, reset(&r), false);
    case EVTCHNOP_bind_pirq: COPY_OP(evtchn_bind_pirq_t, b, bind_pirq(&b), true);
    case EVTCHNOP_init_control:
    case EVTCHNOP_expand_array:
    case EVTCHNOP_set_priority:
        return -ENOSYS; /* FIFO: not offered; guests use 2-level */
    }
    return unimplemented("event_channel_op", cmd);
}
