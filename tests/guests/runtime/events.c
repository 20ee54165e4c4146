/*
 * Event channels for the test kernels (events.h).
 */
#include "events.h"

volatile unsigned int upcall_count;
volatile unsigned int port_upcalls[EVTCHN_PORTS];
struct trap_record last_upcall;
volatile unsigned int upcalls_unmasked;
upcall_hook_t upcall_hook;

/* Sub-ops ---------------------------------------------------------------- */

static long evtchn_op(unsigned int cmd, void *arg)
{
    return hypercall_event_channel_op(cmd, (unsigned long)arg);
}

long evtchn_alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote };
    long rc = evtchn_op(EVTCHNOP_alloc_unbound, &op);

    if (!rc && port)
        *port = op.port;
    return rc;
}

long evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
                             evtchn_port_t *local)
{
    struct evtchn_bind_interdomain op = { .remote_dom = remote_dom,
                                          .remote_port = remote_port };
    long rc = evtchn_op(EVTCHNOP_bind_interdomain, &op);

    if (!rc && local)
        *local = op.local_port;
    return rc;
}

long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = { .virq = virq, .vcpu = vcpu };
    long rc = evtchn_op(EVTCHNOP_bind_virq, &op);

    if (!rc && port)
        *port = op.port;
    return rc;
}

long evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi op = { .vcpu = vcpu };
    long rc = evtchn_op(EVTCHNOP_bind_ipi, &op);

    if (!rc && port)
        *port = op.port;
    return rc;
}

long evtchn_bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu op = { .port = port, .vcpu = vcpu };

    return evtchn_op(EVTCHNOP_bind_vcpu, &op);
}

long evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = { .port = port };

    return evtchn_op(EVTCHNOP_close, &op);
}

long evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = { .port = port };

    return evtchn_op(EVTCHNOP_send, &op);
}

long evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask op = { .port = port };

    return evtchn_op(EVTCHNOP_unmask, &op);
}

long evtchn_status(domid_t dom, evtchn_port_t port, evtchn_status_t *st)
{
    memset(st, 0xa5, sizeof(*st));     /* so that a field left alone shows */
    st->dom = dom;
    st->port = port;
    return evtchn_op(EVTCHNOP_status, st);
}

void evtchn_loopback(evtchn_port_t *a, evtchn_port_t *b)
{
    long rc = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, a);

    if (rc)
        test_error("alloc_unbound(DOMID_SELF, DOMID_SELF) = %ld", rc);
    rc = evtchn_bind_interdomain(DOMID_SELF, *a, b);
    if (rc)
        test_error("bind_interdomain(DOMID_SELF, %u) = %ld", *a, rc);
    port_clear_pending(*b);
    if (upcall_mask())
        events_clear_all();
}

/* 2-level state ---------------------------------------------------------- */

static volatile xen_ulong_t *pending_words(void)
{
    return shared_info->evtchn_pending;
}

static volatile xen_ulong_t *mask_words(void)
{
    return shared_info->evtchn_mask;
}

static bool bit_test(volatile xen_ulong_t *w, unsigned int bit)
{
    return (w[bit / EVTCHN_WORD_BITS] >> (bit % EVTCHN_WORD_BITS)) & 1;
}

/* Locked, as the hypervisor updates the same words concurrently. */
static void bit_set(volatile xen_ulong_t *w, unsigned int bit)
{
    asm volatile("lock btsq %1, %0"
                 : "+m"(w[bit / EVTCHN_WORD_BITS])
                 : "r"((xen_ulong_t)(bit % EVTCHN_WORD_BITS))
                 : "memory", "cc");
}

static void bit_clear(volatile xen_ulong_t *w, unsigned int bit)
{
    asm volatile("lock btrq %1, %0"
                 : "+m"(w[bit / EVTCHN_WORD_BITS])
                 : "r"((xen_ulong_t)(bit % EVTCHN_WORD_BITS))
                 : "memory", "cc");
}

static xen_ulong_t xchg_word(volatile xen_ulong_t *w, xen_ulong_t v)
{
    asm volatile("xchgq %0, %1" : "+r"(v), "+m"(*w) : : "memory");
    return v;
}

bool port_pending(evtchn_port_t port)
{
    return bit_test(pending_words(), port);
}

bool port_masked(evtchn_port_t port)
{
    return bit_test(mask_words(), port);
}

bool port_selected(evtchn_port_t port)
{
    xen_ulong_t sel = vcpu0_info()->evtchn_pending_sel;

    return (sel >> (port / EVTCHN_WORD_BITS)) & 1;
}

void port_mask(evtchn_port_t port)
{
    bit_set(mask_words(), port);
}

void port_unmask_bit(evtchn_port_t port)
{
    bit_clear(mask_words(), port);
}

void port_clear_pending(evtchn_port_t port)
{
    bit_clear(pending_words(), port);
}

void events_clear_all(void)
{
    struct vcpu_info *vi = vcpu0_info();

    if (!vi->evtchn_upcall_mask)
        test_error("events_clear_all with upcalls unmasked");
    vi->evtchn_upcall_pending = 0;
    xchg_word(&vi->evtchn_pending_sel, 0);
    for (unsigned int w = 0; w < EVTCHN_WORD_BITS; w++)
        xchg_word(&pending_words()[w], 0);
}

uint8_t upcall_mask(void)
{
    return *(volatile uint8_t *)&vcpu0_info()->evtchn_upcall_mask;
}

uint8_t upcall_pending(void)
{
    return *(volatile uint8_t *)&vcpu0_info()->evtchn_upcall_pending;
}

/* Upcalls ---------------------------------------------------------------- */

/* The 2-level scan of Linux's xen_evtchn_do_upcall, counting ports. */
static bool upcall(struct trap_record *rec, struct trap_regs *regs)
{
    struct vcpu_info *vi = vcpu0_info();
    xen_ulong_t sel;

    (void)regs;
    last_upcall = *rec;
    upcall_count++;
    if (!rec->mask)
        upcalls_unmasked++;

    vi->evtchn_upcall_pending = 0;
    sel = xchg_word(&vi->evtchn_pending_sel, 0);
    while (sel) {
        unsigned int w = __builtin_ctzl(sel);
        xen_ulong_t bits;

        sel &= sel - 1;
        bits = pending_words()[w] & ~mask_words()[w];
        while (bits) {
            unsigned int port = w * EVTCHN_WORD_BITS + __builtin_ctzl(bits);

            bits &= bits - 1;
            bit_clear(pending_words(), port);
            port_upcalls[port]++;
        }
    }
    if (upcall_hook)
        upcall_hook(rec);
    return true;
}

void events_init(void)
{
    traps_init();
    trap_set_hook(TRAP_VEC_EVENT, upcall);
    if (!upcall_mask())
        test_error("vcpu_info.evtchn_upcall_mask is clear at start of day");
}

void events_enable(void)
{
    struct vcpu_info *vi = vcpu0_info();

    vi->evtchn_upcall_mask = 0;
    asm volatile("" ::: "memory");
    if (vi->evtchn_upcall_pending)
        hypercall_xen_version(XENVER_version, 0);
}

void events_disable(void)
{
    vcpu0_info()->evtchn_upcall_mask = 1;
    asm volatile("" ::: "memory");
}

void upcalls_reset(void)
{
    for (unsigned int p = 0; p < EVTCHN_PORTS; p++)
        port_upcalls[p] = 0;
}
