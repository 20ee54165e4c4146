/* The xenstore nodes of a domain (xl-inventory A1(c); libxl's domain_make and build_post). */
#ifndef DOM_XS_H
#define DOM_XS_H

#include "dom.h"

/*
 * After the build, in one transaction (two round trips to xenstored): the
 * domain, /vm and /libxl directories with their permissions, memory,
 * vCPUs, store and console pages and ports, the console's backend.
 */
int dom_xs_publish(struct dom_ctx *c, uint32_t domid, const struct dom_params *p,
                   const struct xc_pv_build *b);
/*
 * Removes everything dom_xs_publish wrote (missing nodes are fine); vm is
 * the value of /local/domain/<domid>/vm, its /vm/<uuid> directory. The
 * removals are only sent: they are answered by the caller's xs_defer_end.
 * Call between xs_defer_begin and xs_defer_end.
 */
void dom_xs_remove(struct dom_ctx *c, uint32_t domid, const char *vm);

#endif
