/*
 * The requests of xs_wire.h's enum xsd_sockmsg_type: one handler each, all
 * with the same shape. The payload has been length-checked
 * (<= XENSTORE_PAYLOAD_MAX) but nothing else: every handler checks its own
 * strings and numbers. A handler returns 0 or an errno, which the client
 * gets as XS_ERROR with the xsd_errors name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_core.h"

/* Xen 4.17's defaults (xenstored -E, -S, -W, -t). */
struct xs_quota xs_quota = { .nodes = 1000, .value_size = 2048, .watches = 128, .transactions = 10 };

#define PATH_BUF (XENSTORE_ABS_PATH_MAX + 64)

struct reply {
    char data[XENSTORE_PAYLOAD_MAX];
    size_t len;
    char watch_path[PATH_BUF]; /* XS_WATCH: fire this watch once after the ack */
    const char *watch_token;
};

struct request {
    struct conn *c;
    const struct xsd_sockmsg *hdr;
    const char *p; /* payload, NUL-guarded one byte past hdr->len */
    size_t len;
    struct txn *t;
    const char *what; /* the path or argument, for the log */
};

typedef int op_fn(struct request *rq, struct reply *r);

void domain_path(uint32_t domid, char *buf, size_t size)
{
    snprintf(buf, size, "/local/domain/%u", domid);
}

/* The strings of the payload; -1 unless every byte up to len belongs to a
 * NUL-ended string (a trailing unterminated piece is malformed). */
static int args_split(const struct request *rq, const char **vec, int max)
{
    int n = 0;

    if (rq->len == 0 || rq->p[rq->len - 1] != '\0')
        return -1;
    for (size_t off = 0; off < rq->len; off += strlen(rq->p + off) + 1) {
        if (n == max)
            return -1;
        vec[n++] = rq->p + off;
    }
    return n;
}

static const char *onearg(struct request *rq)
{
    const char *v[1];

    if (args_split(rq, v, 1) != 1)
        return NULL;
    rq->what = v[0];
    return v[0];
}

/* A path relative to the domain's home, or absolute; Xen's validity rules. */
static int canonical(const struct conn *c, const char *in, char *out)
{
    char home[32];

    if (!in)
        return EINVAL;
    if (in[0] == '/') {
        if (strlen(in) >= PATH_BUF)
            return EINVAL;
        strcpy(out, in);
    } else {
        domain_path(c->domid, home, sizeof(home));
        if ((size_t)snprintf(out, PATH_BUF, "%s/%s", home, in) >= PATH_BUF)
            return EINVAL;
    }
    return path_is_valid(out) ? 0 : EINVAL;
}

static int reply_str(struct reply *r, const char *s)
{
    size_t len = strlen(s) + 1;

    if (len > sizeof(r->data))
        return E2BIG;
    memcpy(r->data, s, len);
    r->len = len;
    return 0;
}

static int reply_bytes(struct reply *r, const void *data, size_t len)
{
    if (len > sizeof(r->data))
        return E2BIG;
    if (len)
        memcpy(r->data, data, len);
    r->len = len;
    return 0;
}

/*
 * The node for an access needing perm, as Xen's get_node: EACCES when the
 * node forbids it; when the node is missing, ENOENT only if the nearest
 * existing ancestor would allow perm, so a missing node tells a domain no
 * more than it may know.
 */
static int node_access(struct request *rq, const char *path, unsigned perm, struct node **out)
{
    struct node *n = txn_get(rq->t, path);
    char *anc;
    int err;

    *out = NULL;
    if (n) {
        if ((perms_for(&n->perms, rq->c->domid) & perm) != perm)
            return EACCES;
        *out = n;
        return 0;
    }
    if (errno == ENOMEM)
        return ENOMEM;
    anc = strdup(path);
    err = anc ? EACCES : ENOMEM;
    while (anc && strcmp(anc, "/")) {
        char *parent = path_parent(anc);

        free(anc);
        anc = parent;
        if (!anc) {
            err = ENOMEM;
            break;
        }
        n = txn_get(rq->t, anc);
        if (n) {
            err = (perms_for(&n->perms, rq->c->domid) & perm) == perm ? ENOENT : EACCES;
            break;
        }
    }
    free(anc);
    return err;
}

/* Creates path and its missing ancestors: the nearest existing ancestor must
 * let us write; each new node inherits its parent's perms, with the creating
 * domain as owner unless it is Dom0 (Xen's construct_node). */
