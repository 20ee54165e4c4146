/*
 * Transactions (XS_TRANSACTION_START/END) with optimistic locking, as Xen's
 * xenstored: a transaction works on private copies of the nodes it touches
 * and remembers each one's store generation when first touched (0: the node
 * did not exist). XS_TRANSACTION_END "T" applies the copies only if no
 * remembered node changed meanwhile, else answers EAGAIN and the client
 * starts over. Requests outside a transaction run in a temporary one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_core.h"

struct tx_entry {
    struct tx_entry *next;
    struct node *node; /* this transaction's view; NULL: absent */
    char *path;
    uint64_t seen;   /* store generation when first touched, 0 if absent */
    int orig_owner;  /* owner then, -1 if absent (quota arithmetic) */
    bool dirty;
};

struct change {
    struct change *next;
    char *path;
    bool recursive; /* a removal: watches below path fire too */
    struct xs_perms perms;
};

struct txn {
    struct txn *next; /* in conn->txns */
    struct conn *conn;
    uint32_t id;
    struct tx_entry *entries;
    struct change *changes, **changes_tail;
};

struct txn *txn_new(struct conn *conn, uint32_t id)
{
    struct txn *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    t->conn = conn;
    t->id = id;
    t->changes_tail = &t->changes;
    return t;
}

void txn_free(struct txn *t)
{
    if (!t)
        return;
    while (t->entries) {
        struct tx_entry *e = t->entries;

        t->entries = e->next;
        node_free(e->node);
        free(e->path);
        free(e);
    }
    while (t->changes) {
        struct change *c = t->changes;

        t->changes = c->next;
        perms_free(&c->perms);
        free(c->path);
        free(c);
    }
    free(t);
}

uint32_t txn_id(const struct txn *t)
{
    return t->id;
}

static struct tx_entry *entry_find(struct txn *t, const char *path)
{
    for (struct tx_entry *e = t->entries; e; e = e->next)
        if (!strcmp(e->path, path))
            return e;
    return NULL;
}

/* Remembers the store's node of path as this transaction first saw it. */
static struct tx_entry *entry_load(struct txn *t, const char *path)
{
    struct tx_entry *e = entry_find(t, path);
    const struct node *cur;

    if (e)
        return e;
    e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->path = strdup(path);
    cur = store_get(path);
    if (!e->path || (cur && !(e->node = node_dup(cur)))) {
        free(e->path);
        free(e);
        return NULL;
    }
    e->seen = cur ? cur->gen : 0;
    e->orig_owner = cur ? (int)(cur->perms.num ? cur->perms.p[0].domid : 0) : -1;
    e->next = t->entries;
    t->entries = e;
    return e;
}

struct node *txn_get(struct txn *t, const char *path)
{
    struct tx_entry *e = entry_load(t, path);

    if (!e) {
        errno = ENOMEM;
        return NULL;
    }
    errno = ENOENT;
    return e->node;
}

int txn_put(struct txn *t, struct node *n)
{
    struct tx_entry *e = entry_load(t, n->path);

    if (!e)
        return ENOMEM;
    if (e->node != n) {
        node_free(e->node);
        e->node = n;
    }
    e->dirty = true;
    return 0;
}

int txn_del(struct txn *t, const char *path)
{
    struct tx_entry *e = entry_load(t, path);

    if (!e)
        return ENOMEM;
    node_free(e->node);
    e->node = NULL;
    e->dirty = true;
    return 0;
}

int txn_note_change(struct txn *t, const char *path, bool recursive)
{
    struct change *c = calloc(1, sizeof(*c));
    struct node *n = txn_get(t, path);

    if (!c)
        return ENOMEM;
    c->path = strdup(path);
    if (!c->path || (n && perms_copy(&c->perms, &n->perms))) {
        free(c->path);
        free(c);
        return ENOMEM;
    }
    c->recursive = recursive;
    *t->changes_tail = c;
    t->changes_tail = &c->next;
    return 0;
}

unsigned txn_owned(struct txn *t, uint32_t domid)
{
    long count = store_owned(domid);

    for (struct tx_entry *e = t->entries; e; e = e->next) {
        if (!e->dirty)
            continue;
        if (e->node && e->node->perms.num && e->node->perms.p[0].domid == domid)
            count++;
        if (e->orig_owner == (int)domid)
            count--;
    }
    return count < 0 ? 0 : count;
}

static bool txn_conflicts(const struct txn *t)
{
    for (const struct tx_entry *e = t->entries; e; e = e->next) {
        const struct node *cur = store_get(e->path);

        if ((cur ? cur->gen : 0) != e->seen)
            return true;
    }
    return false;
}

int txn_commit(struct txn *t)
{
    if (txn_conflicts(t)) {
        txn_free(t);
        return EAGAIN;
    }
    for (struct tx_entry *e = t->entries; e; e = e->next) {
        if (!e->dirty)
            continue;
        if (e->node)
            store_put(e->node);
        else
            store_del(e->path);
        e->node = NULL; /* the store owns it now */
    }
    for (struct change *c = t->changes; c; c = c->next)
        watch_fire(c->path, &c->perms, c->recursive);
    txn_free(t);
    return 0;
}

int conn_txn_start(struct conn *c, uint32_t *id)
{
    struct txn *t;

    if (c->domid != DOMID_PRIV && c->ntxns >= xs_quota.transactions)
        return ENOSPC;
    do {
        if (++c->next_txid == 0)
            c->next_txid = 1;
    } while (conn_txn_find(c, c->next_txid));
    t = txn_new(c, c->next_txid);
    if (!t)
        return ENOMEM;
    t->next = c->txns;
    c->txns = t;
    c->ntxns++;
    *id = t->id;
    return 0;
}

struct txn *conn_txn_find(struct conn *c, uint32_t id)
{
    for (struct txn *t = c->txns; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

int conn_txn_end(struct conn *c, uint32_t id, bool commit)
{
    struct txn **pp = &c->txns, *t;

    while (*pp && (*pp)->id != id)
        pp = &(*pp)->next;
    t = *pp;
    if (!t)
        return ENOENT;
    *pp = t->next;
    c->ntxns--;
    if (!commit) {
        txn_free(t);
        return 0;
    }
    return txn_commit(t);
}

void conn_txn_del_all(struct conn *c)
{
    while (c->txns) {
        struct txn *t = c->txns;

        c->txns = t->next;
        txn_free(t);
    }
    c->ntxns = 0;
}
