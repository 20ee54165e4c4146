/*
 * Event storms: many sends coalesce into one pending bit (2-level: a port
 * is one bit in shared_info.evtchn_pending, not a counter), so a guest
 * flooded with notifications takes one upcall per port, however many
 * sends there were; and the hypervisor survives the flood.
 *
 *  - 10,000 sends on a loopback channel whose port is masked: one pending
 *    bit, no selector, no upcall; one EVTCHNOP_unmask: exactly one upcall;
 *  - 10,000 sends with the port unmasked but upcalls masked: one upcall
 *    when the guest unmasks;
 *  - the same through an IPI to self;
 *  - 300 loopback channels (600 ports, ten selector words) all raised
 *    while upcalls are masked: one upcall finds every port exactly once.
 */
#include "events.h"

const char test_title[] = "evtchn_storm: thousands of sends coalesce into one upcall";

#define SENDS 10000
#define CHANNELS 300

static unsigned int upcalls_before;

static void mark(void)
{
    upcalls_before = upcall_count;
    upcalls_reset();
}

static unsigned int new_upcalls(void)
{
    return upcall_count - upcalls_before;
}

/* Send n times; report the first failure only. */
static bool send_many(evtchn_port_t port, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        long rc = evtchn_send(port);

        if (rc)
            return check_rc(rc, 0, "send(%u) #%u", port, i + 1);
    }
    printf("  ok: %u sends on port %u\n", n, port);
    return true;
}

static void masked_port(evtchn_port_t a, evtchn_port_t b)
{
    printf("Storm on a masked port\n");
    events_enable();
    mark();
    port_mask(b);
    send_many(a, SENDS);
    check(new_upcalls() == 0, "no upcall while %u is masked (%u)", b,
          new_upcalls());
    check(port_pending(b) && !port_selected(b) && !upcall_pending(),
          "port %u pending, selector and upcall flag clear (%d %d %u)", b,
          port_pending(b), port_selected(b), upcall_pending());
    check_rc(evtchn_unmask(b), 0, "EVTCHNOP_unmask(%u)", b);
    check(new_upcalls() == 1 && port_upcalls[b] == 1,
          "exactly one upcall, port %u seen once (%u upcalls, %u)", b,
          new_upcalls(), port_upcalls[b]);
    hypercall_xen_version(XENVER_version, 0);
    check(new_upcalls() == 1, "and nothing after it (%u)", new_upcalls());
    events_disable();
}

static void masked_vcpu(evtchn_port_t from, evtchn_port_t to,
                        const char *what)
{
    printf("Storm with upcalls masked: %s\n", what);
    events_disable();
    mark();
    send_many(from, SENDS);
    check(new_upcalls() == 0, "no upcall while masked (%u)", new_upcalls());
    check(port_pending(to) && port_selected(to) && upcall_pending(),
          "port %u pending, selected, upcall pending", to);
    events_enable();
    check(new_upcalls() == 1 && port_upcalls[to] == 1,
          "unmasking delivers exactly one upcall, port %u seen once "
          "(%u upcalls, %u)", to, new_upcalls(), port_upcalls[to]);
    hypercall_xen_version(XENVER_version, 0);
    check(new_upcalls() == 1, "and nothing after it (%u)", new_upcalls());
    events_disable();
}

static void many_ports(void)
{
    static evtchn_port_t a[CHANNELS], b[CHANNELS];
    unsigned int missing = 0, twice = 0;
    xen_ulong_t sel, want = 0;

    printf("%u channels raised at once\n", CHANNELS);
    for (unsigned int i = 0; i < CHANNELS; i++)
        evtchn_loopback(&a[i], &b[i]);
    events_disable();
    mark();
    for (unsigned int i = 0; i < CHANNELS; i++) {
        long rc = evtchn_send(a[i]);
        long rc2 = evtchn_send(b[i]);

        if (rc || rc2) {
            check_rc(rc ? rc : rc2, 0, "send on channel %u", i);
            break;
        }
    }
    for (unsigned int i = 0; i < CHANNELS; i++)
        want |= (1UL << (a[i] / 64)) | (1UL << (b[i] / 64));
    sel = vcpu0_info()->evtchn_pending_sel;
    check(sel == want,
          "pending_sel %#lx: one bit per word with a pending port (want %#lx)",
          (unsigned long)sel, (unsigned long)want);
    events_enable();
    check(new_upcalls() == 1, "one upcall delivered them all (%u)",
          new_upcalls());
    for (unsigned int i = 0; i < CHANNELS; i++) {
        missing += !port_upcalls[a[i]] + !port_upcalls[b[i]];
        twice += (port_upcalls[a[i]] > 1) + (port_upcalls[b[i]] > 1);
    }
    check(missing == 0 && twice == 0,
          "each of the %u ports seen exactly once (%u missing, %u twice)",
          2 * CHANNELS, missing, twice);
    events_disable();
    for (unsigned int i = 0; i < CHANNELS; i++) {
        evtchn_close(a[i]);
        evtchn_close(b[i]);
    }
}

void test_main(void)
{
    evtchn_port_t a, b, ipi;

    events_init();
    evtchn_loopback(&a, &b);
    masked_port(a, b);
    masked_vcpu(a, b, "loopback");
    if (evtchn_bind_ipi(0, &ipi))
        test_error("bind_ipi(0) failed");
    masked_vcpu(ipi, ipi, "IPI to self");
    evtchn_close(a);
    evtchn_close(b);
    evtchn_close(ipi);
    many_ports();
    check(upcalls_unmasked == 0, "every upcall ran masked");
    check(hypercall_xen_version(XENVER_version, 0) > 0,
          "the hypervisor still answers");
}
