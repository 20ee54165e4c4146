/*
 * The xenstore client library: the wire protocol of xen/io/xs_wire.h over
 * xenstored's Unix socket or Linux's /dev/xen/xenbus. Watch events that
 * arrive while a request waits for its answer are queued for xs_read_watch.
 *
 * Conventions: int results are 0 or a negative errno (the protocol's error
 * names map to errno values, xs_wire.h xsd_errors); pointer results are
 * malloc'd (free() them) or NULL with errno set.
 */
#ifndef XS_CLIENT_H
#define XS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xs;
typedef uint32_t xs_tx_t;
#define XS_TX_NONE 0

/* XS_PERM_* as in xs_wire.h's permission letters: n, r, w, b. */
enum xs_perm_kind { XS_PERM_NONE = 0, XS_PERM_READ = 1, XS_PERM_WRITE = 2, XS_PERM_BOTH = 3 };
struct xs_perm {
    uint32_t domid;
    enum xs_perm_kind perm;
};

/* path NULL: $XENSTORED_PATH, else /run/xenstored/socket, else /dev/xen/xenbus. */
struct xs *xs_open(const char *path);
void xs_close(struct xs *xs);
int xs_fileno(const struct xs *xs);

/* The value (NUL-ended, *len without the NUL). */
char *xs_read(struct xs *xs, xs_tx_t tx, const char *path, size_t *len);
/*
 * n reads in one round trip: vals[i] the value of paths[i] (malloc'd,
 * NUL-ended) or NULL when it is missing or unreadable. 0, or the first
 * error that was not ENOENT or EACCES (the connection's).
 */
int xs_read_many(struct xs *xs, xs_tx_t tx, const char *const *paths, unsigned n, char **vals);
/*
 * The same for requests of any path-only kind (XS_READ, XS_DIRECTORY,
 * XS_GET_PERMS): vals[i] the raw answer to asks[i] (malloc'd, NUL-ended,
 * lens[i] its length when lens is not NULL) or NULL. A directory's answer
 * is NUL-separated names: xs_split_list() makes it xs_directory()'s vector.
 */
struct xs_ask {
    uint32_t type;
    const char *path;
};
int xs_ask_many(struct xs *xs, xs_tx_t tx, const struct xs_ask *asks, unsigned n, char **vals,
                size_t *lens);
char **xs_split_list(const char *list, size_t len, unsigned *num);
int xs_write(struct xs *xs, xs_tx_t tx, const char *path, const void *data, size_t len);
int xs_mkdir(struct xs *xs, xs_tx_t tx, const char *path);
int xs_rm(struct xs *xs, xs_tx_t tx, const char *path);
/* The children's names: one allocation holding the array and the strings. */
char **xs_directory(struct xs *xs, xs_tx_t tx, const char *path, unsigned *num);
struct xs_perm *xs_get_perms(struct xs *xs, xs_tx_t tx, const char *path, unsigned *num);
int xs_set_perms(struct xs *xs, xs_tx_t tx, const char *path, const struct xs_perm *perms,
                 unsigned num);

/*
 * Pipelining: between these, xs_write, xs_mkdir, xs_rm, xs_set_perms and
 * xs_release_domain send their request without waiting for its answer and
 * return 0 (over xenstored's socket; over /dev/xen/xenbus they stay
 * synchronous). xs_defer_end reads the answers and returns the first
 * error. Any other call in between is sent behind them and reads their
 * answers before its own (their errors still go to xs_defer_end): so
 * xs_tx_end commits a transaction's writes in the same round trip. Saves a
 * round trip per node when a toolstack writes or removes a domain's tree.
 */
void xs_defer_begin(struct xs *xs);
int xs_defer_end(struct xs *xs);

int xs_tx_start(struct xs *xs, xs_tx_t *tx);
/* -EAGAIN when the transaction conflicted: the caller starts over. */
int xs_tx_end(struct xs *xs, xs_tx_t tx, bool abort);

int xs_watch(struct xs *xs, const char *path, const char *token);
int xs_unwatch(struct xs *xs, const char *path, const char *token);
/* Blocks for the next event: vec[0] the path, vec[1] the token (one allocation). */
char **xs_read_watch(struct xs *xs, unsigned *num);
/* True when an event is queued, so a poll() on xs_fileno() would not see it. */
bool xs_watch_pending(const struct xs *xs);

int xs_introduce_domain(struct xs *xs, uint32_t domid, uint64_t mfn, uint32_t port);
int xs_release_domain(struct xs *xs, uint32_t domid);
char *xs_get_domain_path(struct xs *xs, uint32_t domid);

#endif
