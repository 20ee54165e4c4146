/* Domain and host wrappers: domctl, sysctl, sched_op, xen_version, memory_op, evtchn_op. */
/* xc_private.h first: the Xen headers need the stdint types xc.h brings. */
#include "xc_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/version.h>

static int domctl_simple(xc_t *xc, uint32_t domid, uint32_t cmd)
{
    struct xen_domctl op = {.cmd = cmd, .domain = (domid_t)domid};

    return xc_domctl(xc, &op);
}

int xc_domain_max_vcpus(xc_t *xc, uint32_t domid, unsigned max)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_max_vcpus, .domain = (domid_t)domid};

    op.u.max_vcpus.max = max;
    return xc_domctl(xc, &op);
}

/*
 * Domain id 0 in the request lets Xen pick one (do_domctl, createdomain).
 * Xen 4.17 still allocates the vCPUs only on XEN_DOMCTL_max_vcpus with the
 * same count (public/domctl.h), so it is done here: the domain returned is
 * one whose vCPUs exist. If that fails the domain is destroyed again.
 */
int xc_domain_create(xc_t *xc, uint32_t *domid, struct xen_domctl_createdomain *cfg)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_createdomain, .domain = (domid_t)*domid};
    char saved[XC_ERRLEN];
    int rc;

    op.u.createdomain = *cfg;
    rc = xc_domctl(xc, &op);
    if (rc < 0)
        return rc;
    rc = xc_domain_max_vcpus(xc, op.domain, cfg->max_vcpus);
    if (rc < 0) {
        memcpy(saved, xc->err, sizeof(saved));
        xc_domain_destroy(xc, op.domain);
        memcpy(xc->err, saved, sizeof(saved));
        return rc;
    }
    *domid = op.domain;
    *cfg = op.u.createdomain;
    return 0;
}

/* Xen may answer -EAGAIN while the domain's memory is still being released. */
int xc_domain_destroy(xc_t *xc, uint32_t domid)
{
    int rc;

    do
        rc = domctl_simple(xc, domid, XEN_DOMCTL_destroydomain);
    while (rc == -EAGAIN);
    return rc;
}

int xc_domain_pause(xc_t *xc, uint32_t domid)
{
    return domctl_simple(xc, domid, XEN_DOMCTL_pausedomain);
}

int xc_domain_unpause(xc_t *xc, uint32_t domid)
{
    return domctl_simple(xc, domid, XEN_DOMCTL_unpausedomain);
}

/* struct sched_remote_shutdown: public/sched.h. */
int xc_domain_shutdown(xc_t *xc, uint32_t domid, unsigned reason)
{
    struct sched_remote_shutdown arg = {.domain_id = (domid_t)domid, .reason = reason};
    long rc = xc_hypercall_cmd(xc, __HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, &arg,
                               sizeof(arg), 0);

    if (rc < 0)
        return xc_fail(xc, (int)rc, "sched_op remote_shutdown (domain %u, reason %u)", domid,
                       reason);
    return 0;
}

int xc_domain_max_mem(xc_t *xc, uint32_t domid, uint64_t max_kib)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_max_mem, .domain = (domid_t)domid};

    op.u.max_mem.max_memkb = max_kib;
    return xc_domctl(xc, &op);
}

int xc_domain_set_handle(xc_t *xc, uint32_t domid, const uint8_t handle[16])
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_setdomainhandle, .domain = (domid_t)domid};

    memcpy(op.u.setdomainhandle.handle, handle, sizeof(op.u.setdomainhandle.handle));
    return xc_domctl(xc, &op);
}

int xc_domain_list(xc_t *xc, uint32_t first, struct xen_domctl_getdomaininfo *info,
                   unsigned max)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_getdomaininfolist};
    size_t len = (size_t)max * sizeof(*info);
    void *buf = xc_buf_alloc(xc, len);
    int rc;

    if (!buf)
        return -ENOMEM;
    op.u.getdomaininfolist.first_domain = (domid_t)first;
    op.u.getdomaininfolist.max_domains = max;
    set_xen_guest_handle(op.u.getdomaininfolist.buffer, buf);
    rc = xc_sysctl(xc, &op);
    if (rc >= 0) {
        rc = (int)op.u.getdomaininfolist.num_domains;
        memcpy(info, buf, (size_t)rc * sizeof(*info));
    }
    xc_buf_free(xc, buf, len);
    return rc;
}

/*
 * Xen 4.17's XEN_DOMCTL_getdomaininfo answers with the first domain whose id
 * is >= the one asked for, so a different id in the answer means "no such".
 */
int xc_domain_info(xc_t *xc, uint32_t domid, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getdomaininfo, .domain = (domid_t)domid};
    int rc = xc_domctl(xc, &op);

    if (rc < 0)
        return rc;
    if (op.u.getdomaininfo.domain != domid)
        return xc_fail(xc, -ESRCH, "domctl getdomaininfo: domain %u", domid);
    *info = op.u.getdomaininfo;
    return 0;
}

int xc_vcpu_info(xc_t *xc, uint32_t domid, unsigned vcpu, struct xen_domctl_getvcpuinfo *info)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getvcpuinfo, .domain = (domid_t)domid};
    int rc;

    op.u.getvcpuinfo.vcpu = vcpu;
    rc = xc_domctl(xc, &op);
    if (rc >= 0)
        *info = op.u.getvcpuinfo;
    return rc;
}

