/* Command-line parsing (see xenolith/cmdline.h). */
#include <xenolith/cmdline.h>

int parse_uint(const char *s, const char **end, uint64_t *v)
{
    unsigned base = 10;
    uint64_t x = 0;
    const char *p = s;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    if (!*p)
        return -1;
    for (;; p++) {
        unsigned d;

        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            break;
        if (x > (UINT64_MAX - d) / base)
            return -1;
        x = x * base + d;
    }
    if (p == s || (base == 16 && p == s + 2))
        return -1;
    *v = x;
    if (end)
        *end = p;
    return 0;
}

int parse_size(const char *s, const char **end, uint64_t *bytes)
{
    uint64_t v;
    unsigned shift = 10;
    const char *p;

    if (parse_uint(s, &p, &v))
        return -1;
    switch (*p) {
    case 'T': case 't': shift = 40, p++; break;
    case 'G': case 'g': shift = 30, p++; break;
    case 'M': case 'm': shift = 20, p++; break;
    case 'K': case 'k': shift = 10, p++; break;
    case 'B': case 'b': shift = 0, p++; break;
    }
    if (v > (UINT64_MAX >> shift))
        return -1;
    *bytes = v << shift;
    if (end)
        *end = p;
    return 0;
}

static bool name_eq(const char *opt, size_t len, const char *name)
{
    size_t i;

    for (i = 0; i < len && name[i]; i++) {
        char a = opt[i] == '-' ? '_' : opt[i];
        char b = name[i] == '-' ? '_' : name[i];

        if (a != b)
            return false;
    }
    return i == len && !name[i];
}

static int parse_bool(const char *v)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(v, yes[i]))
            return 1;
        if (!strcmp(v, no[i]))
            return 0;
    }
    return -1;
}

static int store_uint(const struct param *p, const char *value)
{
    uint64_t v;
    const char *end;

    if (!value || parse_uint(value, &end, &v) || *end)
        return -1;
    if (p->size == sizeof(uint32_t)) {
        if (v > UINT32_MAX)
            return -1;
        *(uint32_t *)p->var = (uint32_t)v;
    } else {
        *(uint64_t *)p->var = v;
    }
    return 0;
}

/* One option: "name", "no-name" or "name=value" (value NUL-terminated). */
static const char *apply(const struct param *p, bool negated, const char *value)
{
    int b;

    switch (p->type) {
    case PARAM_BOOL:
        b = value ? parse_bool(value) : 1;
        if (b < 0)
            return "expected a boolean (yes/no, on/off, 1/0, true/false)";
        *(bool *)p->var = negated ? !b : b;
        return NULL;
    case PARAM_UINT:
        return store_uint(p, value) ? "expected an unsigned number" : NULL;
    case PARAM_STR:
        if (!value)
            return "expected a value";
        if (strlen(value) >= p->size)
            return "value too long";
        strlcpy(p->var, value, p->size);
        return NULL;
    case PARAM_CUSTOM:
        return p->parse(value ? value : "") ? "malformed value" : NULL;
    }
    return "bad parameter table";
}

static int parse_one(char *opt, const struct param *table, size_t n,
                     param_warn_fn warn)
{
    char *eq = strchr(opt, '=');
    size_t len = eq ? (size_t)(eq - opt) : strlen(opt);
    const char *value = eq ? eq + 1 : NULL;

    for (size_t i = 0; i < n; i++) {
        const struct param *p = &table[i];
        bool negated = false;
        const char *why;

        if (!name_eq(opt, len, p->name)) {
            /* "no-name" turns a boolean off. */
            if (p->type != PARAM_BOOL || value || len < 4 ||
                strncmp(opt, "no", 2) || (opt[2] != '-' && opt[2] != '_') ||
                !name_eq(opt + 3, len - 3, p->name))
                continue;
            negated = true;
        }
        why = apply(p, negated, value);
        if (why) {
            if (warn)
                warn(opt, why);
            return 1;
        }
        return 0;
    }
    if (warn)
        warn(opt, "unknown option");
    return 1;
}

int cmdline_parse(const char *cmdline, const struct param *table, size_t n,
                  param_warn_fn warn)
{
    char opt[256];
    int bad = 0;

    while (*cmdline) {
        size_t len = 0;

        while (*cmdline == ' ')
            cmdline++;
        while (cmdline[len] && cmdline[len] != ' ')
            len++;
        if (!len)
            break;
        if (len >= sizeof(opt)) {
            if (warn)
                warn("(option)", "longer than 255 characters");
            bad++;
        } else {
            memcpy(opt, cmdline, len);
            opt[len] = '\0';
            bad += parse_one(opt, table, n, warn);
        }
        cmdline += len;
    }
    return bad;
}