static int create_node(struct request *rq, const char *path, struct node **out)
{
    char *missing[XENSTORE_ABS_PATH_MAX / 2];
    unsigned nmissing = 0, domid = rq->c->domid;
    struct node *parent = NULL;
    char *p = strdup(path);
    int err = 0;

    while (p && !(parent = txn_get(rq->t, p)) && nmissing < sizeof(missing) / sizeof(*missing)) {
        missing[nmissing++] = p;
        p = path_parent(p);
    }
    free(p);
    if (!parent) {
        err = ENOMEM;
        goto out;
    }
    if (!(perms_for(&parent->perms, domid) & XS_PERM_WRITE)) {
        err = EACCES;
        goto out;
    }
    if (domid != DOMID_PRIV && txn_owned(rq->t, domid) + nmissing > xs_quota.nodes) {
        err = ENOSPC;
        goto out;
    }
    while (nmissing > 0) {
        const char *name = missing[nmissing - 1];
        struct node *n = node_new(name);

        if (!n || perms_copy(&n->perms, &parent->perms) ||
            node_add_child(parent, path_basename(name)) || txn_put(rq->t, parent)) {
            node_free(n);
            err = ENOMEM;
            goto out;
        }
        if (domid != DOMID_PRIV)
            n->perms.p[0].domid = domid;
        if (txn_put(rq->t, n)) {
            err = ENOMEM;
            goto out;
        }
        free(missing[--nmissing]);
        parent = n;
    }
    *out = parent;
out:
    while (nmissing > 0)
        free(missing[--nmissing]);
    return err;
}

static int op_read(struct request *rq, struct reply *r)
{
    char path[PATH_BUF];
    struct node *n;
    int err = canonical(rq->c, onearg(rq), path);

    if (!err)
        err = node_access(rq, path, XS_PERM_READ, &n);
    return err ? err : reply_bytes(r, n->value, n->vlen);
}

static int op_write(struct request *rq, struct reply *r)
{
    const char *nul = memchr(rq->p, '\0', rq->len);
    char path[PATH_BUF];
    struct node *n;
    size_t vlen;
    int err;

    if (!nul)
        return EINVAL;
    rq->what = rq->p;
    vlen = rq->len - (nul - rq->p) - 1;
    err = canonical(rq->c, rq->p, path);
    if (err)
        return err;
    if (rq->c->domid != DOMID_PRIV && vlen > xs_quota.value_size)
        return ENOSPC;
    err = node_access(rq, path, XS_PERM_WRITE, &n);
    if (err == ENOENT)
        err = create_node(rq, path, &n);
    if (!err)
        err = node_set_value(n, nul + 1, vlen);
    if (!err)
        err = txn_put(rq->t, n);
    if (!err)
        err = txn_note_change(rq->t, path, false);
    return err ? err : reply_str(r, "OK");
}

static int op_mkdir(struct request *rq, struct reply *r)
{
    char path[PATH_BUF];
    struct node *n;
    int err = canonical(rq->c, onearg(rq), path);

    if (!err)
        err = node_access(rq, path, XS_PERM_WRITE, &n);
    if (err == ENOENT) {
        err = create_node(rq, path, &n);
        if (!err)
            err = txn_note_change(rq->t, path, false);
    }
    return err ? err : reply_str(r, "OK");
}

static int rm_subtree(struct txn *t, const char *path)
{
    struct node *n = txn_get(t, path);
    char child[PATH_BUF];
    int err = 0;

    if (!n)
        return 0;
    for (size_t off = 0; off < n->clen && !err; off += strlen(n->children + off) + 1) {
        if ((size_t)snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "",
                             n->children + off) >= sizeof(child))
            continue; /* cannot exist: longer than any valid path */
        err = rm_subtree(t, child);
        n = txn_get(t, path); /* still ours: the list only grows */
    }
    return err ? err : txn_del(t, path);
}

static int op_rm(struct request *rq, struct reply *r)
{
    char path[PATH_BUF], *parent_path;
    struct node *n, *parent;
    int err = canonical(rq->c, onearg(rq), path);

    if (err)
        return err;
    if (!strcmp(path, "/"))
        return EINVAL;
    parent_path = path_parent(path);
    if (!parent_path)
        return ENOMEM;
    err = node_access(rq, path, XS_PERM_WRITE, &n);
    parent = err == ENOENT || !err ? txn_get(rq->t, parent_path) : NULL;
    if (err == ENOENT && parent)
        err = 0; /* removing what is not there, under a parent that is: fine (Xen) */
    else if (!err && parent) {
        err = txn_note_change(rq->t, path, true);
        if (!err)
            err = rm_subtree(rq->t, path);
        parent = err ? NULL : txn_get(rq->t, parent_path);
        if (parent) {
            node_del_child(parent, path_basename(path));
            err = txn_put(rq->t, parent);
        }
    }
    free(parent_path);
    return err ? err : reply_str(r, "OK");
}