/* ctxt is a vcpu_guest_context (public/arch-x86/xen.h) of len bytes. */
int xc_vcpu_setcontext(xc_t *xc, uint32_t domid, unsigned vcpu, const void *ctxt, size_t len)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_setvcpucontext, .domain = (domid_t)domid};
    void *buf = xc_buf_alloc(xc, len);
    int rc;

    if (!buf)
        return -ENOMEM;
    memcpy(buf, ctxt, len);
    op.u.vcpucontext.vcpu = vcpu;
    set_xen_guest_handle(op.u.vcpucontext.ctxt, buf);
    rc = xc_domctl(xc, &op);
    xc_buf_free(xc, buf, len);
    return rc;
}

int xc_physinfo(xc_t *xc, struct xen_sysctl_physinfo *info)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_physinfo};
    int rc = xc_sysctl(xc, &op);

    if (rc >= 0)
        *info = op.u.physinfo;
    return rc;
}

int xc_sched_id(xc_t *xc, unsigned *sched_id)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_sched_id};
    int rc = xc_sysctl(xc, &op);

    if (rc >= 0)
        *sched_id = op.u.sched_id.sched_id;
    return rc;
}

/* xen_version(cmd, arg): arg is NULL for XENVER_version, else the XENVER_* structure. */
long xc_version(xc_t *xc, unsigned cmd, void *buf, size_t len)
{
    void *hbuf = NULL;
    long rc;

    if (buf && len) {
        hbuf = xc_buf_alloc(xc, len);
        if (!hbuf)
            return -ENOMEM;
        memcpy(hbuf, buf, len);
    }
    rc = xc_hypercall(xc, __HYPERVISOR_xen_version, cmd, (uint64_t)(uintptr_t)hbuf, 0, 0, 0);
    if (hbuf) {
        memcpy(buf, hbuf, len);
        xc_buf_free(xc, hbuf, len);
    }
    if (rc < 0)
        return xc_fail(xc, (int)rc, "xen_version %u", cmd);
    return rc;
}

long xc_readconsole(xc_t *xc, char *buf, size_t len, bool clear)
{
    struct xen_sysctl op = {.cmd = XEN_SYSCTL_readconsole};
    char *hbuf;
    long rc;

    if (!len)
        return xc_fail(xc, -EINVAL, "readconsole: a buffer of at least 1 byte expected");
    hbuf = xc_buf_alloc(xc, len);
    if (!hbuf)
        return -ENOMEM;
    op.u.readconsole.clear = clear;
    op.u.readconsole.count = (uint32_t)(len - 1);
    set_xen_guest_handle(op.u.readconsole.buffer, hbuf);
    rc = xc_sysctl(xc, &op);
    if (rc >= 0) {
        rc = op.u.readconsole.count;
        memcpy(buf, hbuf, (size_t)rc);
        buf[rc] = '\0';
    }
    xc_buf_free(xc, hbuf, len);
    return rc;
}

/*
 * XENMEM_populate_physmap for domid, extents of 2^order frames: pfns[] go
 * in as the first frame of each extent; for a PV (not translated) domain
 * Xen writes each new extent's first MFN back into its slot (public/memory.h,
 * extent_start; the extent is machine-contiguous) and sets the M2P. The
 * number of extents populated (Xen stops at the first it cannot allocate),
 * or a negative errno when the first call fails outright.
 */
long xc_populate_physmap_order(xc_t *xc, uint32_t domid, unsigned order, unsigned long nr,
                               xen_pfn_t *pfns)
{
    const unsigned long batch = 4096;
    xen_pfn_t *hbuf = xc_buf_alloc(xc, batch * sizeof(*pfns));
    unsigned long done = 0;
    long got = 0;

    if (!hbuf)
        return -ENOMEM;
    while (done < nr) {
        unsigned long n = nr - done < batch ? nr - done : batch;
        struct xen_memory_reservation res = {
            .nr_extents = n, .extent_order = order, .domid = (domid_t)domid};

        memcpy(hbuf, pfns + done, n * sizeof(*pfns));
        set_xen_guest_handle(res.extent_start, hbuf);
        got = xc_hypercall_cmd(xc, __HYPERVISOR_memory_op, XENMEM_populate_physmap, &res,
                               sizeof(res), 0);
        if (got < 0) {
            xc_fail(xc, (int)got, "memory_op populate_physmap (domain %u, order %u, pfn %#lx, %lu)",
                    domid, order, (unsigned long)pfns[done], n);
            break;
        }
        memcpy(pfns + done, hbuf, (size_t)got * sizeof(*pfns));
        done += (unsigned long)got;
        if ((unsigned long)got < n)
            break;
    }
    xc_buf_free(xc, hbuf, batch * sizeof(*pfns));
    return got < 0 && done == 0 ? got : (long)done;
}

/* Order-0 extents: every one of pfns[], or an error. */
int xc_populate_physmap(xc_t *xc, uint32_t domid, unsigned long nr, xen_pfn_t *pfns)
{
    long got = xc_populate_physmap_order(xc, domid, 0, nr, pfns);

    if (got < 0)
        return (int)got;
    if ((unsigned long)got < nr)
        return xc_fail(xc, -ENOMEM,
                       "memory_op populate_physmap (domain %u): %ld of %lu frames at pfn %#lx",
                       domid, got, nr, (unsigned long)pfns[got]);
    return 0;
}

/* EVTCHNOP_alloc_unbound: public/event_channel.h; the new port of domid. */
int xc_evtchn_alloc_unbound(xc_t *xc, uint32_t domid, uint32_t remote_domid)
{
    struct evtchn_alloc_unbound arg = {.dom = (domid_t)domid,
                                       .remote_dom = (domid_t)remote_domid};
    long rc = xc_hypercall_cmd(xc, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &arg,
                               sizeof(arg), 0);

    if (rc < 0)
        return xc_fail(xc, (int)rc, "event_channel_op alloc_unbound (domain %u, remote %u)",
                       domid, remote_domid);
    return (int)arg.port;
}
