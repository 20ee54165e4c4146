/*
 * The xenstore client library (xs_client.h): requests over xenstored's Unix
 * socket or Linux's /dev/xen/xenbus, one at a time; watch events that come
 * in while a request waits for its answer are queued for xs_read_watch.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "xs_client.h"

#define DEFAULT_SOCKET "/run/xenstored/socket"
#define XENBUS_DEV "/dev/xen/xenbus"

struct event {
    struct event *next;
    char **vec; /* path, token */
};

/* One piece of a request's payload. */
typedef struct {
    const void *base;
    size_t len;
} xs_iov;

struct xs {
    int fd;
    bool socket; /* xenstored's socket: requests may be pipelined */
    uint32_t next_req;
    struct event *events, **events_tail;
    bool deferring;   /* between xs_defer_begin and xs_defer_end */
    unsigned pending; /* deferred requests whose answers are not read yet */
    int deferred_err; /* the first error among them */
    /*
     * Requests wait in out[] until an answer is needed, and go in one write;
     * answers are read as many as have come (in[]), not two reads each: in
     * a PV Dom0 a system call is dear. Between calls in[] holds no whole
     * watch event (they are queued), so poll() on the fd misses nothing.
     */
    char *out;
    size_t out_len, out_cap;
    char in[16384];
    size_t in_off, in_len;
};

/* Deferred answers read at a time at most (keeps the socket's buffers small). */
#define MAX_PENDING 64

static int open_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
        int err = errno;

        close(fd);
        errno = err;
        fd = -1;
    }
    return fd;
}

/* A character device (Linux's xenbus) is opened; anything else is a socket. */
static int open_path(const char *path)
{
    struct stat st;

    if (!stat(path, &st) && S_ISCHR(st.st_mode))
        return open(path, O_RDWR | O_CLOEXEC);
    return open_socket(path);
}

struct xs *xs_open(const char *path)
{
    struct stat st;
    struct xs *xs;
    int fd;

    if (!path)
        path = getenv("XENSTORED_PATH");
    if (path)
        fd = open_path(path);
    else if (!access(DEFAULT_SOCKET, F_OK))
        fd = open_socket(DEFAULT_SOCKET);
    else
        fd = open_path(XENBUS_DEV);
    if (fd < 0)
        return NULL;
    xs = calloc(1, sizeof(*xs));
    if (!xs) {
        close(fd);
        return NULL;
    }
    xs->fd = fd;
    xs->socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
    xs->next_req = 1;
    xs->events_tail = &xs->events;
    return xs;
}

void xs_close(struct xs *xs)
{
    if (!xs)
        return;
    while (xs->events) {
        struct event *e = xs->events;

        xs->events = e->next;
        free(e->vec);
        free(e);
    }
    close(xs->fd);
    free(xs->out);
    free(xs);
}

int xs_fileno(const struct xs *xs)
{
    return xs->fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        buf = (const char *)buf + n;
        len -= n;
    }
    return 0;
}

/* Sends the requests waiting in out[]. */
static int flush_out(struct xs *xs)
{
    int err = xs->out_len ? write_all(xs->fd, xs->out, xs->out_len) : 0;

    xs->out_len = 0;
    return err;
}

/* len bytes of the daemon's answers: from in[], refilled with what has come. */
static int read_all(struct xs *xs, void *buf, size_t len)
{
    while (len) {
        size_t take;

        if (xs->in_off == xs->in_len) {
            ssize_t n = read(xs->fd, xs->in, sizeof(xs->in));

            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return n < 0 ? -errno : -EPIPE; /* xenstored went away */
            xs->in_off = 0;
            xs->in_len = (size_t)n;
        }
        take = xs->in_len - xs->in_off < len ? xs->in_len - xs->in_off : len;
        memcpy(buf, xs->in + xs->in_off, take);
        xs->in_off += take;
        buf = (char *)buf + take;
        len -= take;
    }
    return 0;
}

/* One message from the daemon (payload malloc'd, NUL-guarded). */
static int read_msg(struct xs *xs, struct xsd_sockmsg *hdr, char **payload)
{
    int err = flush_out(xs);

    if (!err)
        err = read_all(xs, hdr, sizeof(*hdr));

    *payload = NULL;
    if (err)
        return err;
    if (hdr->len > XENSTORE_PAYLOAD_MAX)
        return -EPROTO;
    *payload = malloc(hdr->len + 1);
    if (!*payload)
        return -ENOMEM;
    err = read_all(xs, *payload, hdr->len);
    if (err) {
        free(*payload);
        *payload = NULL;
        return err;
    }
    (*payload)[hdr->len] = '\0';
    return 0;
}

