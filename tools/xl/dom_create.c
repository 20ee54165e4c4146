/*
 * Creating and destroying a PV domain, in libxl's order (xl-inventory
 * A1(c)) but for the xenstore tree: createdomain, memory limit, the build,
 * the domain's xenstore tree in one transaction (libxl writes the
 * directories before the build, in a transaction of their own),
 * introduction to xenstored, unpause. A failure at any step undoes every step before it, so a failed
 * `xl create` leaves no domain, xenstore node or stored config behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dom.h"
#include <xen/io/xs_wire.h>
#include <xen/sched.h>
#include "dom_dev.h"
#include "dom_xs.h"

/* Beyond the guest's memory: what Xen charges to it besides RAM (libxl's LIBXL_MAXMEM_CONSTANT). */
#define MAXMEM_SLACK_KIB 1024

/* Cheap checks first, so the common mistakes fail before anything exists. */
static int preflight(struct dom_ctx *c, const struct dom_params *p)
{
    struct xen_sysctl_physinfo phys;
    uint32_t other;
    uint64_t free_kib;

    if (dom_find_name(c, p->name, &other) == 0) {
        fprintf(stderr, "%s: the name '%s' is already used by domain %u\n", c->prog, p->name,
                other);
        return -1;
    }
    if (access(p->kernel, R_OK)) {
        fprintf(stderr, "%s: kernel '%s': %s\n", c->prog, p->kernel, strerror(errno));
        return -1;
    }
    if (p->ramdisk && access(p->ramdisk, R_OK)) {
        fprintf(stderr, "%s: ramdisk '%s': %s\n", c->prog, p->ramdisk, strerror(errno));
        return -1;
    }
    if (xc_physinfo(c->xc, &phys) == 0) {
        free_kib = (uint64_t)phys.free_pages * 4;
        if (free_kib < p->target_kib + MAXMEM_SLACK_KIB) {
            fprintf(stderr, "%s: not enough free memory for '%s': it needs %llu MiB, the host "
                            "has %llu MiB free\n", c->prog, p->name,
                    (unsigned long long)(p->target_kib + MAXMEM_SLACK_KIB) / 1024,
                    (unsigned long long)free_kib / 1024);
            return -1;
        }
    }
    return dom_dev_preflight(c, p);
}

static int make_domain(struct dom_ctx *c, const struct dom_params *p, uint32_t *domid)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = p->max_vcpus,
        .max_evtchn_port = 1023,
        .max_grant_frames = 32,
        .max_maptrack_frames = 1024,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    int rc;

    memcpy(cfg.handle, p->uuid, sizeof(cfg.handle));
    *domid = 0; /* the hypervisor picks */
    rc = xc_domain_create(c->xc, domid, &cfg);
    if (rc) {
        fprintf(stderr, "%s: creating domain '%s' failed: %s\n", c->prog, p->name,
                xc_last_error(c->xc));
        return -1;
    }
    rc = xc_domain_max_mem(c->xc, *domid, p->max_kib + MAXMEM_SLACK_KIB);
    if (rc) {
        fprintf(stderr, "%s: domain %u: setting its memory limit to %llu KiB failed: %s\n",
                c->prog, *domid, (unsigned long long)p->max_kib, xc_last_error(c->xc));
        return -1;
    }
    return 0;
}

static int build(struct dom_ctx *c, const struct dom_params *p, uint32_t domid,
                 struct xc_pv_build *b)
{
    memset(b, 0, sizeof(*b));
    b->domid = domid;
    b->mem_kib = p->target_kib;
    b->vcpus = p->vcpus;
    b->kernel_path = p->kernel;
    b->ramdisk_path = p->ramdisk;
    b->cmdline = p->cmdline;
    b->console_domid = 0;
    b->store_domid = 0;
    if (xc_pv_build(c->xc, b)) {
        fprintf(stderr, "%s: building domain %u ('%s') from %s failed: %s\n", c->prog, domid,
                p->name, p->kernel, xc_last_error(c->xc));
        return -1;
    }
    return 0;
}

static int store_config(struct dom_ctx *c, const struct dom_params *p, uint32_t domid)
{
    char *path = dom_userdata_path(c, domid);
    FILE *f = NULL;
    int rc = -1;

    if (!p->config_json)
        rc = 0;
    else if (!path || (mkdir(DOM_USERDATA_DIR, 0755) && errno != EEXIST) ||
             !(f = fopen(path, "w")))
        fprintf(stderr, "%s: cannot store the configuration in %s: %s\n", c->prog,
                path ? path : DOM_USERDATA_DIR, strerror(errno));
    else if (fputs(p->config_json, f) < 0 || fclose(f)) {
        f = NULL;
        fprintf(stderr, "%s: writing %s failed: %s\n", c->prog, path, strerror(errno));
    } else {
        f = NULL;
        rc = 0;
    }
    if (f)
        fclose(f);
    free(path);
    return rc;
}