static int op_directory(struct request *rq, struct reply *r)
{
    char path[PATH_BUF];
    struct node *n;
    int err = canonical(rq->c, onearg(rq), path);

    if (!err)
        err = node_access(rq, path, XS_PERM_READ, &n);
    return err ? err : reply_bytes(r, n->children, n->clen);
}

/* "path\0offset\0" -> "generation\0" and the names from byte offset of the
 * child list; an empty name ends the list once it all fitted. */
static int op_directory_part(struct request *rq, struct reply *r)
{
    const char *v[2];
    char path[PATH_BUF], *end;
    unsigned long off;
    struct node *n;
    int err;

    if (args_split(rq, v, 2) != 2)
        return EINVAL;
    rq->what = v[0];
    err = canonical(rq->c, v[0], path);
    if (!err)
        err = node_access(rq, path, XS_PERM_READ, &n);
    if (err)
        return err;
    errno = 0;
    off = strtoul(v[1], &end, 10);
    if (errno || *end || !v[1][0] || off > n->clen || (off && n->children[off - 1] != '\0'))
        return EINVAL;
    r->len = snprintf(r->data, sizeof(r->data), "%" PRIu64, n->gen) + 1;
    while (off < n->clen) {
        size_t len = strlen(n->children + off) + 1;

        if (r->len + len + 1 > sizeof(r->data))
            return 0; /* the client asks again from here */
        memcpy(r->data + r->len, n->children + off, len);
        r->len += len;
        off += len;
    }
    r->data[r->len++] = '\0';
    return 0;
}

static int op_get_perms(struct request *rq, struct reply *r)
{
    const char *arg = onearg(rq);
    const struct xs_perms *perms;
    char path[PATH_BUF];
    struct node *n;
    int len, err;

    if (arg && arg[0] == '@') {
        perms = watch_special_perms(arg);
        if (!perms)
            return ENOENT;
    } else {
        err = canonical(rq->c, arg, path);
        if (!err)
            err = node_access(rq, path, XS_PERM_READ, &n);
        if (err)
            return err;
        perms = &n->perms;
    }
    len = perms_format(perms, r->data, sizeof(r->data));
    if (len < 0)
        return E2BIG;
    r->len = len;
    return 0;
}

static unsigned count_strings(const char *p, size_t len)
{
    unsigned n = 0;

    for (size_t i = 0; i < len; i++)
        n += p[i] == '\0';
    return n;
}

/* "path\0perm\0perm\0...": only the owner (or Dom0) may, and only Dom0 may
 * give a node away (EPERM), as Xen. */
static int op_set_perms(struct request *rq, struct reply *r)
{
    unsigned num = count_strings(rq->p, rq->len);
    struct xs_perms perms = { 0, NULL };
    char path[PATH_BUF];
    struct node *n;
    size_t plen;
    int err;

    if (num < 2 || rq->p[rq->len - 1] != '\0')
        return EINVAL;
    rq->what = rq->p;
    plen = strlen(rq->p) + 1;
    if (rq->c->domid != DOMID_PRIV && num - 1 > 5)
        return ENOSPC; /* Xen's quota of entries per node */
    err = perms_parse(rq->p + plen, rq->len - plen, num - 1, &perms);
    if (err)
        return err;
    if (rq->p[0] == '@') {
        err = rq->c->domid == DOMID_PRIV ? watch_special_set_perms(rq->p, &perms) : EACCES;
        goto out;
    }
    err = canonical(rq->c, rq->p, path);
    if (!err)
        err = node_access(rq, path, XS_PERM_WRITE, &n);
    if (err)
        goto out;
    if (rq->c->domid != DOMID_PRIV) {
        if (n->perms.p[0].domid != rq->c->domid)
            err = EACCES;
        else if (perms.p[0].domid != rq->c->domid)
            err = EPERM;
        if (err)
            goto out;
    }
    perms_free(&n->perms);
    n->perms = perms;
    perms.p = NULL;
    err = txn_put(rq->t, n);
    if (!err)
        err = txn_note_change(rq->t, path, false);
out:
    perms_free(&perms);
    return err ? err : reply_str(r, "OK");
}