/* NUL-separated strings -> one allocation holding the array and the strings. */
static char **split_strings(const char *data, size_t len, unsigned *num)
{
    unsigned n = 0;
    char **vec, *copy;

    for (size_t i = 0; i < len; i++)
        n += data[i] == '\0';
    vec = malloc((n + 1) * sizeof(char *) + len + 1);
    if (!vec)
        return NULL;
    copy = (char *)(vec + n + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    for (unsigned i = 0; i < n; i++) {
        vec[i] = copy;
        copy += strlen(copy) + 1;
    }
    vec[n] = NULL;
    *num = n;
    return vec;
}

static int queue_event(struct xs *xs, const char *payload, size_t len)
{
    struct event *e = calloc(1, sizeof(*e));
    unsigned n;

    if (!e)
        return -ENOMEM;
    e->vec = split_strings(payload, len, &n);
    if (!e->vec || n < 2) {
        int err = e->vec ? -EPROTO : -ENOMEM;

        free(e->vec);
        free(e);
        return err;
    }
    *xs->events_tail = e;
    xs->events_tail = &e->next;
    return 0;
}

/* Queues the whole watch events in in[], up to the first message that is not one. */
static void queue_buffered_events(struct xs *xs)
{
    for (;;) {
        struct xsd_sockmsg hdr;
        size_t have = xs->in_len - xs->in_off;
        char *payload;

        if (have < sizeof(hdr))
            return;
        memcpy(&hdr, xs->in + xs->in_off, sizeof(hdr));
        if (hdr.type != XS_WATCH_EVENT || hdr.len > XENSTORE_PAYLOAD_MAX ||
            have < sizeof(hdr) + hdr.len || read_msg(xs, &hdr, &payload))
            return;
        queue_event(xs, payload, hdr.len);
        free(payload);
    }
}

/* The protocol's error name -> errno (xs_wire.h xsd_errors). */
static int errno_of(const char *name)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (!strcmp(xsd_errors[i].errstring, name))
            return xsd_errors[i].errnum;
    return EINVAL;
}

