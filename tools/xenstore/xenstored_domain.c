/*
 * The domains' rings, through libxc: XS_INTRODUCE maps the ring page the
 * toolstack names and binds its event channel; VIRQ_DOM_EXC tells us a
 * domain shut down or is dying. Dom0's own kernel is a ring too: when
 * xenstored runs in Dom0 user space, Linux's xenbus is in XS_LOCAL mode
 * and allocated a page and an unbound port for us at boot, which
 * /dev/xen/xenbus_backend (IOCTL_XENBUS_BACKEND_EVTCHN, mmap) or the older
 * xenfs files /proc/xen/xsd_port and /proc/xen/xsd_kva expose. Linux probes
 * its devices on the first event on that port, so we send one at start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>


#include "xc.h"
#include "xenstored_core.h"
#include "xenstored_domain.h"
#include "xenstored_ring.h"
#include <xen/grant_table.h>

/* linux-libc-dev has no header for these (include/xen/xenbus_dev.h is kernel-only). */
#define XENBUS_BACKEND_DEV "/dev/xen/xenbus_backend"
#define IOCTL_XENBUS_BACKEND_EVTCHN _IOC(_IOC_NONE, 'B', 0, 0)
#define XSD_PORT_FILE "/proc/xen/xsd_port"
#define XSD_KVA_FILE "/proc/xen/xsd_kva"
#define PAGE_SZ 4096

struct ring {
    struct xenstore_domain_interface *intf;
    uint32_t port;          /* our local end */
    bool foreign;           /* mapped with xc_map_foreign (else mmap of Dom0's page) */
    bool granted;           /* mapped through gntdev */
};

static xc_t *xc;
static xc_evtchn_t *xce;
static xc_gnttab_t *xgt;
static int virq_port = -1;

static void ring_notify(struct ring *r)
{
    xc_evtchn_notify(xce, r->port);
}

static void ring_broken(struct conn *c, struct ring *r, const char *why)
{
    xs_log("dom%u: %s: ignoring its ring", c->domid, why);
    r->intf->error = XENSTORE_ERROR_RINGIDX;
    c->ignored = true;
}

static long dom_read(struct conn *c, void *buf, size_t len)
{
    struct ring *r = c->priv;
    long n = ring_read_req(r->intf, buf, len);

    if (n < 0) {
        ring_broken(c, r, "request ring indexes out of range");
        return 0;
    }
    if (n > 0)
        ring_notify(r); /* room for the guest to write more */
    return n;
}

static long dom_write(struct conn *c, const void *buf, size_t len)
{
    struct ring *r = c->priv;
    long n = ring_write_rsp(r->intf, buf, len);

    if (n < 0) {
        ring_broken(c, r, "response ring indexes out of range");
        return 0;
    }
    if (n > 0)
        ring_notify(r);
    return n;
}

static void dom_destroy(struct conn *c)
{
    struct ring *r = c->priv;

    xc_evtchn_unbind(xce, r->port);
    if (r->granted)
        xc_gnttab_unmap(xgt, r->intf);
    else if (r->foreign)
        xc_unmap_foreign(r->intf, 1);
    else
        munmap(r->intf, PAGE_SZ);
    free(r);
}

static const struct conn_ops dom_ops = {
    .read = dom_read, .write = dom_write, .destroy = dom_destroy,
};

/* The page of XS_INTRODUCE: the mfn libxl passes (a foreign map), else the
 * reserved grant GNTTAB_RESERVED_XENSTORE the builder seeded (what Xen
 * 4.17's xenstored uses; it ignores the mfn). */
static struct xenstore_domain_interface *map_ring(uint32_t domid, uint64_t mfn, struct ring *r)
{
    xen_pfn_t frame = mfn;
    int errs = 0;
    void *p = xc_map_foreign(xc, domid, PROT_READ | PROT_WRITE, &frame, 1, &errs);

    if (p && !errs) {
        r->foreign = true;
        return p;
    }
    if (p)
        xc_unmap_foreign(p, 1);
    p = xgt ? xc_gnttab_map(xgt, domid, GNTTAB_RESERVED_XENSTORE, PROT_READ | PROT_WRITE) : NULL;
    r->granted = p != NULL;
    return p;
}

static int ring_conn(uint32_t domid, struct ring *r, uint32_t remote_port, struct conn **out)
{
    int port = xc_evtchn_bind_interdomain(xce, domid, remote_port);

    if (port < 0)
        return -port;
    r->port = port;
    *out = conn_new(domid, &dom_ops, r);
    if (!*out) {
        xc_evtchn_unbind(xce, port);
        return ENOMEM;
    }
    return 0;
}

