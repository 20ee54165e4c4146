/*
 * Connections: a byte stream of struct xsd_sockmsg headers and payloads in,
 * replies and watch events out. The stream comes from a Unix socket (Dom0's
 * tools, privileged), a domain's ring (xenstored_domain.c) or memory (the
 * tests, acting as any domain). The framing rules are xs_wire.h's: a header,
 * then exactly hdr.len <= XENSTORE_PAYLOAD_MAX payload bytes. A longer
 * length ends a socket client and silences a ring, as Xen's xenstored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xenstored_core.h"

/* A peer that never reads its answers may not make us hold more than this. */
#define CONN_OUT_MAX (4u << 20)

struct outmsg {
    struct outmsg *next;
    size_t len;
    char data[];
};

struct conn *conn_list;

static size_t conn_out_bytes(const struct conn *c)
{
    size_t n = 0;

    for (const struct outmsg *m = c->out_head; m; m = m->next)
        n += m->len;
    return n;
}

struct conn *conn_new(uint32_t domid, const struct conn_ops *ops, void *priv)
{
    struct conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->domid = domid;
    c->ops = ops;
    c->priv = priv;
    c->fd = -1;
    c->next = conn_list;
    conn_list = c;
    return c;
}

void conn_destroy(struct conn *c)
{
    struct conn **pp = &conn_list;

    while (*pp && *pp != c)
        pp = &(*pp)->next;
    if (*pp)
        *pp = c->next;
    conn_txn_del_all(c);
    watch_del_all(c);
    while (c->out_head) {
        struct outmsg *m = c->out_head;

        c->out_head = m->next;
        free(m);
    }
    if (c->ops->destroy)
        c->ops->destroy(c);
    free(c);
}

int conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
               const void *data, size_t len)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .tx_id = tx_id, .len = len };
    struct outmsg *m;

    if (len > XENSTORE_PAYLOAD_MAX)
        return E2BIG;
    if (conn_out_bytes(c) + len > CONN_OUT_MAX) {
        xs_log("dom%u: %zu bytes of answers unread, dropping the connection", c->domid,
               conn_out_bytes(c));
        c->dead = true;
        return ENOSPC;
    }
    m = malloc(sizeof(*m) + sizeof(hdr) + len);
    if (!m)
        return ENOMEM;
    m->next = NULL;
    m->len = sizeof(hdr) + len;
    memcpy(m->data, &hdr, sizeof(hdr));
    if (len)
        memcpy(m->data + sizeof(hdr), data, len);
    if (c->out_tail)
        c->out_tail->next = m;
    else
        c->out_head = m;
    c->out_tail = m;
    return 0;
}

bool conn_has_output(const struct conn *c)
{
    return c->out_head != NULL;
}

bool conn_has_input(const struct conn *c)
{
    return c->in_off < c->in_len && !c->dead && !c->ignored;
}

/*
 * The queued answers are gathered into one write of up to CONN_IO_CHUNK
 * bytes: every write wakes the peer (a socket reader, or a ring's event
 * channel), and a client woken per answer of a pipelined batch costs a
 * context switch per message on Dom0's vCPU.
 */
static size_t conn_gather(const struct conn *c, char *buf)
{
    size_t used = 0, off = c->out_off;

    for (const struct outmsg *m = c->out_head; m; m = m->next, off = 0) {
        size_t n = m->len - off;

        if (used + n > CONN_IO_CHUNK)
            n = used ? 0 : CONN_IO_CHUNK;
        if (!n)
            break;
        memcpy(buf + used, m->data + off, n);
        used += n;
    }
    return used;
}

/* Drops the first done bytes of the queue. */
static void conn_consume(struct conn *c, size_t done)
{
    while (done && c->out_head) {
        struct outmsg *m = c->out_head;
        size_t left = m->len - c->out_off;

        if (done < left) {
            c->out_off += done;
            return;
        }
        done -= left;
        c->out_head = m->next;
        if (!c->out_head)
            c->out_tail = NULL;
        c->out_off = 0;
        free(m);
    }
}

bool conn_flush(struct conn *c)
{
    static char buf[CONN_IO_CHUNK];

    while (c->out_head && !c->dead) {
        size_t len = conn_gather(c, buf);
        long n = c->ops->write(c, buf, len);

        if (n < 0) {
            c->dead = true;
            break;
        }
        if (n == 0)
            return false;
        conn_consume(c, (size_t)n);
    }
    return c->out_head == NULL;
}

/* Xen ends a socket client that announces an oversized payload and stops
 * reading a ring that does (the ring's indexes can no longer be trusted). */
static void conn_protocol_error(struct conn *c)
{
    xs_log("dom%u: message of %u bytes exceeds XENSTORE_PAYLOAD_MAX (type %u): %s",
           c->domid, c->hdr.len, c->hdr.type,
           c->fd >= 0 ? "closing the connection" : "ignoring the ring");
    if (c->fd >= 0)
        c->dead = true;
    c->ignored = true;
}

