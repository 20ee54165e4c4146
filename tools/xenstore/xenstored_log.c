/* xenstored's log: one line per event, to stderr or the --log-file. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "xenstored_core.h"

int xs_verbose;
static FILE *log_file;

void xs_log_open(FILE *f)
{
    log_file = f;
}

static void vlog_line(const char *fmt, va_list ap)
{
    FILE *f = log_file ? log_file : stderr;

    fputs("xenstored: ", f);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fflush(f);
}

void xs_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog_line(fmt, ap);
    va_end(ap);
}

void xs_vlog(const char *fmt, ...)
{
    va_list ap;

    if (!xs_verbose)
        return;
    va_start(ap, fmt);
    vlog_line(fmt, ap);
    va_end(ap);
}

/* The protocol's name of an errno (xs_wire.h xsd_errors); EINVAL for others, as Xen. */
const char *xs_errname(int err)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return "EINVAL";
}

const char *xs_typename(uint32_t type)
{
    static const char *const names[XS_TYPE_COUNT] = {
        [XS_CONTROL] = "CONTROL",
        [XS_DIRECTORY] = "DIRECTORY",
        [XS_READ] = "READ",
        [XS_GET_PERMS] = "GET_PERMS",
        [XS_WATCH] = "WATCH",
        [XS_UNWATCH] = "UNWATCH",
        [XS_TRANSACTION_START] = "TRANSACTION_START",
        [XS_TRANSACTION_END] = "TRANSACTION_END",
        [XS_INTRODUCE] = "INTRODUCE",
        [XS_RELEASE] = "RELEASE",
        [XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
        [XS_WRITE] = "WRITE",
        [XS_MKDIR] = "MKDIR",
        [XS_RM] = "RM",
        [XS_SET_PERMS] = "SET_PERMS",
        [XS_WATCH_EVENT] = "WATCH_EVENT",
        [XS_ERROR] = "ERROR",
        [XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
        [XS_RESUME] = "RESUME",
        [XS_SET_TARGET] = "SET_TARGET",
        [XS_RESET_WATCHES] = "RESET_WATCHES",
        [XS_DIRECTORY_PART] = "DIRECTORY_PART",
    };

    if (type < XS_TYPE_COUNT && names[type])
        return names[type];
    return "UNKNOWN";
}
