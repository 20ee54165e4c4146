/*
 * One guest console as xenconsoled serves it: the ring page mapped from
 * the guest, the interdomain event channel, the pty the client opens, and
 * the optional log file.
 */
#ifndef CONS_DOMAIN_H
#define CONS_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "cons_ring.h"
#include "xc.h"
#include "xs_client.h"

struct cons_ctx {
    xc_t *xc;
    struct xs *xs;
    xc_evtchn_t *evtchn;
    const char *log_dir; /* NULL: no guest logs */
    bool verbose;
    struct cons_dom *doms;
};

struct cons_dom {
    struct cons_dom *next;
    uint32_t domid;
    bool watching;  /* a watch on /local/domain/<id>/console is set */
    bool connected; /* ring mapped, port bound, pty open */
    volatile struct xencons_interface *intf;
    int local_port;
    int master_fd, slave_fd, log_fd;
    struct cons_buf buf;
};

/*
 * Finds or adds the domain's entry and connects to its console; watches its
 * console directory while the nodes are not there yet. NULL when the
 * domain's console is broken (the entry is gone again).
 */
struct cons_dom *cons_dom_add(struct cons_ctx *c, uint32_t domid);
struct cons_dom *cons_dom_find(struct cons_ctx *c, uint32_t domid);
struct cons_dom *cons_dom_by_port(struct cons_ctx *c, int port);
/*
 * Connects when the toolstack has written console/ring-ref and console/port:
 * 1 connected, 0 not yet (nodes missing), -1 failed (d is removed).
 */
int cons_dom_try_connect(struct cons_ctx *c, struct cons_dom *d);
/* Drops entries of domains that are gone or dying. */
void cons_dom_reap(struct cons_ctx *c);
void cons_dom_remove(struct cons_ctx *c, struct cons_dom *d);

/* Work on a connected console. */
void cons_dom_from_guest(struct cons_ctx *c, struct cons_dom *d);
void cons_dom_flush_pty(struct cons_dom *d);
void cons_dom_from_pty(struct cons_ctx *c, struct cons_dom *d);

void cons_log(const struct cons_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
