/* The rules every domain configuration obeys (xl_check.c). */
#ifndef XL_CHECK_H
#define XL_CHECK_H

#include <stdio.h>

#include "xl_types.h"

/* 0, or -1 after `what: error: field: why` on diag. */
int xl_config_check(const struct xl_domain_config *c, const char *what, FILE *diag);

#endif