/* Sends one request; its answer is read by await_answer. */
static int send_request(struct xs *xs, struct xsd_sockmsg *hdr, const xs_iov *iov,
                        unsigned niov)
{
    char buf[sizeof(*hdr) + XENSTORE_PAYLOAD_MAX];

    hdr->len = 0;
    for (unsigned i = 0; i < niov; i++)
        hdr->len += iov[i].len;
    if (hdr->len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    memcpy(buf, hdr, sizeof(*hdr));
    for (unsigned i = 0, off = sizeof(*hdr); i < niov; off += iov[i].len, i++)
        memcpy(buf + off, iov[i].base, iov[i].len);
    /* One write per request on Linux's xenbus device (it takes one a write; no deferring there). */
    if (!xs->deferring && !xs->out_len)
        return write_all(xs->fd, buf, sizeof(*hdr) + hdr->len);
    if (xs->out_len + sizeof(*hdr) + hdr->len > xs->out_cap) {
        size_t cap = xs->out_cap ? xs->out_cap * 2 : 16384;
        char *out;

        while (cap < xs->out_len + sizeof(*hdr) + hdr->len)
            cap *= 2;
        if (!(out = realloc(xs->out, cap)))
            return -ENOMEM;
        xs->out = out;
        xs->out_cap = cap;
    }
    memcpy(xs->out + xs->out_len, buf, sizeof(*hdr) + hdr->len);
    xs->out_len += sizeof(*hdr) + hdr->len;
    /* A request whose answer is awaited now goes out with the deferred ones. */
    return xs->deferring ? 0 : flush_out(xs);
}

/*
 * The answer to request hdr, queueing the watch events that come first
 * (xs_wire.h: events may arrive between a request and its answer). The
 * payload (malloc'd), or NULL with *err set.
 */
static char *await_answer(struct xs *xs, const struct xsd_sockmsg *hdr, size_t *len_out,
                          int *err)
{
    char *payload = NULL;

    for (;;) {
        struct xsd_sockmsg rhdr;

        *err = read_msg(xs, &rhdr, &payload);
        if (*err)
            return NULL;
        if (rhdr.type == XS_WATCH_EVENT) {
            *err = queue_event(xs, payload, rhdr.len);
            free(payload);
            if (*err)
                return NULL;
            continue;
        }
        if (rhdr.type == XS_ERROR || rhdr.req_id != hdr->req_id || rhdr.type != hdr->type) {
            *err = rhdr.type == XS_ERROR ? -errno_of(payload) : -EPROTO;
            free(payload);
            return NULL;
        }
        if (len_out)
            *len_out = rhdr.len;
        return payload;
    }
}

/*
 * Reads the answers of the deferred requests, in order (xenstored answers
 * a connection's requests in order); the first error is kept.
 */
static int collect_deferred(struct xs *xs)
{
    while (xs->pending) {
        struct xsd_sockmsg hdr;
        char *payload = NULL;
        int err = read_msg(xs, &hdr, &payload);

        if (err)
            return xs->deferred_err = err;
        if (hdr.type == XS_WATCH_EVENT)
            err = queue_event(xs, payload, hdr.len);
        else {
            xs->pending--;
            if (hdr.type == XS_ERROR)
                err = -errno_of(payload);
        }
        free(payload);
        if (err && !xs->deferred_err)
            xs->deferred_err = err;
    }
    return xs->deferred_err;
}

void xs_defer_begin(struct xs *xs)
{
    xs->deferring = xs->socket;
}

int xs_defer_end(struct xs *xs)
{
    int err = flush_out(xs);

    err = collect_deferred(xs) ? xs->deferred_err : err;
    xs->deferring = false;
    xs->deferred_err = 0;
    queue_buffered_events(xs);
    return err;
}

/*
 * One request and its answer. It is sent behind the deferred requests
 * still unanswered, whose answers come first (xenstored answers a
 * connection in order): so a transaction's end goes out with its writes,
 * one round trip for the lot. The answer's payload (malloc'd) or NULL with
 * errno set.
 */
static char *xs_talk(struct xs *xs, uint32_t type, xs_tx_t tx, const xs_iov *iov, unsigned niov,
                     size_t *len_out)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = xs->next_req++, .tx_id = tx };
    char *payload = NULL;
    int err;

    err = send_request(xs, &hdr, iov, niov);
    /* Their errors stay for xs_defer_end; this request is answered on its own. */
    if (xs->pending)
        collect_deferred(xs);
    if (!err)
        payload = await_answer(xs, &hdr, len_out, &err);
    queue_buffered_events(xs);
    if (!payload)
        errno = -err;
    return payload;
}

static int talk_ack(struct xs *xs, uint32_t type, xs_tx_t tx, const xs_iov *iov, unsigned n)
{
    char *r = xs_talk(xs, type, tx, iov, n, NULL);

    if (!r)
        return -errno;
    free(r);
    return 0;
}

/* A request answered by "OK": sent without waiting while deferring. */
static int talk_deferrable(struct xs *xs, uint32_t type, xs_tx_t tx, const xs_iov *iov,
                           unsigned n)
{
    struct xsd_sockmsg hdr = { .type = type, .req_id = xs->next_req, .tx_id = tx };
    int err;

    if (!xs->deferring)
        return talk_ack(xs, type, tx, iov, n);
    if (xs->pending >= MAX_PENDING && collect_deferred(xs))
        return 0; /* reported by xs_defer_end */
    err = send_request(xs, &hdr, iov, n);
    if (err)
        return err;
    xs->next_req++;
    xs->pending++;
    return 0;
}

static char *talk_path(struct xs *xs, uint32_t type, xs_tx_t tx, const char *path, size_t *len)
{
    xs_iov iov[1] = { { path, strlen(path) + 1 } };

    return xs_talk(xs, type, tx, iov, 1, len);
}


char *xs_read(struct xs *xs, xs_tx_t tx, const char *path, size_t *len)
{
    return talk_path(xs, XS_READ, tx, path, len);
}