static int dom_connect(uint32_t domid, uint64_t mfn, uint32_t port, struct conn **out)
{
    struct ring *r = calloc(1, sizeof(*r));
    int err;

    if (!r)
        return ENOMEM;
    r->intf = map_ring(domid, mfn, r);
    if (!r->intf) {
        free(r);
        return EINVAL; /* Xen: the ring could not be mapped */
    }
    err = ring_conn(domid, r, port, out);
    if (err) {
        r->foreign ? xc_unmap_foreign(r->intf, 1) : xc_gnttab_unmap(xgt, r->intf);
        free(r);
        return err;
    }
    /* xs_wire.h: we answer reconnection requests and fill the error field. */
    r->intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR;
    return 0;
}

static int dom_rebind(struct conn *c, uint32_t port)
{
    struct ring *r = c->priv;
    int local = xc_evtchn_bind_interdomain(xce, c->domid, port);

    if (local < 0)
        return -local;
    xc_evtchn_unbind(xce, r->port);
    r->port = local;
    return 0;
}

static enum domain_state dom_state(uint32_t domid)
{
    struct xen_domctl_getdomaininfo info;

    if (xc_domain_info(xc, domid, &info) < 0 || info.domain != domid)
        return DOMAIN_DYING;
    if (info.flags & XEN_DOMINF_dying)
        return DOMAIN_DYING;
    if (info.flags & XEN_DOMINF_shutdown)
        return DOMAIN_SHUTDOWN;
    return DOMAIN_RUNNING;
}

static const struct domain_backend xc_backend = {
    .connect = dom_connect, .rebind = dom_rebind, .state = dom_state,
};

/* Dom0's XS_LOCAL page and port: the xenbus_backend device, else xenfs. */
static int dom0_find_ring(void **page, uint32_t *port)
{
    char buf[24];
    int fd = open(XENBUS_BACKEND_DEV, O_RDWR), n;

    if (fd >= 0) {
        n = ioctl(fd, IOCTL_XENBUS_BACKEND_EVTCHN);
        *page = n > 0 ? mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
        close(fd);
        if (*page != MAP_FAILED) {
            *port = n;
            return 0;
        }
    }
    fd = open(XSD_PORT_FILE, O_RDONLY);
    if (fd < 0)
        return errno;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return EIO;
    buf[n] = '\0';
    *port = strtoul(buf, NULL, 10);
    fd = open(XSD_KVA_FILE, O_RDWR);
    if (fd < 0)
        return errno;
    *page = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return *page == MAP_FAILED ? errno : 0;
}

static int dom0_connect(void)
{
    struct ring *r = calloc(1, sizeof(*r));
    struct conn *c;
    void *page;
    uint32_t port = 0;
    int err = r ? dom0_find_ring(&page, &port) : ENOMEM;

    if (err) {
        free(r);
        return err;
    }
    r->intf = page;
    err = ring_conn(DOMID_PRIV, r, port, &c);
    if (err) {
        munmap(page, PAGE_SZ);
        free(r);
        return err;
    }
    r->intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR;
    ring_notify(r); /* Linux's xenbus probes on the first event (xenstored_ready) */
    xs_log("Dom0's kernel connected on local port %u (its port %u)", r->port, port);
    return 0;
}

int domain_xc_init(bool dom0_ring)
{
    int port, err;

    xc = xc_open();
    xce = xc ? xc_evtchn_open() : NULL;
    if (!xce) {
        err = errno ? errno : ENODEV;
        xs_log("cannot open the hypervisor interfaces: %s", strerror(err));
        return err;
    }
    xgt = xc_gnttab_open(); /* optional: only the grant fallback needs it */
    port = xc_evtchn_bind_virq(xce, VIRQ_DOM_EXC);
    if (port < 0)
        xs_log("cannot bind VIRQ_DOM_EXC (%s): dying domains go unnoticed", strerror(-port));
    virq_port = port;
    domain_set_backend(&xc_backend);
    if (dom0_ring) {
        err = dom0_connect();
        if (err)
            xs_log("no ring to Dom0's kernel (%s): Dom0 has no xenbus devices", strerror(err));
    }
    return 0;
}

int domain_xc_fd(void)
{
    return xce ? xc_evtchn_fd(xce) : -1;
}

/* An event: VIRQ_DOM_EXC checks the domains; a ring port just wakes the loop,
 * which reads every ring afterwards. */
void domain_xc_event(void)
{
    int port = xc_evtchn_pending(xce);

    if (port < 0)
        return;
    if (port == virq_port)
        domain_check_all();
    xc_evtchn_unmask(xce, port);
}

bool domain_conn_is_ring(const struct conn *c)
{
    return c->ops == &dom_ops;
}

int domain_ring_wants_read(const struct conn *c)
{
    const struct ring *r = c->priv;

    return ring_has_req(r->intf);
}
