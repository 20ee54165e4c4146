/*
 * Hypervisor command-line options, as Xen's: space-separated `name`,
 * `no-name`, `name=value`; '-' and '_' are the same in names. Each option is
 * declared next to the code it steers with PARAM_*() and collected from a
 * linker section, so setup does not keep a list. Host-compilable.
 */
#ifndef XENOLITH_CMDLINE_H
#define XENOLITH_CMDLINE_H

#include <xenolith/lib.h>

enum param_type { PARAM_BOOL, PARAM_UINT, PARAM_STR, PARAM_CUSTOM };

struct param {
    const char *name;
    enum param_type type;
    void *var;
    size_t size;                    /* PARAM_STR: buffer size */
    int (*parse)(const char *value); /* PARAM_CUSTOM: 0 or -1 */
};

typedef void (*param_warn_fn)(const char *option, const char *why);

/* Returns the number of options that were unknown or malformed. */
int cmdline_parse(const char *cmdline, const struct param *table, size_t n,
                  param_warn_fn warn);

/* "<n>[BKMGT]", no suffix meaning KiB as in Xen; -1 when malformed. */
int parse_size(const char *s, const char **end, uint64_t *bytes);
/* Decimal or 0x-hex; -1 when malformed. */
int parse_uint(const char *s, const char **end, uint64_t *v);

#define __PARAM(n, t, v, sz, fn)                                            \
    static const struct param __param_##v __section(".data.param") __used \
        __aligned(8) = { n, t, &v, sz, fn }
#define PARAM_BOOL(n, v) __PARAM(n, PARAM_BOOL, v, sizeof(v), NULL)
#define PARAM_UINT(n, v) __PARAM(n, PARAM_UINT, v, sizeof(v), NULL)
#define PARAM_STR(n, v) __PARAM(n, PARAM_STR, v, sizeof(v), NULL)
#define PARAM_CUSTOM(n, fn) \
    static const struct param __param_##fn __section(".data.param") __used \
        __aligned(8) = { n, PARAM_CUSTOM, NULL, 0, fn }

#endif
