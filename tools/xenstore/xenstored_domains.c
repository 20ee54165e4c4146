/*
 * The introduced domains (XS_INTRODUCE, XS_RELEASE, XS_IS_DOMAIN_INTRODUCED)
 * and the special watches they fire. Reaching a domain's ring is the
 * backend's job (xenstored_domain.c, with libxc); without a backend a domain
 * is introduced without a ring, which is what the tests and a xenstored
 * built without libxc do.
 */
#include <errno.h>
#include <stdlib.h>

#include "xenstored_core.h"

struct domain {
    struct domain *next;
    uint32_t domid;
    struct conn *conn; /* its ring; NULL without a backend */
    bool shutdown_fired; /* @releaseDomain already told of its shutdown */
};

static struct domain *domains;
static const struct domain_backend *backend;

void domain_set_backend(const struct domain_backend *b)
{
    backend = b;
}

static struct domain *domain_find(uint32_t domid)
{
    for (struct domain *d = domains; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

bool domain_is_introduced(uint32_t domid)
{
    return domain_find(domid) != NULL;
}

int domain_introduce(uint32_t domid, uint64_t mfn, uint32_t port)
{
    struct domain *d = domain_find(domid);
    int err;

    if (d) /* Xen: an introduced domain's XS_INTRODUCE rebinds its port */
        return backend && backend->rebind && d->conn ? backend->rebind(d->conn, port) : 0;
    d = calloc(1, sizeof(*d));
    if (!d)
        return ENOMEM;
    d->domid = domid;
    if (backend) {
        err = backend->connect(domid, mfn, port, &d->conn);
        if (err) {
            xs_log("dom%u: cannot connect its ring (mfn %#llx, port %u): %s", domid,
                   (unsigned long long)mfn, port, xs_errname(err));
            free(d);
            return err;
        }
    }
    d->next = domains;
    domains = d;
    xs_vlog("dom%u introduced (mfn %#llx, port %u)", domid, (unsigned long long)mfn, port);
    watch_fire_special("@introduceDomain");
    return 0;
}

static void domain_drop(struct domain **pp)
{
    struct domain *d = *pp;

    *pp = d->next;
    if (d->conn)
        conn_destroy(d->conn);
    free(d);
}

int domain_release(uint32_t domid)
{
    struct domain **pp = &domains;

    while (*pp && (*pp)->domid != domid)
        pp = &(*pp)->next;
    if (!*pp)
        return ENOENT;
    domain_drop(pp);
    xs_vlog("dom%u released", domid);
    watch_fire_special("@releaseDomain");
    return 0;
}

/* Xen's check_domains: a dying (or vanished) domain is dropped, a shut-down
 * one is announced once; either way watchers of @releaseDomain hear of it. */
void domain_check_all(void)
{
    bool fire = false;

    if (!backend || !backend->state)
        return;
    for (struct domain **pp = &domains; *pp;) {
        enum domain_state st = backend->state((*pp)->domid);

        if (st == DOMAIN_DYING) {
            xs_vlog("dom%u is dying", (*pp)->domid);
            domain_drop(pp);
            fire = true;
            continue;
        }
        if (st == DOMAIN_SHUTDOWN && !(*pp)->shutdown_fired) {
            (*pp)->shutdown_fired = true;
            fire = true;
        }
        pp = &(*pp)->next;
    }
    if (fire)
        watch_fire_special("@releaseDomain");
}

void domain_release_all(void)
{
    while (domains)
        domain_drop(&domains);
}
