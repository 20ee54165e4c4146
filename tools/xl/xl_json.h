/* libxl's JSON of a domain configuration (xl_json.c). */
#ifndef XL_JSON_H
#define XL_JSON_H

#include <stdio.h>
#include <yajl/yajl_tree.h>

#include "xl_types.h"

/* {"domid": N or null (domid < 0), "config": {...}}, pretty; malloc'd. */
char *xl_json_domain(const struct xl_domain_config *c, long domid);
/* `xl list -l`: an array of {"domid": domids[i], "config": cs[i]}; malloc'd. */
char *xl_json_domain_list(const struct xl_domain_config *const *cs, const long *domids,
                          size_t n);
/* One device, as `xl -N network-attach` / `block-attach` print it. */
char *xl_json_nic(const struct xl_nic *nic);
char *xl_json_disk(const struct xl_disk *disk);
/*
 * Loads a configuration stored by xl_json_domain (the whole object, or its
 * "config" member, e.g. an element of `xl list -l`). 0 or -1 with a
 * message on diag.
 */
int xl_json_parse_domain(struct xl_domain_config *c, const char *text, FILE *diag);
int xl_json_read_config(struct xl_domain_config *c, yajl_val root, FILE *diag);

#endif