int xs_ask_many(struct xs *xs, xs_tx_t tx, const struct xs_ask *asks, unsigned n, char **vals,
                size_t *lens)
{
    uint32_t first = xs->next_req;
    bool deferring = xs->deferring;
    unsigned sent = 0;
    int err = 0;

    for (unsigned i = 0; i < n; i++)
        vals[i] = NULL;
    if (!xs->socket) {
        for (unsigned i = 0; i < n; i++)
            vals[i] = talk_path(xs, asks[i].type, tx, asks[i].path, lens ? &lens[i] : NULL);
        return 0;
    }
    xs->deferring = true; /* send_request only queues them in out[] */
    for (; sent < n && !err; sent++) {
        xs_iov iov[1] = { { asks[sent].path, strlen(asks[sent].path) + 1 } };
        struct xsd_sockmsg hdr = { .type = asks[sent].type, .req_id = xs->next_req++, .tx_id = tx };

        err = send_request(xs, &hdr, iov, 1);
    }
    xs->deferring = deferring;
    if (err)
        sent--;
    if (xs->pending)
        collect_deferred(xs); /* sends out[] and reads what came before */
    for (unsigned i = 0; i < sent; i++) {
        struct xsd_sockmsg hdr = { .type = asks[i].type, .req_id = first + i };
        int e;

        vals[i] = await_answer(xs, &hdr, lens ? &lens[i] : NULL, &e);
        if (!vals[i] && e != -ENOENT && e != -EACCES && !err)
            err = e;
    }
    queue_buffered_events(xs);
    return err;
}

int xs_read_many(struct xs *xs, xs_tx_t tx, const char *const *paths, unsigned n, char **vals)
{
    struct xs_ask asks[64];
    int err = 0;

    for (unsigned done = 0; done < n && !err; done += 64) {
        unsigned k = n - done < 64 ? n - done : 64;

        for (unsigned i = 0; i < k; i++)
            asks[i] = (struct xs_ask){ XS_READ, paths[done + i] };
        err = xs_ask_many(xs, tx, asks, k, vals + done, NULL);
    }
    return err;
}

char **xs_split_list(const char *list, size_t len, unsigned *num)
{
    return list ? split_strings(list, len, num) : NULL;
}

int xs_write(struct xs *xs, xs_tx_t tx, const char *path, const void *data, size_t len)
{
    xs_iov iov[2] = { { path, strlen(path) + 1 }, { data, len } };

    return talk_deferrable(xs, XS_WRITE, tx, iov, 2);
}

int xs_mkdir(struct xs *xs, xs_tx_t tx, const char *path)
{
    xs_iov iov[1] = { { path, strlen(path) + 1 } };

    return talk_deferrable(xs, XS_MKDIR, tx, iov, 1);
}

int xs_rm(struct xs *xs, xs_tx_t tx, const char *path)
{
    xs_iov iov[1] = { { path, strlen(path) + 1 } };

    return talk_deferrable(xs, XS_RM, tx, iov, 1);
}

char **xs_directory(struct xs *xs, xs_tx_t tx, const char *path, unsigned *num)
{
    size_t len;
    char *r = talk_path(xs, XS_DIRECTORY, tx, path, &len);
    char **vec;

    if (!r)
        return NULL;
    vec = split_strings(r, len, num);
    free(r);
    if (!vec)
        errno = ENOMEM;
    return vec;
}

static int perm_parse(const char *s, struct xs_perm *p)
{
    char *end;
    unsigned long id;

    switch (s[0]) {
    case 'n': p->perm = XS_PERM_NONE; break;
    case 'r': p->perm = XS_PERM_READ; break;
    case 'w': p->perm = XS_PERM_WRITE; break;
    case 'b': p->perm = XS_PERM_BOTH; break;
    default: return -EPROTO;
    }
    id = strtoul(s + 1, &end, 10);
    if (*end || end == s + 1)
        return -EPROTO;
    p->domid = id;
    return 0;
}

struct xs_perm *xs_get_perms(struct xs *xs, xs_tx_t tx, const char *path, unsigned *num)
{
    size_t len;
    char *r = talk_path(xs, XS_GET_PERMS, tx, path, &len);
    struct xs_perm *perms = NULL;
    char **vec = NULL;
    unsigned n;
    int err = 0;

    if (!r)
        return NULL;
    vec = split_strings(r, len, &n);
    perms = vec && n ? calloc(n, sizeof(*perms)) : NULL;
    if (!perms)
        err = vec && !n ? EPROTO : ENOMEM;
    for (unsigned i = 0; !err && i < n; i++)
        err = -perm_parse(vec[i], &perms[i]);
    free(r);
    free(vec);
    if (err) {
        free(perms);
        errno = err;
        return NULL;
    }
    *num = n;
    return perms;
}