/* "path\0token\0". Special names start with '@' and are never relative. */
static int watch_args(struct request *rq, char *path, const char **token, bool *relative)
{
    const char *v[2];

    if (args_split(rq, v, 2) != 2)
        return EINVAL;
    rq->what = v[0];
    *token = v[1];
    *relative = v[0][0] != '/' && v[0][0] != '@';
    if (v[0][0] == '@') {
        if (strlen(v[0]) > XENSTORE_REL_PATH_MAX)
            return EINVAL;
        strcpy(path, v[0]);
        return 0;
    }
    return canonical(rq->c, v[0], path);
}

static int op_watch(struct request *rq, struct reply *r)
{
    const char *token;
    bool relative;
    int err = watch_args(rq, r->watch_path, &token, &relative);

    if (!err)
        err = watch_add(rq->c, r->watch_path, token, relative);
    if (err)
        return err;
    r->watch_token = token;
    return reply_str(r, "OK");
}

static int op_unwatch(struct request *rq, struct reply *r)
{
    char path[PATH_BUF];
    const char *token;
    bool relative;
    int err = watch_args(rq, path, &token, &relative);

    if (!err)
        err = watch_del(rq->c, path, token);
    return err ? err : reply_str(r, "OK");
}

static int op_reset_watches(struct request *rq, struct reply *r)
{
    watch_del_all(rq->c);
    conn_txn_del_all(rq->c);
    return reply_str(r, "OK");
}

static int op_transaction_start(struct request *rq, struct reply *r)
{
    char buf[16];
    uint32_t id;
    int err;

    if (rq->hdr->tx_id)
        return EBUSY; /* no nested transactions (Xen) */
    err = conn_txn_start(rq->c, &id);
    if (err)
        return err;
    snprintf(buf, sizeof(buf), "%u", id);
    return reply_str(r, buf);
}

static int op_transaction_end(struct request *rq, struct reply *r)
{
    const char *arg = onearg(rq);
    int err;

    if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
        return EINVAL;
    err = conn_txn_end(rq->c, rq->hdr->tx_id, arg[0] == 'T');
    return err ? err : reply_str(r, "OK");
}

/* A decimal number no larger than max, nothing else. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || s[0] < '0' || s[0] > '9')
        return EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return EINVAL;
    *out = v;
    return 0;
}

static int parse_domid(const char *s, uint32_t *domid)
{
    uint64_t v;
    int err = parse_uint(s, DOMID_FIRST_RESERVED - 1, &v);

    *domid = v;
    return err;
}

/* "domid\0mfn\0port\0" (a fourth string, the old path, is ignored as by Xen). */
static int op_introduce(struct request *rq, struct reply *r)
{
    const char *v[4];
    uint64_t mfn, port;
    uint32_t domid;
    int n = args_split(rq, v, 4), err;

    if (n < 3)
        return EINVAL;
    rq->what = v[0];
    err = parse_domid(v[0], &domid);
    if (!err)
        err = parse_uint(v[1], UINT64_MAX, &mfn);
    if (!err)
        err = parse_uint(v[2], UINT32_MAX, &port);
    if (!err && domid == DOMID_PRIV)
        err = EINVAL; /* Dom0's ring is set up at start, never introduced */
    if (!err)
        err = domain_introduce(domid, mfn, port);
    return err ? err : reply_str(r, "OK");
}

static int op_release(struct request *rq, struct reply *r)
{
    uint32_t domid;
    int err = parse_domid(onearg(rq), &domid);

    if (!err && domid == DOMID_PRIV)
        err = EINVAL;
    if (!err)
        err = domain_release(domid);
    return err ? err : reply_str(r, "OK");
}

static int op_resume(struct request *rq, struct reply *r)
{
    uint32_t domid;
    int err = parse_domid(onearg(rq), &domid);

    if (!err && !domain_is_introduced(domid))
        err = ENOENT;
    return err ? err : reply_str(r, "OK");
}

static int op_get_domain_path(struct request *rq, struct reply *r)
{
    char buf[32];
    uint32_t domid;
    int err = parse_domid(onearg(rq), &domid);

    if (err)
        return err;
    domain_path(domid, buf, sizeof(buf));
    return reply_str(r, buf);
}

static int op_is_domain_introduced(struct request *rq, struct reply *r)
{
    uint32_t domid;
    int err = parse_domid(onearg(rq), &domid);

    if (err)
        return err;
    return reply_str(r, domid == DOMID_PRIV || domain_is_introduced(domid) ? "T" : "F");
}

static int op_set_target(struct request *rq, struct reply *r)
{
    return ENOSYS; /* device-model stub domains: not in Xenolith */
}

