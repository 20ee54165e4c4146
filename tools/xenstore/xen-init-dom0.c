/*
 * xen-init-dom0: Dom0's own xenstore entries, written once after xenstored
 * starts (what Xen's helper of the same name does): /local/domain/0/domid
 * and /local/domain/0/name = "Domain-0", which `xl list` shows. Existing
 * values are kept, so running it twice changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_client.h"

static int ensure(struct xs *xs, const char *path, const char *value)
{
    char *have = xs_read(xs, XS_TX_NONE, path, NULL);
    int rc = 0;

    if (!have)
        rc = xs_write(xs, XS_TX_NONE, path, value, strlen(value));
    free(have);
    if (rc)
        fprintf(stderr, "xen-init-dom0: writing %s failed: %s\n", path, strerror(-rc));
    return rc;
}

int main(void)
{
    struct xs *xs = xs_open(NULL);
    int rc;

    if (!xs) {
        fprintf(stderr, "xen-init-dom0: cannot connect to xenstored: %s\n", strerror(errno));
        return 1;
    }
    rc = ensure(xs, "/local/domain/0/domid", "0") || ensure(xs, "/local/domain/0/name", "Domain-0");
    xs_close(xs);
    return rc ? 1 : 0;
}
