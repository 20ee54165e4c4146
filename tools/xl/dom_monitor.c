/*
 * The per-domain monitor (xl's "Waiting for domain ... to die" child):
 * xenstored fires @releaseDomain when a domain shuts down or dies (it hears
 * VIRQ_DOM_EXC); the shutdown reason is in getdomaininfo's flags
 * (public/domctl.h XEN_DOMINF_shutdownshift, reasons SHUTDOWN_* of
 * public/sched.h), and the configuration says what to do about it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dom.h"
#include <xen/sched.h>

static const char *const reason_names[] = { "poweroff", "reboot", "suspend", "crash",
                                            "watchdog", "soft_reset" };

/* The shutdown reason of a shut-down domain, -1 while it runs, -2 when it is gone or dying. */
static int shutdown_reason(struct dom_ctx *c, uint32_t domid)
{
    struct xen_domctl_getdomaininfo info;

    /*
     * Dying means someone destroyed it (xl destroy): nothing is left to
     * do, and no further event is promised while Xen frees its memory.
     */
    if (xc_domain_info(c->xc, domid, &info) || (info.flags & XEN_DOMINF_dying))
        return -2;
    if (!(info.flags & XEN_DOMINF_shutdown))
        return -1;
    return (int)((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask);
}

/* Keeps the old domain under "<name>--<domid>" and starts a new one (rename-restart). */
static int rename_old(struct dom_ctx *c, const struct dom_params *p, uint32_t domid)
{
    char name[256];

    snprintf(name, sizeof(name), "%s--%u", p->name, domid);
    return dom_rename(c, domid, name);
}

/* Does what the configuration says; 1 when the monitor should go on with *domid. */
static int act(struct dom_ctx *c, const struct dom_params *p, uint32_t *domid, int reason)
{
    enum dom_action a = reason < 5 ? p->on_shutdown[reason] : DOM_DESTROY;
    const char *why = reason < 6 ? reason_names[reason] : "unknown";

    printf("Domain %u has shut down, reason code %d 0x%x (%s)\n", *domid, reason, reason, why);
    switch (a) {
    case DOM_PRESERVE:
        printf("Done. Preserving domain %u as asked (on_%s=preserve).\n", *domid, why);
        return 0;
    case DOM_RENAME_RESTART:
        if (rename_old(c, p, *domid))
            return -1;
        break;
    case DOM_COREDUMP_DESTROY:
    case DOM_COREDUMP_RESTART:
        printf("Core dumps are not supported: domain %u is not dumped.\n", *domid);
        /* fall through */
    default:
        if (dom_destroy(c, *domid))
            return -1;
        break;
    }
    if (a == DOM_DESTROY || a == DOM_COREDUMP_DESTROY) {
        printf("Done. Exiting now\n");
        return 0;
    }
    printf("Action for shutdown reason code %d is restart\n", reason);
    if (dom_create(c, p, domid))
        return -1;
    printf("Domain '%s' restarted as domain %u\n", p->name, *domid);
    return 1;
}

int dom_monitor(struct dom_ctx *c, const struct dom_params *p, uint32_t *domid)
{
    int rc = xs_watch(c->xs, "@releaseDomain", "xl-monitor");

    if (rc) {
        fprintf(stderr, "%s: cannot watch @releaseDomain: %s\n", c->prog, strerror(-rc));
        return -1;
    }
    printf("Waiting for domain %s (domid %u) to die [pid %d]\n", p->name, *domid, (int)getpid());
    fflush(stdout);
    for (;;) {
        unsigned num;
        char **ev = xs_read_watch(c->xs, &num);
        int reason;

        if (!ev) {
            fprintf(stderr, "%s: lost xenstored while watching domain %u\n", c->prog, *domid);
            return -1;
        }
        free(ev);
        reason = shutdown_reason(c, *domid);
        if (reason == -2) {
            printf("Domain %u is gone\n", *domid);
            return 0;
        }
        if (reason < 0)
            continue;
        if (c->reniced) {
            setpriority(PRIO_PROCESS, 0, c->act_nice);
            c->reniced = false;
        }
        rc = act(c, p, domid, reason);
        fflush(stdout);
        if (rc <= 0)
            return rc;
    }
}
