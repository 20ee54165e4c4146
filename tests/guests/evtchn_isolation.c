/*
 * Event channels across domains, and their limits (event_channel.h), as
 * Xen 4.17 answers a PV Dom0 (xen/common/event_channel.c):
 *
 *  - a sub-op naming a domain that does not exist is -ESRCH: alloc_unbound,
 *    bind_interdomain, status, reset; so are the system domains, which are
 *    not in the domain list (DOMID_XEN, DOMID_IO, DOMID_IDLE...);
 *  - an unbound port reserved for another domain cannot be bound by us;
 *  - bind_interdomain binds only an UNBOUND port reserved for the binder:
 *    interdomain, IPI, VIRQ, free, reserved and out-of-range ports are
 *    -EINVAL, and a failed bind leaves no port allocated;
 *  - a 2-level domain has 4096 ports, port 0 reserved: 4095 allocations
 *    succeed and the next one is -ENOSPC; freeing one makes room for one.
 */
#include "events.h"

const char test_title[] = "evtchn_isolation: other domains, foreign reservations, port limits";

/* No such domain: run-guest boots Dom0 alone. */
#define ABSENT_DOMID 100

static const struct {
    domid_t id;
    const char *name;
} no_domains[] = {
    { ABSENT_DOMID, "absent domain 100" },
    { DOMID_FIRST_RESERVED - 1, "absent domain 0x7fef" },
    { DOMID_IO, "DOMID_IO" },
    { DOMID_XEN, "DOMID_XEN" },
    { DOMID_COW, "DOMID_COW" },
    { DOMID_INVALID, "DOMID_INVALID" },
    { DOMID_IDLE, "DOMID_IDLE" },
};

static unsigned int count_allocated(void)
{
    unsigned int n = 0;
    evtchn_status_t st;

    for (evtchn_port_t p = 1; p < EVTCHN_PORTS; p++)
        if (!evtchn_status(DOMID_SELF, p, &st) &&
            st.status != EVTCHNSTAT_closed)
            n++;
    return n;
}

static void other_domains(void)
{
    evtchn_port_t p, a, b, c, ipi, virq;
    evtchn_status_t st;
    struct evtchn_reset reset;
    long rc;

    printf("Domains that do not exist\n");
    evtchn_loopback(&a, &b);
    for (unsigned int i = 0; i < ARRAY_SIZE(no_domains); i++) {
        domid_t d = no_domains[i].id;
        const char *n = no_domains[i].name;

        check_rc(evtchn_alloc_unbound(d, DOMID_SELF, &p), -XEN_ESRCH,
                 "alloc_unbound(dom %s)", n);
        check_rc(evtchn_bind_interdomain(d, a, &p), -XEN_ESRCH,
                 "bind_interdomain(remote %s, port %u)", n, a);
        check_rc(evtchn_status(d, a, &st), -XEN_ESRCH, "status(%s, %u)", n,
                 a);
        reset.dom = d;
        check_rc(hypercall_event_channel_op(EVTCHNOP_reset,
                                            (unsigned long)&reset),
                 -XEN_ESRCH, "reset(%s)", n);
    }
    check(count_allocated() == 2, "still exactly 2 ports allocated");

    printf("A port reserved for another domain\n");
    rc = evtchn_alloc_unbound(DOMID_SELF, ABSENT_DOMID, &p);
    check_rc(rc, 0, "alloc_unbound(DOMID_SELF, remote %u): the remote need "
             "not exist yet", ABSENT_DOMID);
    if (!rc) {
        rc = evtchn_status(DOMID_SELF, p, &st);
        check(!rc && st.status == EVTCHNSTAT_unbound &&
                  st.u.unbound.dom == ABSENT_DOMID,
              "status(%u): unbound for domain %u (rc %ld status %u dom %u)",
              p, ABSENT_DOMID, rc, st.status, st.u.unbound.dom);
        check_rc(evtchn_bind_interdomain(DOMID_SELF, p, &a), -XEN_EINVAL,
                 "bind_interdomain(DOMID_SELF, %u) reserved for domain %u",
                 p, ABSENT_DOMID);
        check_rc(evtchn_bind_interdomain(0, p, &a), -XEN_EINVAL,
                 "bind_interdomain(0, %u) reserved for domain %u", p,
                 ABSENT_DOMID);
        check_rc(evtchn_send(p), 0, "send(%u): unbound, dropped", p);
        check_rc(evtchn_close(p), 0, "close(%u)", p);
    }
    check(count_allocated() == 2, "failed binds allocated nothing");

    printf("What bind_interdomain may bind\n");
    if (evtchn_bind_ipi(0, &ipi) || evtchn_bind_virq(VIRQ_DOM_EXC, 0, &virq))
        test_error("bind_ipi / bind_virq failed");
    check_rc(evtchn_bind_interdomain(DOMID_SELF, a, &p), -XEN_EINVAL,
             "bind_interdomain to %u, already interdomain", a);
    check_rc(evtchn_bind_interdomain(DOMID_SELF, ipi, &p), -XEN_EINVAL,
             "bind_interdomain to %u, an IPI", ipi);
    check_rc(evtchn_bind_interdomain(DOMID_SELF, virq, &p), -XEN_EINVAL,
             "bind_interdomain to %u, a VIRQ", virq);
    check_rc(evtchn_bind_interdomain(DOMID_SELF, 0, &p), -XEN_EINVAL,
             "bind_interdomain to port 0 (reserved)");
    check_rc(evtchn_bind_interdomain(DOMID_SELF, 60, &p), -XEN_EINVAL,
             "bind_interdomain to port 60 (free)");
    check_rc(evtchn_bind_interdomain(DOMID_SELF, EVTCHN_PORTS, &p),
             -XEN_EINVAL, "bind_interdomain to port %u (out of range)",
             EVTCHN_PORTS);
    check_rc(evtchn_bind_interdomain(DOMID_SELF, 0xffffffff, &p), -XEN_EINVAL,
             "bind_interdomain to port 0xffffffff");
    check(count_allocated() == 4, "failed binds allocated nothing");

    /* Own domain id and DOMID_SELF name the same domain. */
    rc = evtchn_alloc_unbound(0, 0, &p);
    check_rc(rc, 0, "alloc_unbound(dom 0, remote 0)");
    if (!rc) {
        rc = evtchn_bind_interdomain(0, p, &c);
        check_rc(rc, 0, "bind_interdomain(0, %u)", p);
        if (!rc)
            evtchn_close(c);
        evtchn_close(p);
    }
    evtchn_close(a);
    evtchn_close(b);
    evtchn_close(ipi);
    evtchn_close(virq);
    check(count_allocated() == 0, "everything closed");
}

