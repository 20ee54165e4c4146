/*
 * xenstored's internal interface: the node store, transactions, watches,
 * permissions, quotas and connections. Everything here builds and is tested
 * without libxc; the domain rings (xenstored_domain.c) plug in through
 * struct conn_ops and the domain hooks at the end.
 *
 * Single-threaded: one poll loop owns every structure, so there is no lock.
 * Every byte a client sends is untrusted until a function here has checked it.
 */
#ifndef XENSTORED_CORE_H
#define XENSTORED_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "xs_client.h"

#define DOMID_PRIV 0 /* Dom0: the tools' socket and Dom0's kernel ring */

/* Xen 4.17's default quotas (xenstored -E/-S/-W/-t); privileged domains have none. */
struct xs_quota {
    unsigned nodes;        /* nodes a domain may own (ENOSPC) */
    unsigned value_size;   /* bytes of one value (ENOSPC) */
    unsigned watches;      /* watches of one connection (E2BIG) */
    unsigned transactions; /* open transactions of one connection (ENOSPC) */
};
extern struct xs_quota xs_quota;

/* ---- logging (xenstored_log.c) ---- */
extern int xs_verbose;
void xs_log_open(FILE *f);
void xs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xs_vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* verbose only */
const char *xs_errname(int err);
const char *xs_typename(uint32_t type);

/* ---- permissions (xenstored_perms.c) ---- */
struct xs_perms {
    unsigned num; /* >= 1: p[0] is the owner and the default for other domains */
    struct xs_perm *p;
};
int perms_parse(const char *strings, size_t len, unsigned num, struct xs_perms *out);
/* NUL-separated "r0\0b5\0"; the length written, or -1 when it does not fit. */
int perms_format(const struct xs_perms *perms, char *buf, size_t size);
int perms_copy(struct xs_perms *dst, const struct xs_perms *src);
void perms_free(struct xs_perms *perms);
/* What domid may do: Dom0 and the owner everything, others their entry or the default. */
unsigned perms_for(const struct xs_perms *perms, uint32_t domid);

/* ---- the node store (xenstored_tree.c) ---- */
struct node {
    struct node *hnext;
    char *path; /* absolute, valid (path_is_valid) */
    char *value;
    size_t vlen;
    struct xs_perms perms;
    char *children; /* the children's names, each NUL-ended */
    size_t clen;
    uint64_t gen; /* store generation of the last change; 0 = never stored */
};
struct node *node_new(const char *path);
struct node *node_dup(const struct node *n);
void node_free(struct node *n);
int node_set_value(struct node *n, const void *value, size_t len);
int node_add_child(struct node *n, const char *name);
void node_del_child(struct node *n, const char *name);
bool node_has_child(const struct node *n, const char *name);

void store_init(void);
void store_fini(void);
struct node *store_get(const char *path);
/* Takes n (replaces any node of its path); stamps the next generation. */
void store_put(struct node *n);
void store_del(const char *path);
unsigned store_owned(uint32_t domid); /* nodes whose owner is domid */
uint64_t store_generation(void);
size_t store_count(void);

/* ---- paths (xenstored_tree.c) ---- */
/* Xen's rules: starts with '/', no "//", no trailing '/', [A-Za-z0-9_@/-], length. */
bool path_is_valid(const char *path);
/* The parent of a valid path other than "/" (malloc'd). */
char *path_parent(const char *path);
const char *path_basename(const char *path);
/* True if child is path itself or below it. */
bool path_is_under(const char *child, const char *path);

/* ---- transactions (xenstored_transaction.c) ---- */
/*
 * A transaction is a private copy of every node it touched, with the store
 * generation each had when first touched (0: absent). Commit succeeds only
 * if none of them changed meanwhile, else EAGAIN (optimistic locking, as
 * Xen's xenstored). A request outside a transaction runs in a temporary one
 * that commits at once, so every operation has one code path.
 */
struct conn;
struct txn;
struct txn *txn_new(struct conn *conn, uint32_t id);
void txn_free(struct txn *t);
uint32_t txn_id(const struct txn *t);
/* The node as this transaction sees it (owned by the transaction) or NULL. */
struct node *txn_get(struct txn *t, const char *path);
/* n must come from txn_get or node_new (then the transaction takes it). */
int txn_put(struct txn *t, struct node *n);
int txn_del(struct txn *t, const char *path);
/* Queues a watch event fired when the transaction commits. */
int txn_note_change(struct txn *t, const char *path, bool recursive);
/* Nodes domid owns as this transaction sees them. */
unsigned txn_owned(struct txn *t, uint32_t domid);
/* 0, or EAGAIN on conflict (nothing applied). Fires the watches. Frees t either way. */
int txn_commit(struct txn *t);