int xs_set_perms(struct xs *xs, xs_tx_t tx, const char *path, const struct xs_perm *perms,
                 unsigned num)
{
    static const char letters[] = "nrwb";
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t used = 0;
    xs_iov iov[2];

    for (unsigned i = 0; i < num; i++) {
        int n = snprintf(buf + used, sizeof(buf) - used, "%c%u", letters[perms[i].perm & 3],
                         perms[i].domid);

        if (n < 0 || (size_t)n + 1 > sizeof(buf) - used)
            return -E2BIG;
        used += n + 1;
    }
    iov[0] = (xs_iov){ path, strlen(path) + 1 };
    iov[1] = (xs_iov){ buf, used };
    return talk_deferrable(xs, XS_SET_PERMS, tx, iov, 2);
}

int xs_tx_start(struct xs *xs, xs_tx_t *tx)
{
    char *r = talk_path(xs, XS_TRANSACTION_START, XS_TX_NONE, "", NULL);
    char *end;

    if (!r)
        return -errno;
    *tx = strtoul(r, &end, 10);
    free(r);
    return *tx ? 0 : -EPROTO;
}

int xs_tx_end(struct xs *xs, xs_tx_t tx, bool abort)
{
    xs_iov iov[1] = { { abort ? "F" : "T", 2 } };

    return talk_ack(xs, XS_TRANSACTION_END, tx, iov, 1);
}

int xs_watch(struct xs *xs, const char *path, const char *token)
{
    xs_iov iov[2] = { { path, strlen(path) + 1 }, { token, strlen(token) + 1 } };

    return talk_ack(xs, XS_WATCH, XS_TX_NONE, iov, 2);
}

int xs_unwatch(struct xs *xs, const char *path, const char *token)
{
    xs_iov iov[2] = { { path, strlen(path) + 1 }, { token, strlen(token) + 1 } };

    return talk_ack(xs, XS_UNWATCH, XS_TX_NONE, iov, 2);
}

char **xs_read_watch(struct xs *xs, unsigned *num)
{
    struct event *e;
    char **vec;

    while (!xs->events) {
        struct xsd_sockmsg hdr;
        char *payload;
        int err = read_msg(xs, &hdr, &payload);

        if (!err && hdr.type == XS_WATCH_EVENT)
            err = queue_event(xs, payload, hdr.len);
        free(payload); /* a stray answer with no request waiting is dropped */
        if (err) {
            errno = -err;
            return NULL;
        }
    }
    e = xs->events;
    xs->events = e->next;
    if (!xs->events)
        xs->events_tail = &xs->events;
    vec = e->vec;
    free(e);
    queue_buffered_events(xs);
    *num = 2;
    return vec;
}

bool xs_watch_pending(const struct xs *xs)
{
    return xs->events != NULL;
}

int xs_introduce_domain(struct xs *xs, uint32_t domid, uint64_t mfn, uint32_t port)
{
    char d[16], m[24], p[16];
    xs_iov iov[3];

    snprintf(d, sizeof(d), "%u", domid);
    snprintf(m, sizeof(m), "%llu", (unsigned long long)mfn);
    snprintf(p, sizeof(p), "%u", port);
    iov[0] = (xs_iov){ d, strlen(d) + 1 };
    iov[1] = (xs_iov){ m, strlen(m) + 1 };
    iov[2] = (xs_iov){ p, strlen(p) + 1 };
    return talk_ack(xs, XS_INTRODUCE, XS_TX_NONE, iov, 3);
}

int xs_release_domain(struct xs *xs, uint32_t domid)
{
    char d[16];
    xs_iov iov[1];

    snprintf(d, sizeof(d), "%u", domid);
    iov[0] = (xs_iov){ d, strlen(d) + 1 };
    return talk_deferrable(xs, XS_RELEASE, XS_TX_NONE, iov, 1);
}

char *xs_get_domain_path(struct xs *xs, uint32_t domid)
{
    char d[16];

    snprintf(d, sizeof(d), "%u", domid);
    return talk_path(xs, XS_GET_DOMAIN_PATH, XS_TX_NONE, d, NULL);
}
