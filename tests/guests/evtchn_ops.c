/*
 * event_channel_op (event_channel.h), 2-level, on one domain's own ports,
 * as Xen 4.17 answers a PV Dom0 (xen/common/event_channel.c, event_2l.c):
 *
 *  - a loopback channel: alloc_unbound(DOMID_SELF, remote DOMID_SELF),
 *    then bind_interdomain to that port; sending on either end makes the
 *    OTHER end pending (evtchn_pending bit, the pending_sel bit of its
 *    word, evtchn_upcall_pending);
 *  - a masked port becomes pending without selector or upcall; unmasking
 *    it with EVTCHNOP_unmask raises both (and only if it was masked);
 *  - close frees a port (its pending bit too) and leaves the peer unbound;
 *  - status reports each state; port 0 is reserved (closed, not closable);
 *  - IPIs and VIRQs: binding rules, bind_vcpu rules;
 *  - EVTCHNOP_reset(DOMID_SELF) closes every port;
 *  - out-of-range and free ports are -EINVAL; a bad pointer is -EFAULT for
 *    every 2-level sub-op, bind_pirq included (Xen copies the argument in
 *    before anything else).
 *
 * Upcalls stay masked throughout: everything is read from shared_info.
 * Sub-ops of other domains and limits: evtchn_isolation; delivery:
 * evtchn_upcall; FIFO: evtchn_fifo.
 */
#include "events.h"

const char test_title[] = "evtchn_ops: 2-level loopback, mask, unmask, close, status, IPI, VIRQ";

/* run-guest boots Dom0 with one vCPU: vCPU 1 does not exist. */
#define ABSENT_VCPU 1

static void check_status(evtchn_port_t port, uint32_t want_status,
                         const char *what)
{
    evtchn_status_t st;
    long rc = evtchn_status(DOMID_SELF, port, &st);

    check_rc(rc, 0, "status(DOMID_SELF, %u) [%s]", port, what);
    if (!rc)
        check(st.status == want_status,
              "status of port %u [%s] is %u (want %u)", port, what,
              st.status, want_status);
}

/* Pending bit, selector bit and upcall flag, all three at once. */
static void check_raised(evtchn_port_t port, bool pending, bool selected,
                         bool upcall, const char *what)
{
    bool p = port_pending(port), s = port_selected(port);
    bool u = upcall_pending();

    check(p == pending, "%s: port %u pending bit = %d (want %d)", what, port,
          p, pending);
    check(s == selected, "%s: pending_sel bit %u = %d (want %d)", what,
          port / 64, s, selected);
    check(u == upcall, "%s: evtchn_upcall_pending = %d (want %d)", what, u,
          upcall);
}

