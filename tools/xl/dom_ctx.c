/* xl's handles on the hypervisor and xenstore, and finding domains by name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dom.h"

int dom_ctx_open(struct dom_ctx *c, const char *prog)
{
    memset(c, 0, sizeof(*c));
    c->prog = prog;
    c->xc = xc_open();
    if (!c->xc) {
        fprintf(stderr, "%s: cannot open /dev/xen/privcmd: %s (is this Dom0, with xen-privcmd "
                        "loaded, and are you root?)\n", prog, strerror(errno));
        return -1;
    }
    c->xs = xs_open(NULL);
    if (!c->xs) {
        fprintf(stderr, "%s: cannot connect to xenstored: %s (is it running?)\n", prog,
                strerror(errno));
        xc_close(c->xc);
        c->xc = NULL;
        return -1;
    }
    return 0;
}

void dom_ctx_close(struct dom_ctx *c)
{
    if (c->xs)
        xs_close(c->xs);
    if (c->xc)
        xc_close(c->xc);
    c->xs = NULL;
    c->xc = NULL;
}

char *dom_name(struct dom_ctx *c, uint32_t domid)
{
    char path[64], *name;

    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    name = xs_read(c->xs, XS_TX_NONE, path, NULL);
    if (!name && domid == 0)
        name = strdup("Domain-0");
    return name;
}

/* Only a domain the hypervisor knows counts: a stale xenstore name does not. */
int dom_find_name(struct dom_ctx *c, const char *name, uint32_t *domid)
{
    struct xen_domctl_getdomaininfo info[64];
    uint32_t next = 0;
    int n;

    while ((n = xc_domain_list(c->xc, next, info, 64)) > 0) {
        char keys[64][40], *names[64];
        const char *paths[64];
        int found = -1;

        /* The names of the lot in one round trip. */
        for (int i = 0; i < n; i++) {
            snprintf(keys[i], sizeof(keys[i]), "/local/domain/%u/name", info[i].domain);
            paths[i] = keys[i];
        }
        xs_read_many(c->xs, XS_TX_NONE, paths, (unsigned)n, names);
        for (int i = 0; i < n; i++) {
            const char *have = names[i] ? names[i] : info[i].domain == 0 ? "Domain-0" : NULL;

            if (found < 0 && have && !strcmp(have, name) && !(info[i].flags & XEN_DOMINF_dying))
                found = i;
            free(names[i]);
        }
        if (found >= 0) {
            *domid = info[found].domain;
            return 0;
        }
        next = info[n - 1].domain + 1;
        if (n < 64)
            break;
    }
    return -1;
}

int dom_lookup(struct dom_ctx *c, const char *what, uint32_t *domid)
{
    struct xen_domctl_getdomaininfo info;
    char *end;
    unsigned long id;

    errno = 0;
    id = strtoul(what, &end, 10);
    if (*what && !*end && !errno) {
        if (id >= DOMID_FIRST_RESERVED || xc_domain_info(c->xc, (uint32_t)id, &info)) {
            fprintf(stderr, "%s: domain %lu does not exist\n", c->prog, id);
            return -1;
        }
        *domid = (uint32_t)id;
        return 0;
    }
    if (dom_find_name(c, what, domid) == 0)
        return 0;
    fprintf(stderr, "%s: '%s' is not a domain name or id (see xl list)\n", c->prog, what);
    return -1;
}

int dom_rename(struct dom_ctx *c, uint32_t domid, const char *name)
{
    char path[64], *vm;
    uint32_t other;
    int rc;

    if (dom_find_name(c, name, &other) == 0 && other != domid) {
        fprintf(stderr, "%s: the name '%s' is already used by domain %u\n", c->prog, name, other);
        return -1;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    rc = xs_write(c->xs, XS_TX_NONE, path, name, strlen(name));
    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    vm = xs_read(c->xs, XS_TX_NONE, path, NULL);
    if (!rc && vm) {
        char vmname[128];

        snprintf(vmname, sizeof(vmname), "%s/name", vm);
        rc = xs_write(c->xs, XS_TX_NONE, vmname, name, strlen(name));
    }
    free(vm);
    if (rc) {
        fprintf(stderr, "%s: renaming domain %u to '%s' failed: %s\n", c->prog, domid, name,
                strerror(-rc));
        return -1;
    }
    return 0;
}

char *dom_userdata_path(struct dom_ctx *c, uint32_t domid)
{
    char *path;

    (void)c;
    if (asprintf(&path, DOM_USERDATA_DIR "/userdata-d%u.xl-json", domid) < 0)
        return NULL;
    return path;
}