static void port_limit(void)
{
    static evtchn_port_t ports[EVTCHN_PORTS];
    unsigned int n = 0;
    evtchn_port_t extra;
    long rc = 0;

    printf("Port limit\n");
    while (n < EVTCHN_PORTS) {
        rc = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &ports[n]);
        if (rc)
            break;
        n++;
    }
    check_rc(rc, -XEN_ENOSPC, "alloc_unbound #%u", n + 1);
    check(n == EVTCHN_PORTS - 1,
          "%u ports allocated (want %u: all but port 0)", n,
          EVTCHN_PORTS - 1);
    check_rc(evtchn_bind_ipi(0, &extra), -XEN_ENOSPC, "bind_ipi when full");
    check_rc(evtchn_bind_virq(VIRQ_TIMER, 0, &extra), -XEN_ENOSPC,
             "bind_virq when full");
    check_rc(evtchn_bind_interdomain(DOMID_SELF, ports[0], &extra),
             -XEN_ENOSPC, "bind_interdomain when full");

    if (n > 100) {
        check_rc(evtchn_close(ports[100]), 0, "close(%u)", ports[100]);
        rc = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &extra);
        check_rc(rc, 0, "alloc_unbound after one close");
        check(!rc && extra == ports[100], "it gets the freed port %u (got %u)",
              ports[100], extra);
        check_rc(evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &extra),
                 -XEN_ENOSPC, "and the next one fails again");
    }
    for (unsigned int i = 0; i < n; i++) {
        rc = evtchn_close(ports[i]);
        if (rc) {
            check_rc(rc, 0, "close(%u)", ports[i]);
            break;
        }
    }
    check(count_allocated() == 0, "every port closed again");
    rc = evtchn_alloc_unbound(DOMID_SELF, DOMID_SELF, &extra);
    check(!rc && extra == 1, "the lowest free port is 1 again (rc %ld port %u)",
          rc, extra);
}

void test_main(void)
{
    events_init();
    other_domains();
    port_limit();
    /* The hypervisor is still well: a plain hypercall still works. */
    check(hypercall_xen_version(XENVER_version, 0) > 0,
          "xen_version still answers");
}
