/* Memory sizes on xl's command line (xl(1), mem-set/mem-max). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "xl_cfg.h"

/*
 * "N[unit]" with unit b (bytes), k (KiB, the default), m, g, t; upper case
 * too. Bytes round up to whole KiB. -1 on garbage, a negative number or an
 * overflow, so a typo never becomes a tiny or huge balloon target.
 */
long long xl_parse_memkb(const char *s)
{
    unsigned long long v, mul = 1;
    char *end;

    if (!s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    switch (tolower((unsigned char)*end)) {
    case '\0':
    case 'k':
        break;
    case 'b':
        if (end[1])
            return -1;
        return (long long)((v + 1023) / 1024);
    case 'm':
        mul = 1024ULL;
        break;
    case 'g':
        mul = 1024ULL * 1024;
        break;
    case 't':
        mul = 1024ULL * 1024 * 1024;
        break;
    default:
        return -1;
    }
    if (*end && end[1])
        return -1;
    if (v > (unsigned long long)(1LL << 62) / mul)
        return -1;
    return (long long)(v * mul);
}
