/* The last-error text: "what: -ENAME (description)". */
#include "xc_private.h"

#include <stdio.h>
#include <string.h>

int xc_vfail_buf(char *err, size_t len, int rc, const char *fmt, va_list ap)
{
    int n = vsnprintf(err, len, fmt, ap);

    if (n >= 0 && (size_t)n < len && rc < 0) {
        const char *name = strerrorname_np(-rc);

        if (name)
            snprintf(err + n, len - n, ": -%s (%s)", name, strerror(-rc));
        else
            snprintf(err + n, len - n, ": error %d", rc);
    }
    return rc;
}

int xc_fail_buf(char *err, size_t len, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xc_vfail_buf(err, len, rc, fmt, ap);
    va_end(ap);
    return rc;
}

int xc_fail(xc_t *xc, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xc_vfail_buf(xc->err, sizeof(xc->err), rc, fmt, ap);
    va_end(ap);
    return rc;
}