static void loopback(void)
{
    evtchn_port_t a, b, c;
    evtchn_status_t st;
    long rc;

    printf("Loopback channel\n");
    rc = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &a);
    check_rc(rc, 0, "alloc_unbound(DOMID_SELF, remote DOMID_SELF)");
    if (rc)
        test_error("cannot go on without a port");
    check(a != 0, "alloc_unbound gives port %u (port 0 is reserved)", a);
    rc = evtchn_status(DOMID_SELF, a, &st);
    check_rc(rc, 0, "status of the unbound port %u", a);
    check(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0 &&
              st.vcpu == 0,
          "unbound, for domain 0 (DOMID_SELF resolved), vCPU 0 "
          "(status %u dom %u vcpu %u)", st.status, st.u.unbound.dom, st.vcpu);

    events_clear_all();
    rc = evtchn_bind_interdomain(DOMID_SELF, a, &b);
    check_rc(rc, 0, "bind_interdomain(DOMID_SELF, %u)", a);
    if (rc)
        test_error("cannot go on without a loopback channel");
    check(b != a && b != 0, "local port %u (remote %u)", b, a);
    /* "conservatively always setting a notification on the local port" */
    check_raised(b, true, true, true, "bind_interdomain notifies the new end");
    check(!port_pending(a), "the remote end %u is not pending", a);

    rc = evtchn_status(DOMID_SELF, a, &st);
    check(!rc && st.status == EVTCHNSTAT_interdomain &&
              st.u.interdomain.dom == 0 && st.u.interdomain.port == b,
          "status(%u): interdomain to domain 0 port %u (rc %ld status %u "
          "dom %u port %u)", a, b, rc, st.status, st.u.interdomain.dom,
          st.u.interdomain.port);
    rc = evtchn_status(DOMID_SELF, b, &st);
    check(!rc && st.status == EVTCHNSTAT_interdomain &&
              st.u.interdomain.dom == 0 && st.u.interdomain.port == a,
          "status(%u): interdomain to domain 0 port %u (rc %ld status %u "
          "dom %u port %u)", b, a, rc, st.status, st.u.interdomain.dom,
          st.u.interdomain.port);

    printf("Send raises the other end\n");
    events_clear_all();
    check_rc(evtchn_send(a), 0, "send(%u)", a);
    check_raised(b, true, true, true, "after send(a)");
    check(!port_pending(a), "the sending end %u stays idle", a);
    events_clear_all();
    check_rc(evtchn_send(b), 0, "send(%u)", b);
    check_raised(a, true, true, true, "after send(b)");
    check(!port_pending(b), "the sending end %u stays idle", b);

    printf("A pending port is not raised twice\n");
    vcpu0_info()->evtchn_upcall_pending = 0;
    vcpu0_info()->evtchn_pending_sel = 0;
    check_rc(evtchn_send(b), 0, "send(%u) again", b);
    check_raised(a, true, false, false, "second send while pending");

    printf("Masking\n");
    events_clear_all();
    port_mask(a);
    check_rc(evtchn_send(b), 0, "send(%u) to masked port %u", b, a);
    check_raised(a, true, false, false, "masked port");
    check_rc(evtchn_unmask(a), 0, "EVTCHNOP_unmask(%u) while pending", a);
    check(!port_masked(a), "unmask cleared the mask bit of %u", a);
    check_raised(a, true, true, true, "unmask of a pending port");

    /* event_2l.c: only a mask bit that was set re-raises the port. */
    vcpu0_info()->evtchn_upcall_pending = 0;
    vcpu0_info()->evtchn_pending_sel = 0;
    check_rc(evtchn_unmask(a), 0, "EVTCHNOP_unmask(%u), not masked", a);
    check_raised(a, true, false, false, "unmask of an unmasked pending port");

    events_clear_all();
    port_mask(a);
    check_rc(evtchn_unmask(a), 0, "EVTCHNOP_unmask(%u), not pending", a);
    check_raised(a, false, false, false, "unmask of an idle port");
    check(!port_masked(a), "mask bit of %u cleared", a);

    printf("Close\n");
    events_clear_all();
    check_rc(evtchn_send(a), 0, "send(%u) so that %u is pending", a, b);
    check_rc(evtchn_close(b), 0, "close(%u)", b);
    check(!port_pending(b), "close cleared the pending bit of %u", b);
    check_status(b, EVTCHNSTAT_closed, "after close");
    rc = evtchn_status(DOMID_SELF, a, &st);
    check(!rc && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
          "the peer %u is unbound again, for domain 0 (rc %ld status %u "
          "dom %u)", a, rc, st.status, st.u.unbound.dom);
    events_clear_all();
    check_rc(evtchn_send(a), 0, "send(%u) on an unbound port (dropped)", a);
    check(!port_pending(a) && !port_pending(b) && !upcall_pending(),
          "nothing became pending");
    check_rc(evtchn_close(b), -XEN_EINVAL, "close(%u) again (free)", b);
    check_rc(evtchn_send(b), -XEN_EINVAL, "send(%u) on a free port", b);
    check_rc(evtchn_bind_vcpu(b, 0), -XEN_EINVAL, "bind_vcpu(%u) free", b);

    /* The unbound end can be bound again. */
    rc = evtchn_bind_interdomain(DOMID_SELF, a, &c);
    check_rc(rc, 0, "bind_interdomain(DOMID_SELF, %u) again", a);
    if (!rc) {
        check_rc(evtchn_bind_vcpu(c, 0), 0,
                 "bind_vcpu(%u, 0) of an interdomain port", c);
        check_rc(evtchn_bind_vcpu(c, ABSENT_VCPU), -XEN_ENOENT,
                 "bind_vcpu(%u, %u): no such vCPU", c, ABSENT_VCPU);
        check_rc(evtchn_close(a), 0, "close(%u), the first end", a);
        check_status(c, EVTCHNSTAT_unbound, "peer closed");
        check_rc(evtchn_bind_vcpu(c, 0), 0,
                 "bind_vcpu(%u, 0) of an unbound port", c);
        check_rc(evtchn_close(c), 0, "close(%u), unbound", c);
        check_status(c, EVTCHNSTAT_closed, "after close");
    }
    check_status(a, EVTCHNSTAT_closed, "after close");
}

