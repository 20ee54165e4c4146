/* This process's event channels, through Linux's /dev/xen/evtchn (xen/evtchn.h). */
#include "xc_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xen/evtchn.h>

struct xc_evtchn {
    int fd;
};

xc_evtchn_t *xc_evtchn_open(void)
{
    xc_evtchn_t *e = malloc(sizeof(*e));
    int saved;

    if (!e)
        return NULL;
    e->fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
    if (e->fd < 0) {
        saved = errno;
        free(e);
        errno = saved;
        return NULL;
    }
    return e;
}

void xc_evtchn_close(xc_evtchn_t *e)
{
    if (!e)
        return;
    close(e->fd);
    free(e);
}

int xc_evtchn_fd(const xc_evtchn_t *e)
{
    return e->fd;
}

/* The bind ioctls return the new local port. */
int xc_evtchn_bind_interdomain(xc_evtchn_t *e, uint32_t domid, uint32_t remote_port)
{
    struct ioctl_evtchn_bind_interdomain arg = {.remote_domain = domid,
                                                .remote_port = remote_port};
    int rc = ioctl(e->fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &arg);

    return rc < 0 ? -errno : rc;
}

int xc_evtchn_bind_virq(xc_evtchn_t *e, unsigned virq)
{
    struct ioctl_evtchn_bind_virq arg = {.virq = virq};
    int rc = ioctl(e->fd, IOCTL_EVTCHN_BIND_VIRQ, &arg);

    return rc < 0 ? -errno : rc;
}

int xc_evtchn_unbind(xc_evtchn_t *e, uint32_t port)
{
    struct ioctl_evtchn_unbind arg = {.port = port};

    return ioctl(e->fd, IOCTL_EVTCHN_UNBIND, &arg) < 0 ? -errno : 0;
}

int xc_evtchn_notify(xc_evtchn_t *e, uint32_t port)
{
    struct ioctl_evtchn_notify arg = {.port = port};

    return ioctl(e->fd, IOCTL_EVTCHN_NOTIFY, &arg) < 0 ? -errno : 0;
}

/* read() hands out fired ports (evtchn_port_t each); the port stays masked until unmask. */
int xc_evtchn_pending(xc_evtchn_t *e)
{
    evtchn_port_t port;
    ssize_t n = read(e->fd, &port, sizeof(port));

    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    if (n != sizeof(port))
        return -EIO;
    return (int)port;
}

/* write() of ports unmasks them. */
int xc_evtchn_unmask(xc_evtchn_t *e, uint32_t port)
{
    evtchn_port_t p = port;
    ssize_t n = write(e->fd, &p, sizeof(p));

    if (n < 0)
        return -errno;
    return n == sizeof(p) ? 0 : -EIO;
}
