/* libvirt domain XML <-> the domain configuration (xl_xml.c). */
#ifndef XL_XML_H
#define XL_XML_H

#include <stdio.h>

#include "xl_types.h"

/* As `virsh domxml-from-native xen-xl` would print it; malloc'd. */
char *xl_xml_domain(const struct xl_domain_config *c);
/* A <domain type='xen'> document; file names messages. 0 or -1. */
int xl_xml_parse_domain(struct xl_domain_config *c, const char *text, const char *file,
                        FILE *diag);

#endif
