/* The xenstore ring of xs_wire.h (struct xenstore_domain_interface), both ends. */
#ifndef XENSTORED_RING_H
#define XENSTORED_RING_H

#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

/* Server side: requests in (req_*), answers out (rsp_*). Bytes moved, or -1
 * when the indexes are impossible (prod - cons > XENSTORE_RING_SIZE). */
long ring_read_req(struct xenstore_domain_interface *intf, void *buf, size_t len);
long ring_write_rsp(struct xenstore_domain_interface *intf, const void *buf, size_t len);
/* Client side, for the tests: what a guest kernel does. */
long ring_write_req(struct xenstore_domain_interface *intf, const void *buf, size_t len);
long ring_read_rsp(struct xenstore_domain_interface *intf, void *buf, size_t len);
/* True when the guest left requests to read. */
int ring_has_req(const struct xenstore_domain_interface *intf);

#endif
