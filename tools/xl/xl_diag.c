/* Messages with a location, the one format of every xl error and warning. */
#include <stdarg.h>
#include <stdio.h>

#include "xl_cfg.h"

static void vreport(FILE *diag, const struct xl_loc *loc, const char *what, const char *fmt,
                    va_list ap)
{
    if (loc && loc->file)
        fprintf(diag, "%s:%d:%d: %s: ", loc->file, loc->line, loc->col, what);
    else
        fprintf(diag, "xl: %s: ", what);
    vfprintf(diag, fmt, ap);
    fputc('\n', diag);
}

void xl_error(FILE *diag, const struct xl_loc *loc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(diag, loc, "error", fmt, ap);
    va_end(ap);
}

void xl_warning(FILE *diag, const struct xl_loc *loc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(diag, loc, "warning", fmt, ap);
    va_end(ap);
}

/* +1 for the opening quote; exact when the string has no escapes. */
struct xl_loc xl_loc_in_string(const struct xl_loc *str, size_t off)
{
    struct xl_loc l = {NULL, 0, 0};

    if (str) {
        l = *str;
        if (l.file)
            l.col += 1 + (int)off;
    }
    return l;
}
