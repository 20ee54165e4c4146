/* The libxc side of xenstored (xenstored_domain.c, or xenstored_noxc.c without libxc). */
#ifndef XENSTORED_DOMAIN_H
#define XENSTORED_DOMAIN_H

#include <stdbool.h>

#include "xenstored_core.h"

/* Opens libxc, binds VIRQ_DOM_EXC, and connects Dom0's kernel ring if asked. */
int domain_xc_init(bool dom0_ring);
/* The event channel fd to poll, or -1. */
int domain_xc_fd(void);
void domain_xc_event(void);
bool domain_conn_is_ring(const struct conn *c);
int domain_ring_wants_read(const struct conn *c);

#endif