/*
 * Up to len bytes of input: from what the last read brought, else from one
 * new read of up to CONN_IO_CHUNK (a pipelined batch in one system call
 * instead of two per message). 0: nothing now; -1: the peer is gone.
 */
static long conn_take(struct conn *c, void *buf, size_t len)
{
    size_t n;

    if (c->in_off == c->in_len) {
        long got = c->ops->read(c, c->in, sizeof(c->in));

        if (got <= 0)
            return got;
        c->in_off = 0;
        c->in_len = (size_t)got;
    }
    n = c->in_len - c->in_off < len ? c->in_len - c->in_off : len;
    memcpy(buf, c->in + c->in_off, n);
    c->in_off += n;
    return (long)n;
}

/* One step of reading; true when a whole message is in. */
static bool conn_read_message(struct conn *c)
{
    long n;

    if (c->hdr_got < sizeof(c->hdr)) {
        n = conn_take(c, (char *)&c->hdr + c->hdr_got, sizeof(c->hdr) - c->hdr_got);
        if (n <= 0)
            goto out;
        c->hdr_got += n;
        if (c->hdr_got < sizeof(c->hdr))
            return false;
        if (c->hdr.len > XENSTORE_PAYLOAD_MAX) {
            conn_protocol_error(c);
            return false;
        }
    }
    if (c->payload_got < c->hdr.len) {
        n = conn_take(c, c->payload + c->payload_got, c->hdr.len - c->payload_got);
        if (n <= 0)
            goto out;
        c->payload_got += n;
    }
    return c->payload_got == c->hdr.len;
out:
    if (n < 0)
        c->dead = true;
    return false;
}

void conn_handle_input(struct conn *c)
{
    /* Bounded so one busy peer cannot starve the others. */
    for (int budget = 64; budget > 0 && !c->dead && !c->ignored; budget--) {
        size_t before = c->hdr_got + c->payload_got;

        if (conn_read_message(c)) {
            c->payload[c->hdr.len] = '\0'; /* a guard for string scans, not part of it */
            ops_process(c, &c->hdr, c->payload);
            c->hdr_got = c->payload_got = 0;
            continue;
        }
        if (c->hdr_got + c->payload_got == before)
            break; /* nothing more to read now */
    }
}

/* ---- Unix socket clients ---- */

static long sock_read(struct conn *c, void *buf, size_t len)
{
    ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

    if (n == 0)
        return -1;
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    return n;
}

static long sock_write(struct conn *c, const void *buf, size_t len)
{
    ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    return n;
}

static void sock_destroy(struct conn *c)
{
    close(c->fd);
}

static const struct conn_ops sock_ops = {
    .read = sock_read, .write = sock_write, .destroy = sock_destroy,
};

struct conn *conn_new_socket(int fd)
{
    struct conn *c = conn_new(DOMID_PRIV, &sock_ops, NULL);

    if (c)
        c->fd = fd;
    return c;
}

/* ---- memory connections: the tests' way to be any domain ---- */

struct membuf {
    char *data;
    size_t len, off;
};

static long mem_read(struct conn *c, void *buf, size_t len)
{
    struct membuf *m = c->priv;
    size_t n = m->len - m->off;

    if (n > len)
        n = len;
    memcpy(buf, m->data + m->off, n);
    m->off += n;
    return n;
}

static long mem_write(struct conn *c, const void *buf, size_t len)
{
    return 0; /* output stays queued for conn_memory_take */
}

static void mem_destroy(struct conn *c)
{
    struct membuf *m = c->priv;

    free(m->data);
    free(m);
}

static const struct conn_ops mem_ops = {
    .read = mem_read, .write = mem_write, .destroy = mem_destroy,
};

struct conn *conn_new_memory(uint32_t domid)
{
    struct membuf *m = calloc(1, sizeof(*m));
    struct conn *c = m ? conn_new(domid, &mem_ops, m) : NULL;

    if (!c)
        free(m);
    return c;
}

void conn_memory_feed(struct conn *c, const void *data, size_t len)
{
    struct membuf *m = c->priv;
    char *d = realloc(m->data, m->len - m->off + len);

    if (!d)
        return;
    memmove(d, d + m->off, m->len - m->off);
    m->len -= m->off;
    m->off = 0;
    memcpy(d + m->len, data, len);
    m->len += len;
    m->data = d;
    conn_handle_input(c);
}

size_t conn_memory_take(struct conn *c, void *buf, size_t size)
{
    size_t used = 0;

    if (c->out_head && c->out_head->len <= size) { /* one message per call */
        struct outmsg *m = c->out_head;

        memcpy((char *)buf + used, m->data, m->len);
        used += m->len;
        c->out_head = m->next;
        if (!c->out_head)
            c->out_tail = NULL;
        free(m);
    }
    return used;
}
