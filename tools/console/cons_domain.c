/*
 * xenconsoled's guests. The toolstack writes /local/domain/<id>/console/
 * {ring-ref,port} (xl-inventory A1(c): ring-ref is the ring's MFN for a PV
 * guest, port the guest's unbound channel towards Dom0) before it
 * introduces the domain; we map the page, bind the channel, open a pty and
 * publish its name in console/tty, where `xl console` finds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "cons_domain.h"

/* Guest output kept while nobody reads the pty (the oldest is dropped). */
#define CONS_BUF_SIZE (64 * 1024)

void cons_log(const struct cons_ctx *c, const char *fmt, ...)
{
    va_list ap;

    (void)c;
    va_start(ap, fmt);
    fputs("xenconsoled: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

struct cons_dom *cons_dom_find(struct cons_ctx *c, uint32_t domid)
{
    for (struct cons_dom *d = c->doms; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

struct cons_dom *cons_dom_by_port(struct cons_ctx *c, int port)
{
    for (struct cons_dom *d = c->doms; d; d = d->next)
        if (d->connected && d->local_port == port)
            return d;
    return NULL;
}

static void watch_path(uint32_t domid, char *path, size_t len)
{
    snprintf(path, len, "/local/domain/%u/console", domid);
}

struct cons_dom *cons_dom_add(struct cons_ctx *c, uint32_t domid)
{
    struct cons_dom *d = cons_dom_find(c, domid);
    char path[64], token[32];
    int rc;

    if (d)
        return d;
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    d->master_fd = d->slave_fd = d->log_fd = -1;
    d->local_port = -1;
    d->next = c->doms;
    c->doms = d;
    /*
     * A toolstack writes the console nodes before it introduces the
     * domain (xl-inventory A1(c)), so mostly they are there: connect now,
     * a round trip and a wake-up sooner than through the watch. Else the
     * watch fires once at once (xenstore's rule), and again when they come.
     */
    rc = cons_dom_try_connect(c, d);
    if (rc)
        return rc > 0 ? d : NULL;
    watch_path(domid, path, sizeof(path));
    snprintf(token, sizeof(token), "dom:%u", domid);
    if (xs_watch(c->xs, path, token) == 0)
        d->watching = true;
    else
        cons_log(c, "d%u: cannot watch %s", domid, path);
    return d;
}

/* A node's value as a number, or -1 (missing or not a number). */
static long long number(const char *val)
{
    char *end;
    long long n;

    if (!val)
        return -1;
    errno = 0;
    n = strtoll(val, &end, 10);
    return errno || end == val || *end || n < 0 ? -1 : n;
}

static int open_pty(struct cons_dom *d, char *name, size_t len)
{
    struct termios t;

    d->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (d->master_fd < 0 || grantpt(d->master_fd) || unlockpt(d->master_fd) ||
        ptsname_r(d->master_fd, name, len))
        return -1;
    /*
     * We hold the slave open ourselves, in raw mode: the guest's output
     * then queues in the tty until a client reads it, and reads of the
     * master never fail with EIO between two clients.
     */
    d->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (d->slave_fd < 0 || tcgetattr(d->slave_fd, &t))
        return -1;
    cfmakeraw(&t);
    return tcsetattr(d->slave_fd, TCSANOW, &t);
}

/* log_dir/guest-<name>.log, or guest-<id>.log for a domain without a name. */
static void open_log(struct cons_ctx *c, struct cons_dom *d, const char *name)
{
    char path[4096], id[16];

    if (!c->log_dir)
        return;
    snprintf(id, sizeof(id), "%u", d->domid);
    snprintf(path, sizeof(path), "%s/guest-%s.log", c->log_dir, name ? name : id);
    d->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (d->log_fd < 0)
        cons_log(c, "d%u: cannot open log %s: %s", d->domid, path, strerror(errno));
}

int cons_dom_try_connect(struct cons_ctx *c, struct cons_dom *d)
{
    long long mfn, port;
    char tty[128], path[80], keys[3][64], *vals[3] = { NULL, NULL, NULL };
    const char *paths[3] = { keys[0], keys[1], keys[2] };
    xen_pfn_t frame;
    int err = 0;

    if (d->connected)
        return 1;
    /* One round trip for the three (the name only for the log). */
    snprintf(keys[0], sizeof(keys[0]), "/local/domain/%u/console/ring-ref", d->domid);
    snprintf(keys[1], sizeof(keys[1]), "/local/domain/%u/console/port", d->domid);
    snprintf(keys[2], sizeof(keys[2]), "/local/domain/%u/name", d->domid);
    xs_read_many(c->xs, XS_TX_NONE, paths, c->log_dir ? 3 : 2, vals);
    mfn = number(vals[0]);
    port = number(vals[1]);
    free(vals[0]);
    free(vals[1]);
    if (mfn < 0 || port < 0) {
        free(vals[2]);
        return 0; /* not written yet: the watch brings us back */
    }
    if (cons_buf_init(&d->buf, CONS_BUF_SIZE))
        goto fail;
    frame = (xen_pfn_t)mfn;
    d->intf = xc_map_foreign(c->xc, d->domid, PROT_READ | PROT_WRITE, &frame, 1, &err);
    if (!d->intf || err) {
        cons_log(c, "d%u: cannot map console ring mfn %#llx: %s", d->domid, mfn,
                 xc_last_error(c->xc));
        goto fail;
    }
    d->local_port = xc_evtchn_bind_interdomain(c->evtchn, d->domid, (uint32_t)port);
    if (d->local_port < 0) {
        cons_log(c, "d%u: cannot bind console port %lld: %s", d->domid, port,
                 strerror(-d->local_port));
        goto fail;
    }
    if (open_pty(d, tty, sizeof(tty))) {
        cons_log(c, "d%u: cannot open a pty: %s", d->domid, strerror(errno));
        goto fail;
    }
    open_log(c, d, vals[2]);
    /* Whatever the guest wrote before we came: into the pty, read once a client comes. */
    cons_dom_from_guest(c, d);
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", d->domid);
    if (xs_write(c->xs, XS_TX_NONE, path, tty, strlen(tty))) {
        cons_log(c, "d%u: cannot write %s", d->domid, path);
        goto fail;
    }
    d->connected = true;
    if (c->verbose)
        cons_log(c, "d%u: console on %s (ring mfn %#llx, port %lld)", d->domid, tty, mfn, port);
    free(vals[2]);
    return 1;
fail:
    free(vals[2]);
    cons_dom_remove(c, d);
    return -1;
}

static void disconnect(struct cons_ctx *c, struct cons_dom *d)
{
    if (d->local_port >= 0)
        xc_evtchn_unbind(c->evtchn, (uint32_t)d->local_port);
    if (d->intf)
        xc_unmap_foreign((void *)d->intf, 1);
    if (d->master_fd >= 0)
        close(d->master_fd);
    if (d->slave_fd >= 0)
        close(d->slave_fd);
    if (d->log_fd >= 0)
        close(d->log_fd);
    cons_buf_free(&d->buf);
    d->intf = NULL;
    d->local_port = d->master_fd = d->slave_fd = d->log_fd = -1;
    d->connected = false;
}

/*
 * Forgets the domain for good. After a failed connection this also drops
 * its watch, so a broken guest does not make us retry on every write; the
 * next @introduceDomain of the same id starts over.
 */
void cons_dom_remove(struct cons_ctx *c, struct cons_dom *d)
{
    char path[64], token[32];

    disconnect(c, d);
    if (d->watching) {
        watch_path(d->domid, path, sizeof(path));
        snprintf(token, sizeof(token), "dom:%u", d->domid);
        xs_unwatch(c->xs, path, token);
    }
    for (struct cons_dom **p = &c->doms; *p; p = &(*p)->next)
        if (*p == d) {
            *p = d->next;
            break;
        }
    free(d);
}

void cons_dom_reap(struct cons_ctx *c)
{
    struct cons_dom *d = c->doms, *next;
    struct xen_domctl_getdomaininfo info;

    for (; d; d = next) {
        next = d->next;
        if (xc_domain_info(c->xc, d->domid, &info) == 0 && !(info.flags & XEN_DOMINF_dying))
            continue;
        if (c->verbose)
            cons_log(c, "d%u: gone, console closed", d->domid);
        cons_dom_remove(c, d);
    }
}

void cons_dom_flush_pty(struct cons_dom *d)
{
    const char *p;
    size_t n;
    ssize_t w;

    while ((n = cons_buf_peek(&d->buf, &p)) > 0) {
        w = write(d->master_fd, p, n);
        if (w <= 0)
            return; /* the tty is full (nobody reads): keep it buffered */
        cons_buf_consume(&d->buf, (size_t)w);
    }
}

void cons_dom_from_guest(struct cons_ctx *c, struct cons_dom *d)
{
    char out[sizeof(d->intf->out)];
    long n = cons_ring_read_out(d->intf, out, sizeof(out));

    if (n < 0) {
        cons_log(c, "d%u: console ring indexes out of range, ignoring its output", d->domid);
        return;
    }
    if (n == 0)
        return;
    if (d->log_fd >= 0 && write(d->log_fd, out, (size_t)n) < 0)
        cons_log(c, "d%u: log write failed: %s", d->domid, strerror(errno));
    cons_buf_put(&d->buf, out, (size_t)n);
    cons_dom_flush_pty(d);
    xc_evtchn_notify(c->evtchn, (uint32_t)d->local_port); /* room again in out[] */
}

void cons_dom_from_pty(struct cons_ctx *c, struct cons_dom *d)
{
    char in[sizeof(d->intf->in)];
    XENCONS_RING_IDX used = d->intf->in_prod - d->intf->in_cons;
    size_t room = used <= sizeof(in) ? sizeof(in) - used : 0;
    ssize_t n;

    if (!room)
        return; /* the guest has not read yet: leave the bytes in the tty */
    n = read(d->master_fd, in, room);
    if (n <= 0)
        return;
    if (cons_ring_fill_in(d->intf, in, (size_t)n) > 0)
        xc_evtchn_notify(c->evtchn, (uint32_t)d->local_port);
}
