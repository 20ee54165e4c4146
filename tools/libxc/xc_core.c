/*
 * The privcmd channel: open the device, hypercall buffers, raw hypercalls,
 * domctl/sysctl with their interface versions, and the last-error text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xc_private.h"
/* After xc.h: the UAPI header needs the Xen types it brings. */
#include <xen/privcmd.h>

xc_t *xc_open(void)
{
    static const char *const paths[] = {"/dev/xen/privcmd", "/proc/xen/privcmd"};
    xc_t *xc = calloc(1, sizeof(*xc));
    int saved;

    if (!xc)
        return NULL;
    xc->fd = -1;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && xc->fd < 0; i++)
        xc->fd = open(paths[i], O_RDWR | O_CLOEXEC);
    if (xc->fd < 0) {
        saved = errno;
        free(xc);
        errno = saved;
        return NULL;
    }
    return xc;
}

void xc_close(xc_t *xc)
{
    if (!xc)
        return;
    if (xc->page && xc->page_owner == getpid())
        munmap(xc->page, XC_PAGE_SIZE);
    close(xc->fd);
    free(xc);
}

const char *xc_last_error(const xc_t *xc)
{
    return xc->err[0] ? xc->err : "no error";
}

static size_t buf_span(size_t len)
{
    return (len + XC_PAGE_SIZE - 1) & ~(XC_PAGE_SIZE - 1);
}

/*
 * The hypervisor copies from and to these user addresses while the ioctl
 * runs, so they must be present and stay put: locked and populated, and not
 * shared copy-on-write with a child (MADV_DONTFORK).
 */
static void *buf_map(xc_t *xc, size_t span, size_t len)
{
    void *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);

    if (p == MAP_FAILED) {
        xc_fail(xc, -errno, "hypercall buffer of %zu bytes", len);
        return NULL;
    }
    madvise(p, span, MADV_DONTFORK);
    return p;
}

void *xc_buf_alloc(xc_t *xc, size_t len)
{
    size_t span = buf_span(len ? len : 1);

    /* Not in a child of the process that mapped it (daemon(), fork): it has no such page. */
    if (span == XC_PAGE_SIZE && !xc->page_busy && (!xc->page || xc->page_owner == getpid())) {
        if (!xc->page && !(xc->page = buf_map(xc, span, len)))
            return NULL;
        xc->page_owner = getpid();
        xc->page_busy = true;
        return xc->page;
    }
    return buf_map(xc, span, len);
}

void xc_buf_free(xc_t *xc, void *buf, size_t len)
{
    if (buf && buf == xc->page)
        xc->page_busy = false;
    else if (buf)
        munmap(buf, buf_span(len ? len : 1));
}

long xc_hypercall(xc_t *xc, unsigned op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4)
{
    struct privcmd_hypercall call = {.op = op, .arg = {a0, a1, a2, a3, a4}};
    long rc = ioctl(xc->fd, IOCTL_PRIVCMD_HYPERCALL, &call);

    /* privcmd returns the hypercall's value; a Xen error comes as -1/errno. */
    return rc < 0 ? -errno : rc;
}

static long hypercall_copy(xc_t *xc, unsigned op, bool with_cmd, uint64_t cmd, void *arg,
                           size_t len, uint64_t a2)
{
    void *buf = xc_buf_alloc(xc, len);
    uint64_t ptr = (uint64_t)(uintptr_t)buf;
    long rc;

    if (!buf)
        return -ENOMEM;
    memcpy(buf, arg, len);
    if (with_cmd)
        rc = xc_hypercall(xc, op, cmd, ptr, a2, 0, 0);
    else
        rc = xc_hypercall(xc, op, ptr, 0, 0, 0, 0);
    memcpy(arg, buf, len);
    xc_buf_free(xc, buf, len);
    return rc;
}

long xc_hypercall_arg(xc_t *xc, unsigned op, void *arg, size_t len)
{
    return hypercall_copy(xc, op, false, 0, arg, len, 0);
}

long xc_hypercall_cmd(xc_t *xc, unsigned op, uint64_t cmd, void *arg, size_t len, uint64_t a2)
{
    return hypercall_copy(xc, op, true, cmd, arg, len, a2);
}

static const char *domctl_name(uint32_t cmd)
{
    switch (cmd) {
    case XEN_DOMCTL_createdomain: return "createdomain";
    case XEN_DOMCTL_destroydomain: return "destroydomain";
    case XEN_DOMCTL_pausedomain: return "pausedomain";
    case XEN_DOMCTL_unpausedomain: return "unpausedomain";
    case XEN_DOMCTL_getdomaininfo: return "getdomaininfo";
    case XEN_DOMCTL_max_mem: return "max_mem";
    case XEN_DOMCTL_setdomainhandle: return "setdomainhandle";
    case XEN_DOMCTL_getvcpuinfo: return "getvcpuinfo";
    case XEN_DOMCTL_setvcpucontext: return "setvcpucontext";
    case XEN_DOMCTL_hypercall_init: return "hypercall_init";
    case XEN_DOMCTL_max_vcpus: return "max_vcpus";
    default: return NULL;
    }
}

static const char *sysctl_name(uint32_t cmd)
{
    switch (cmd) {
    case XEN_SYSCTL_readconsole: return "readconsole";
    case XEN_SYSCTL_physinfo: return "physinfo";
    case XEN_SYSCTL_sched_id: return "sched_id";
    case XEN_SYSCTL_getdomaininfolist: return "getdomaininfolist";
    default: return NULL;
    }
}

/* op->interface_version: public/domctl.h, XEN_DOMCTL_INTERFACE_VERSION (0x15 in 4.17). */
int xc_domctl(xc_t *xc, struct xen_domctl *op)
{
    const char *name = domctl_name(op->cmd);
    long rc;

    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    rc = xc_hypercall_arg(xc, __HYPERVISOR_domctl, op, sizeof(*op));
    if (rc < 0) {
        if (name)
            return xc_fail(xc, rc, "domctl %s (domain %u)", name, op->domain);
        return xc_fail(xc, rc, "domctl %u (domain %u)", op->cmd, op->domain);
    }
    return (int)rc;
}

int xc_sysctl(xc_t *xc, struct xen_sysctl *op)
{
    const char *name = sysctl_name(op->cmd);
    long rc;

    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    rc = xc_hypercall_arg(xc, __HYPERVISOR_sysctl, op, sizeof(*op));
    if (rc < 0) {
        if (name)
            return xc_fail(xc, rc, "sysctl %s", name);
        return xc_fail(xc, rc, "sysctl %u", op->cmd);
    }
    return (int)rc;
}