/* A harmless subset of Xen's XS_CONTROL: check, log on|off, quota, help. */
static int op_control(struct request *rq, struct reply *r)
{
    const char *v[3];
    char buf[160];
    int n = args_split(rq, v, 3);

    if (n < 1)
        return EINVAL;
    rq->what = v[0];
    if (!strcmp(v[0], "check"))
        return reply_str(r, "OK");
    if (!strcmp(v[0], "log") && n == 2 && (!strcmp(v[1], "on") || !strcmp(v[1], "off"))) {
        xs_verbose = !strcmp(v[1], "on");
        return reply_str(r, "OK");
    }
    if (!strcmp(v[0], "quota") && n == 1) {
        snprintf(buf, sizeof(buf),
                 "Nodes per domain: %u\nEntry size: %u\nWatches per domain: %u\n"
                 "Transactions per domain: %u\n",
                 xs_quota.nodes, xs_quota.value_size, xs_quota.watches, xs_quota.transactions);
        return reply_str(r, buf);
    }
    if (!strcmp(v[0], "help"))
        return reply_str(r, "check\nlog on|off\nquota\nhelp\n");
    return EINVAL;
}

#define PRIV 1u  /* Dom0 only (EACCES for others) */
#define NOTX 2u  /* never runs inside a transaction */

static const struct {
    op_fn *fn;
    unsigned flags;
} ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = { op_control, PRIV | NOTX },
    [XS_DIRECTORY] = { op_directory, 0 },
    [XS_READ] = { op_read, 0 },
    [XS_GET_PERMS] = { op_get_perms, 0 },
    [XS_WATCH] = { op_watch, NOTX },
    [XS_UNWATCH] = { op_unwatch, NOTX },
    [XS_TRANSACTION_START] = { op_transaction_start, NOTX },
    [XS_TRANSACTION_END] = { op_transaction_end, NOTX },
    [XS_INTRODUCE] = { op_introduce, PRIV | NOTX },
    [XS_RELEASE] = { op_release, PRIV | NOTX },
    [XS_GET_DOMAIN_PATH] = { op_get_domain_path, NOTX },
    [XS_WRITE] = { op_write, 0 },
    [XS_MKDIR] = { op_mkdir, 0 },
    [XS_RM] = { op_rm, 0 },
    [XS_SET_PERMS] = { op_set_perms, 0 },
    [XS_IS_DOMAIN_INTRODUCED] = { op_is_domain_introduced, PRIV | NOTX },
    [XS_RESUME] = { op_resume, PRIV | NOTX },
    [XS_SET_TARGET] = { op_set_target, PRIV | NOTX },
    [XS_RESET_WATCHES] = { op_reset_watches, NOTX },
    [XS_DIRECTORY_PART] = { op_directory_part, 0 },
};

/* Runs the handler in the request's transaction, or in a temporary one that
 * commits at once (it cannot conflict: nothing runs in between). */
static int ops_run(struct request *rq, struct reply *r, unsigned flags)
{
    struct txn *temp = NULL;
    int err;

    if (!(flags & NOTX)) {
        if (rq->hdr->tx_id) {
            rq->t = conn_txn_find(rq->c, rq->hdr->tx_id);
            if (!rq->t)
                return ENOENT;
        } else {
            rq->t = temp = txn_new(rq->c, 0);
            if (!temp)
                return ENOMEM;
        }
    }
    err = ops[rq->hdr->type].fn(rq, r);
    if (temp) {
        if (err)
            txn_free(temp);
        else
            err = txn_commit(temp);
    }
    return err;
}

void ops_process(struct conn *c, const struct xsd_sockmsg *hdr, const char *payload)
{
    static struct reply r; /* single-threaded; too big for the stack of a test thread */
    struct request rq = { .c = c, .hdr = hdr, .p = payload, .len = hdr->len, .what = "" };
    int err;

    r.len = 0;
    r.watch_token = NULL;
    if (hdr->type >= XS_TYPE_COUNT || !ops[hdr->type].fn)
        err = ENOSYS;
    else if ((ops[hdr->type].flags & PRIV) && c->domid != DOMID_PRIV)
        err = EACCES;
    else
        err = ops_run(&rq, &r, ops[hdr->type].flags);
    if (err) {
        xs_vlog("dom%u: XS_%s %.80s (tx %u): %s", c->domid, xs_typename(hdr->type), rq.what,
                hdr->tx_id, xs_errname(err));
        conn_queue(c, XS_ERROR, hdr->req_id, hdr->tx_id, xs_errname(err),
                   strlen(xs_errname(err)) + 1);
        return;
    }
    conn_queue(c, hdr->type, hdr->req_id, hdr->tx_id, r.data, r.len);
    if (r.watch_token)
        watch_fire_initial(c, r.watch_path, r.watch_token);
}
