/*
 * xenstored without libxc: Unix socket clients only; XS_INTRODUCE records
 * the domain (and fires @introduceDomain) without reaching a ring. Linked
 * instead of xenstored_domain.c while build/tools/lib/libxc.a is missing.
 */
#include <errno.h>

#include "xenstored_domain.h"

int domain_xc_init(bool dom0_ring)
{
    xs_log("built without libxc: no domain rings, sockets only");
    return ENOSYS;
}

int domain_xc_fd(void)
{
    return -1;
}

void domain_xc_event(void)
{
}

bool domain_conn_is_ring(const struct conn *c)
{
    return false;
}

int domain_ring_wants_read(const struct conn *c)
{
    return 0;
}