/* ---- watches (xenstored_watch.c) ---- */
int watch_add(struct conn *conn, const char *path, const char *token, bool relative);
int watch_del(struct conn *conn, const char *path, const char *token);
void watch_del_all(struct conn *conn);
unsigned watch_count(const struct conn *conn);
/* Fires path's watches (and, if recursive, those below it); perms decide who may see it. */
void watch_fire(const char *path, const struct xs_perms *perms, bool recursive);
/* @introduceDomain, @releaseDomain. */
void watch_fire_special(const char *name);
int watch_special_set_perms(const char *name, const struct xs_perms *perms);
const struct xs_perms *watch_special_perms(const char *name);
void watch_fire_initial(struct conn *conn, const char *path, const char *token);

/* ---- connections (xenstored_conn.c) ---- */
/* Bytes moved per read or write of a peer's socket or ring. */
#define CONN_IO_CHUNK 65536

struct conn_ops {
    /* Bytes read (0: nothing now), or -1 when the peer is gone. */
    long (*read)(struct conn *c, void *buf, size_t len);
    /* Bytes written (0: no room now), or -1 when the peer is gone. */
    long (*write)(struct conn *c, const void *buf, size_t len);
    void (*destroy)(struct conn *c);
};
struct outmsg;
struct watch;

struct conn {
    struct conn *next;
    uint32_t domid;
    const struct conn_ops *ops;
    void *priv;
    int fd; /* -1 unless a socket */
    bool dead; /* to be destroyed by the main loop */
    bool ignored; /* a ring that broke the protocol: never read again */
    /* Input: a header, then hdr.len payload bytes (<= XENSTORE_PAYLOAD_MAX). */
    struct xsd_sockmsg hdr;
    size_t hdr_got;
    char payload[XENSTORE_PAYLOAD_MAX + 1];
    size_t payload_got;
    /* What one read brought beyond the message being assembled. */
    char in[CONN_IO_CHUNK];
    size_t in_off, in_len;
    /* Output, in order. */
    struct outmsg *out_head, *out_tail;
    size_t out_off;
    struct watch *watches;
    struct txn *txns;
    uint32_t next_txid;
    unsigned ntxns;
};
extern struct conn *conn_list;
struct conn *conn_new(uint32_t domid, const struct conn_ops *ops, void *priv);
void conn_destroy(struct conn *c); /* its transactions and watches vanish */
/* Reads what the peer sent and answers every complete request. */
void conn_handle_input(struct conn *c);
/* Writes what is queued; false when something is left. */
bool conn_flush(struct conn *c);
bool conn_has_output(const struct conn *c);
/* Complete requests may wait in the input buffer: do not sleep then. */
bool conn_has_input(const struct conn *c);
int conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
               const void *data, size_t len);
/* Unix socket clients (Dom0's tools, privileged). */
struct conn *conn_new_socket(int fd);
/* The test hook: a connection in memory acting as domid. */
struct conn *conn_new_memory(uint32_t domid);
/* Appends bytes as if the peer had sent them / takes the next message queued for it. */
void conn_memory_feed(struct conn *c, const void *data, size_t len);
size_t conn_memory_take(struct conn *c, void *buf, size_t size);

/* Transactions of a connection (xenstored_transaction.c). */
int conn_txn_start(struct conn *c, uint32_t *id);
struct txn *conn_txn_find(struct conn *c, uint32_t id);
int conn_txn_end(struct conn *c, uint32_t id, bool commit);
void conn_txn_del_all(struct conn *c);

/* ---- requests (xenstored_ops.c) ---- */
/* Answers one complete, length-checked request on c. */
void ops_process(struct conn *c, const struct xsd_sockmsg *hdr, const char *payload);
/* "/local/domain/<domid>". */
void domain_path(uint32_t domid, char *buf, size_t size);

/* ---- domains (xenstored_domains.c; the rings themselves: xenstored_domain.c) ---- */
enum domain_state { DOMAIN_RUNNING, DOMAIN_SHUTDOWN, DOMAIN_DYING };
/* How introduced domains are reached: the real rings (libxc) or a test's fake. */
struct domain_backend {
    /* Maps the ring and binds the event channel; *out is the domain's connection. */
    int (*connect)(uint32_t domid, uint64_t mfn, uint32_t port, struct conn **out);
    /* XS_INTRODUCE of a known domain: rebind its event channel (Xen's resume path). */
    int (*rebind)(struct conn *c, uint32_t port);
    enum domain_state (*state)(uint32_t domid);
};
void domain_set_backend(const struct domain_backend *b);
int domain_introduce(uint32_t domid, uint64_t mfn, uint32_t port);
int domain_release(uint32_t domid);
bool domain_is_introduced(uint32_t domid);
/* VIRQ_DOM_EXC: fires @releaseDomain for domains shut down or dying, drops the dead. */
void domain_check_all(void);
void domain_release_all(void);
/* The store's initial tree, as Xen's: /, /local, /local/domain, /tool. */
void store_setup_initial(void);

#endif
