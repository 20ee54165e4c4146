/*
 * VIRQ_DOM_EXC (xen.h): Dom0 learns of every domain's shutdown, crash and
 * death. A child powers itself off, is shut down remotely
 * (SCHEDOP_remote_shutdown, reboot) and crashes; each time the virq fires
 * and getdomaininfo shows the shutdown flag and code; destroying it fires
 * the virq again.
 */
#include "toolstack.h"

const char test_title[] = "dom_exc: VIRQ_DOM_EXC on a DomU's shutdown, crash and death";

static evtchn_port_t exc_port;
static struct child c;

static bool wait_exc(void)
{
    bool fired = ts_wait_port(exc_port);

    port_clear_pending(exc_port);
    return fired;
}

static void one_life(enum child_command cmd, unsigned code, const char *what)
{
    struct xen_domctl_getdomaininfo info;

    ts_build_child(&c, cmd);
    port_clear_pending(exc_port);
    ts_unpause(c.id);
    check(ts_wait_port(c.local_port), "%s: the child ran", what);
    if (cmd == CHILD_WAIT) {
        struct sched_remote_shutdown r = { .domain_id = c.id, .reason = SHUTDOWN_reboot };

        check_rc(hypercall_sched_op(SCHEDOP_remote_shutdown, (unsigned long)&r), 0,
                 "%s: SCHEDOP_remote_shutdown(d%u, reboot)", what, c.id);
    }
    check(wait_exc(), "%s: VIRQ_DOM_EXC fired", what);
    check(ts_wait_shutdown(c.id, &info), "%s: getdomaininfo shows it shut down (flags %#x)", what,
          info.flags);
    check(((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask) == code,
          "%s: shutdown code %u (want %u)", what,
          (info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask, code);
    ts_unmap_foreign(c.page_va);
    evtchn_close(c.local_port);
    check_rc(ts_destroy_domain(c.id), 0, "%s: destroy d%u", what, c.id);
    check(wait_exc(), "%s: VIRQ_DOM_EXC fired on its destruction", what);
    check_rc(ts_domain_info(c.id, &info), -XEN_ESRCH, "%s: d%u is gone", what, c.id);
}

void test_main(void)
{
    struct sched_remote_shutdown r = { .domain_id = 0x7fe0, .reason = SHUTDOWN_poweroff };

    events_init();
    if (evtchn_bind_virq(VIRQ_DOM_EXC, 0, &exc_port))
        test_error("bind VIRQ_DOM_EXC");
    port_mask(exc_port);
    port_clear_pending(exc_port);
    one_life(CHILD_POWEROFF, SHUTDOWN_poweroff, "poweroff");
    one_life(CHILD_WAIT, SHUTDOWN_reboot, "remote reboot");
    one_life(CHILD_CRASH, SHUTDOWN_crash, "crash");
    check_rc(hypercall_sched_op(SCHEDOP_remote_shutdown, (unsigned long)&r), -XEN_ESRCH,
             "remote_shutdown of no domain");
}
