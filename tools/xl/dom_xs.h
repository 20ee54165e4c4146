/* The xenstore nodes of a domain (xl-inventory A1(c); libxl's domain_make and build_post). */
#ifndef DOM_XS_H
#define DOM_XS_H

#include "dom.h"

/* Domain, /vm and /libxl directories with their permissions, in one transaction. */
int dom_xs_make(struct dom_ctx *c, uint32_t domid, const struct dom_params *p);
/* After the build: memory, vCPUs, store and console pages and ports. */
int dom_xs_publish(struct dom_ctx *c, uint32_t domid, const struct dom_params *p,
                   const struct xc_pv_build *b);
/* Removes everything dom_xs_make and dom_xs_publish wrote (missing nodes are fine). */
void dom_xs_remove(struct dom_ctx *c, uint32_t domid);

#endif
