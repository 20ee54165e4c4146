/*
 * Moving bytes through one direction of a xenstore ring (xs_wire.h). The
 * indexes run freely and are masked with MASK_XENSTORE_IDX; the other end is
 * untrusted, so each index is read once, checked (prod - cons may never
 * exceed XENSTORE_RING_SIZE), and a full barrier separates reading the
 * indexes from touching the data, and the data from publishing the new
 * index: the same order as Xen's xenstored and Linux's xenbus_comms.
 */
#include <string.h>

#include <stdint.h>
#include "xenstored_ring.h"

#define RING_MB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define READ_ONCE(x) (*(volatile XENSTORE_RING_IDX *)&(x))

static long ring_consume(char *ring, XENSTORE_RING_IDX *consp, XENSTORE_RING_IDX *prodp,
                         void *buf, size_t len)
{
    XENSTORE_RING_IDX cons = READ_ONCE(*consp), prod = READ_ONCE(*prodp);
    size_t avail, chunk;

    RING_MB();
    if (prod - cons > XENSTORE_RING_SIZE)
        return -1;
    avail = prod - cons;
    if (len > avail)
        len = avail;
    chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons);
    if (chunk > len)
        chunk = len;
    memcpy(buf, ring + MASK_XENSTORE_IDX(cons), chunk);
    memcpy((char *)buf + chunk, ring, len - chunk);
    RING_MB();
    READ_ONCE(*consp) = cons + len;
    return len;
}

static long ring_produce(char *ring, XENSTORE_RING_IDX *consp, XENSTORE_RING_IDX *prodp,
                         const void *buf, size_t len)
{
    XENSTORE_RING_IDX cons = READ_ONCE(*consp), prod = READ_ONCE(*prodp);
    size_t space, chunk;

    RING_MB();
    if (prod - cons > XENSTORE_RING_SIZE)
        return -1;
    space = XENSTORE_RING_SIZE - (prod - cons);
    if (len > space)
        len = space;
    chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod);
    if (chunk > len)
        chunk = len;
    memcpy(ring + MASK_XENSTORE_IDX(prod), buf, chunk);
    memcpy(ring, (const char *)buf + chunk, len - chunk);
    RING_MB();
    READ_ONCE(*prodp) = prod + len;
    return len;
}

long ring_read_req(struct xenstore_domain_interface *intf, void *buf, size_t len)
{
    return ring_consume(intf->req, &intf->req_cons, &intf->req_prod, buf, len);
}

long ring_write_rsp(struct xenstore_domain_interface *intf, const void *buf, size_t len)
{
    return ring_produce(intf->rsp, &intf->rsp_cons, &intf->rsp_prod, buf, len);
}

long ring_write_req(struct xenstore_domain_interface *intf, const void *buf, size_t len)
{
    return ring_produce(intf->req, &intf->req_cons, &intf->req_prod, buf, len);
}

long ring_read_rsp(struct xenstore_domain_interface *intf, void *buf, size_t len)
{
    return ring_consume(intf->rsp, &intf->rsp_cons, &intf->rsp_prod, buf, len);
}

int ring_has_req(const struct xenstore_domain_interface *intf)
{
    return READ_ONCE(intf->req_cons) != READ_ONCE(intf->req_prod);
}