int dom_create(struct dom_ctx *c, const struct dom_params *p, uint32_t *domid)
{
    struct xc_pv_build b;
    int rc;

    *domid = DOMID_INVALID;
    if (preflight(c, p) || make_domain(c, p, domid))
        goto fail;
    if (build(c, p, *domid, &b) || dom_xs_publish(c, *domid, p, &b) ||
        store_config(c, p, *domid))
        goto fail;
    rc = xs_introduce_domain(c->xs, *domid, b.store_mfn, b.store_port);
    if (rc) {
        fprintf(stderr, "%s: xenstored refused to introduce domain %u: %s\n", c->prog, *domid,
                strerror(-rc));
        goto fail;
    }
    /* Devices before unpause: the guest's netfront and blkfront find them at boot. */
    if (dom_dev_add_all(c, *domid, p))
        goto fail;
    if (!p->paused && xc_domain_unpause(c->xc, *domid)) {
        fprintf(stderr, "%s: unpausing domain %u failed: %s\n", c->prog, *domid,
                xc_last_error(c->xc));
        goto fail;
    }
    return 0;
fail:
    /*
     * dom_destroy kills the domain before it releases it from xenstored, so
     * @releaseDomain fires once the domain is dying: a watcher that maps its
     * pages (xenconsoled) unmaps then. Released first, the watcher saw a live
     * domain, kept its mapping, and the dying domain stayed until some other
     * domain's event.
     */
    if (*domid != DOMID_INVALID)
        dom_destroy(c, *domid);
    *domid = DOMID_INVALID;
    return -1;
}

int dom_destroy(struct dom_ctx *c, uint32_t domid)
{
    char *path, vmkey[64], dirs[2][80], *ans[3];
    size_t lens[3] = { 0 };
    int rc;

    if (domid == 0) {
        fprintf(stderr, "%s: domain 0 cannot be destroyed\n", c->prog);
        return -1;
    }
    /* Xen may answer -EAGAIN while it releases the memory (a continuation). */
    do
        rc = xc_domain_destroy(c->xc, domid);
    while (rc == -EAGAIN);
    if (rc && rc != -ESRCH) {
        fprintf(stderr, "%s: destroying domain %u failed: %s\n", c->prog, domid,
                xc_last_error(c->xc));
        return -1;
    }
    /*
     * What the removals depend on (the devices Dom0 serves, the /vm path)
     * is read in one round trip; the removals are only sent and answered
     * together at the end (xs_defer_begin): two round trips in all.
     */
    snprintf(vmkey, sizeof(vmkey), "/local/domain/%u/vm", domid);
    dom_dev_backend_dir(DOM_DEV_VIF, domid, dirs[DOM_DEV_VIF], sizeof(dirs[0]));
    dom_dev_backend_dir(DOM_DEV_VBD, domid, dirs[DOM_DEV_VBD], sizeof(dirs[0]));
    xs_ask_many(c->xs, XS_TX_NONE,
                (const struct xs_ask[3]){ { XS_DIRECTORY, dirs[DOM_DEV_VIF] },
                                          { XS_DIRECTORY, dirs[DOM_DEV_VBD] },
                                          { XS_READ, vmkey } },
                3, ans, lens);
    xs_defer_begin(c->xs);
    xs_release_domain(c->xs, domid);
    /* Scripts offline/remove and backends gone, so no vif or loop device outlives the guest. */
    dom_dev_remove_all(c, domid, ans, lens);
    dom_xs_remove(c, domid, ans[2]);
    xs_defer_end(c->xs);
    for (int i = 0; i < 3; i++)
        free(ans[i]);
    path = dom_userdata_path(c, domid);
    if (path)
        unlink(path);
    free(path);
    return 0;
}

int dom_request(struct dom_ctx *c, uint32_t domid, const char *request)
{
    char path[64];
    int rc;

    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
    rc = xs_write(c->xs, XS_TX_NONE, path, request, strlen(request));
    if (rc) {
        fprintf(stderr, "%s: asking domain %u to %s failed: %s\n", c->prog, domid, request,
                strerror(-rc));
        return -1;
    }
    return 0;
}