static void port_zero_and_range(void)
{
    /* Ports a 2-level domain can never have. */
    static const evtchn_port_t bad[] = { EVTCHN_PORTS, 0x10000, 0x7fffffff,
                                         0xffffffff };
    evtchn_status_t st;

    printf("Port 0 and ports out of range\n");
    check_status(0, EVTCHNSTAT_closed, "port 0 is reserved");
    check_rc(evtchn_close(0), -XEN_EINVAL, "close(0)");
    check_rc(evtchn_send(0), -XEN_EINVAL, "send(0)");
    check_rc(evtchn_bind_vcpu(0, 0), -XEN_EINVAL, "bind_vcpu(0, 0)");
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        evtchn_port_t p = bad[i];

        check_rc(evtchn_send(p), -XEN_EINVAL, "send(%#x)", p);
        check_rc(evtchn_close(p), -XEN_EINVAL, "close(%#x)", p);
        check_rc(evtchn_unmask(p), -XEN_EINVAL, "unmask(%#x)", p);
        check_rc(evtchn_bind_vcpu(p, 0), -XEN_EINVAL, "bind_vcpu(%#x, 0)", p);
        check_rc(evtchn_status(DOMID_SELF, p, &st), -XEN_EINVAL,
                 "status(DOMID_SELF, %#x)", p);
    }
}

static void ipi(void)
{
    evtchn_port_t p;
    evtchn_status_t st;
    long rc;

    printf("IPI\n");
    rc = evtchn_bind_ipi(0, &p);
    check_rc(rc, 0, "bind_ipi(vCPU 0)");
    if (rc)
        return;
    rc = evtchn_status(DOMID_SELF, p, &st);
    check(!rc && st.status == EVTCHNSTAT_ipi && st.vcpu == 0,
          "status(%u): IPI to vCPU 0 (rc %ld status %u vcpu %u)", p, rc,
          st.status, st.vcpu);
    events_clear_all();
    check_rc(evtchn_send(p), 0, "send(%u) to self", p);
    check_raised(p, true, true, true, "IPI to self");
    check_rc(evtchn_bind_vcpu(p, 0), -XEN_EINVAL,
             "bind_vcpu(%u, 0): IPIs cannot move", p);
    check_rc(evtchn_close(p), 0, "close(%u)", p);
    check_rc(evtchn_bind_ipi(ABSENT_VCPU, &p), -XEN_ENOENT,
             "bind_ipi(vCPU %u): no such vCPU", ABSENT_VCPU);
    check_rc(evtchn_bind_ipi(0x7fffffff, &p), -XEN_ENOENT,
             "bind_ipi(vCPU 0x7fffffff)");
    check_rc(evtchn_bind_ipi(0xffffffff, &p), -XEN_ENOENT,
             "bind_ipi(vCPU 0xffffffff)");
}

static void virq(void)
{
    evtchn_port_t t, t2, g;
    evtchn_status_t st;
    long rc;

    printf("VIRQ\n");
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &t);
    check_rc(rc, 0, "bind_virq(VIRQ_TIMER, vCPU 0)");
    if (rc)
        return;
    rc = evtchn_status(DOMID_SELF, t, &st);
    check(!rc && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER &&
              st.vcpu == 0,
          "status(%u): VIRQ_TIMER on vCPU 0 (rc %ld status %u virq %u "
          "vcpu %u)", t, rc, st.status, st.u.virq, st.vcpu);
    check_rc(evtchn_bind_virq(VIRQ_TIMER, 0, &t2), -XEN_EEXIST,
             "bind_virq(VIRQ_TIMER, vCPU 0) again");
    check_rc(evtchn_bind_vcpu(t, 0), -XEN_EINVAL,
             "bind_vcpu(%u, 0): a per-vCPU VIRQ cannot move", t);
    check_rc(evtchn_send(t), -XEN_EINVAL, "send(%u): a VIRQ port", t);
    check_rc(evtchn_close(t), 0, "close(%u)", t);
    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &t2);
    check_rc(rc, 0, "bind_virq(VIRQ_TIMER, vCPU 0) after close");
    if (!rc)
        check_rc(evtchn_close(t2), 0, "close(%u)", t2);

    /* Checked in this order by evtchn_bind_virq: range, global, vCPU. */
    check_rc(evtchn_bind_virq(VIRQ_DOM_EXC, ABSENT_VCPU, &g), -XEN_EINVAL,
             "bind_virq(global VIRQ_DOM_EXC, vCPU %u)", ABSENT_VCPU);
    check_rc(evtchn_bind_virq(VIRQ_DOM_EXC, 1000, &g), -XEN_EINVAL,
             "bind_virq(global VIRQ_DOM_EXC, vCPU 1000)");
    check_rc(evtchn_bind_virq(VIRQ_TIMER, ABSENT_VCPU, &g), -XEN_ENOENT,
             "bind_virq(VIRQ_TIMER, vCPU %u): no such vCPU", ABSENT_VCPU);
    check_rc(evtchn_bind_virq(NR_VIRQS, 0, &g), -XEN_EINVAL,
             "bind_virq(NR_VIRQS = %u)", NR_VIRQS);
    check_rc(evtchn_bind_virq(0xffffffff, 0, &g), -XEN_EINVAL,
             "bind_virq(-1)");
    check_rc(evtchn_bind_virq(0x80000000, 0, &g), -XEN_EINVAL,
             "bind_virq(0x80000000)");

    rc = evtchn_bind_virq(VIRQ_DOM_EXC, 0, &g);
    check_rc(rc, 0, "bind_virq(global VIRQ_DOM_EXC, vCPU 0)");
    if (!rc) {
        rc = evtchn_status(DOMID_SELF, g, &st);
        check(!rc && st.status == EVTCHNSTAT_virq &&
                  st.u.virq == VIRQ_DOM_EXC,
              "status(%u): VIRQ_DOM_EXC (rc %ld status %u virq %u)", g, rc,
              st.status, st.u.virq);
        check_rc(evtchn_bind_vcpu(g, 0), 0,
                 "bind_vcpu(%u, 0): a global VIRQ may move", g);
        check_rc(evtchn_bind_vcpu(g, ABSENT_VCPU), -XEN_ENOENT,
                 "bind_vcpu(%u, %u): no such vCPU", g, ABSENT_VCPU);
        check_rc(evtchn_close(g), 0, "close(%u)", g);
    }
}

static void reset(void)
{
    evtchn_port_t a, b, p;
    struct evtchn_reset r = { .dom = DOMID_SELF };

    printf("EVTCHNOP_reset\n");
    evtchn_loopback(&a, &b);
    if (evtchn_bind_ipi(0, &p))
        test_error("bind_ipi failed");
    check_rc(hypercall_event_channel_op(EVTCHNOP_reset, (unsigned long)&r), 0,
             "reset(DOMID_SELF)");
    check_status(a, EVTCHNSTAT_closed, "after reset");
    check_status(b, EVTCHNSTAT_closed, "after reset");
    check_status(p, EVTCHNSTAT_closed, "after reset");
    evtchn_loopback(&a, &b);
    check(a != 0 && b != 0, "ports allocate again after reset (%u, %u)", a, b);
    evtchn_close(a);
    evtchn_close(b);
}

static void bad_pointers(void)
{
    static const struct {
        unsigned int cmd;
        const char *name;
    } ops[] = {
        { EVTCHNOP_bind_interdomain, "bind_interdomain" },
        { EVTCHNOP_bind_virq, "bind_virq" },
        { EVTCHNOP_bind_pirq, "bind_pirq" },
        { EVTCHNOP_close, "close" },
        { EVTCHNOP_send, "send" },
        { EVTCHNOP_status, "status" },
        { EVTCHNOP_alloc_unbound, "alloc_unbound" },
        { EVTCHNOP_bind_ipi, "bind_ipi" },
        { EVTCHNOP_bind_vcpu, "bind_vcpu" },
        { EVTCHNOP_unmask, "unmask" },
        { EVTCHNOP_reset, "reset" },
    };

    printf("Bad pointers and unknown sub-ops\n");
    for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++)
        for (unsigned int b = 0; b < nr_bad_ptrs; b++)
            check_rc(hypercall_event_channel_op(ops[i].cmd, bad_ptrs[b].addr),
                     -XEN_EFAULT, "EVTCHNOP_%s at %s %#lx", ops[i].name,
                     bad_ptrs[b].what, bad_ptrs[b].addr);
    /* 14 is Xen's internal EVTCHNOP_reset_cont; 15 is the first unknown. */
    check_rc(hypercall_event_channel_op(15, 0), -XEN_ENOSYS, "EVTCHNOP 15");
    check_rc(hypercall_event_channel_op(0x7fffffff, 0), -XEN_ENOSYS,
             "EVTCHNOP 0x7fffffff");
}

void test_main(void)
{
    events_init();
    loopback();
    port_zero_and_range();
    ipi();
    virq();
    reset();
    bad_pointers();
}
