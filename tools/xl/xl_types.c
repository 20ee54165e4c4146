/*
 * The description's tables (xl_types.h) and what every kind needs whatever
 * the format: defaults, copy, free, enum names, value checks.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xl_types.h"

#define XL_ROW_OF(st, member, kind, group, json, cfgkey, def, min, max, xml)                 \
    {#member, kind, group, json, cfgkey, def, min, max, xml, offsetof(struct st, member)},

#define ROW_C_INFO(...) XL_ROW_OF(xl_c_info, __VA_ARGS__)
#define ROW_B_INFO(...) XL_ROW_OF(xl_b_info, __VA_ARGS__)
#define ROW_NIC(...) XL_ROW_OF(xl_nic, __VA_ARGS__)
#define ROW_DISK(...) XL_ROW_OF(xl_disk, __VA_ARGS__)
#define ROW_ACTION(...) XL_ROW_OF(xl_actions, __VA_ARGS__)

static const struct xl_field c_info_rows[] = {XL_C_INFO_FIELDS(ROW_C_INFO)};
static const struct xl_field b_info_rows[] = {XL_B_INFO_FIELDS(ROW_B_INFO)};
static const struct xl_field nic_rows[] = {XL_NIC_FIELDS(ROW_NIC)};
static const struct xl_field disk_rows[] = {XL_DISK_FIELDS(ROW_DISK)};
static const struct xl_field action_rows[] = {XL_ACTION_FIELDS(ROW_ACTION)};

#define SECTION(name, json, rows) \
    const struct xl_section name = {json, rows, sizeof(rows) / sizeof(rows[0])}
SECTION(xl_c_info_section, "c_info", c_info_rows);
SECTION(xl_b_info_section, "b_info", b_info_rows);
SECTION(xl_nic_section, NULL, nic_rows);
SECTION(xl_disk_section, NULL, disk_rows);
SECTION(xl_action_section, NULL, action_rows);

/* libxl_types.idl spellings; index = enum value. */
static const char *const action_names[] = {"destroy",          "restart",          "rename-restart",
                                           "preserve",         "coredump-destroy", "coredump-restart",
                                           "soft-reset",       NULL};
static const char *const domtype_names[] = {"invalid", "hvm", "pv", "pvh", NULL};
static const char *const nictype_names[] = {"unknown", "vif_ioemu", "vif", NULL};
static const char *const backend_names[] = {"unknown", "phy", "tap", "qdisk", "standalone", NULL};
static const char *const tsc_names[] = {"default", "always_emulate", "native", "native_paravirt",
                                        NULL};
static const char *const format_names[] = {"unknown", "qcow", "qcow2", "vhd",
                                           "raw",     "empty", "qed",  NULL};

const char *const *xl_enum_names(enum xl_kind kind)
{
    switch (kind) {
    case XT_ACTION:
        return action_names;
    case XT_DOMTYPE:
        return domtype_names;
    case XT_NICTYPE:
        return nictype_names;
    case XT_BACKEND:
        return backend_names;
    case XT_FORMAT:
        return format_names;
    case XT_TSCMODE:
        return tsc_names;
    default:
        return NULL;
    }
}

/* Actions start at 1 in the IDL; the other enums at 0. */
static int enum_base(enum xl_kind kind)
{
    return kind == XT_ACTION ? 1 : 0;
}

const char *xl_enum_name(enum xl_kind kind, int value)
{
    const char *const *names = xl_enum_names(kind);
    int i = value - enum_base(kind);

    if (!names || i < 0)
        return NULL;
    for (int k = 0; names[k]; k++)
        if (k == i)
            return names[k];
    return NULL;
}

int xl_enum_value(enum xl_kind kind, const char *name)
{
    const char *const *names = xl_enum_names(kind);

    if (!names || !name)
        return -1;
    for (int k = 0; names[k]; k++)
        if (!strcmp(names[k], name))
            return k + enum_base(kind);
    return -1;
}

void xl_section_init(const struct xl_section *s, void *obj)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];
        void *p = XL_FIELD_PTR(obj, f);

        switch (f->kind) {
        case XT_STR:
        case XT_NAME:
        case XT_UUID:
        case XT_CPUMAP:
            *(char **)p = NULL;
            break;
        case XT_STRLIST:
            *(char ***)p = NULL;
            break;
        case XT_INT:
        case XT_MEMKB:
        case XT_COUNTMAP:
            *(long long *)p = f->def;
            break;
        case XT_EMPTYOBJ:
            break;
        default:
            *(int *)p = (int)f->def;
            break;
        }
    }
}

static void strlist_free(char **l)
{
    for (size_t i = 0; l && l[i]; i++)
        free(l[i]);
    free(l);
}

void xl_section_free(const struct xl_section *s, void *obj)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];
        void *p = XL_FIELD_PTR(obj, f);

        if (f->kind == XT_STRLIST)
            strlist_free(*(char ***)p);
        else if (f->kind == XT_STR || f->kind == XT_NAME || f->kind == XT_UUID ||
                 f->kind == XT_CPUMAP)
            free(*(char **)p);
    }
    xl_section_init(s, obj);
}

int xl_section_copy(const struct xl_section *s, void *dst, const void *src)
{
    int rc = 0;

    xl_section_init(s, dst);
    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];
        void *d = XL_FIELD_PTR(dst, f);
        const void *sp = XL_FIELD_PTR(src, f);

        if (f->kind == XT_STRLIST) {
            char **from = *(char ***)sp, **to;
            size_t n = 0;

            if (!from)
                continue;
            while (from[n])
                n++;
            to = calloc(n + 1, sizeof(*to));
            *(char ***)d = to;
            if (!to) {
                rc = -1;
                goto out;
            }
            for (size_t k = 0; k < n; k++)
                if (!(to[k] = strdup(from[k]))) {
                    rc = -1;
                    goto out;
                }
        } else if (f->kind == XT_STR || f->kind == XT_NAME || f->kind == XT_UUID ||
                   f->kind == XT_CPUMAP) {
            const char *from = *(char *const *)sp;

            if (from && !(*(char **)d = strdup(from))) {
                rc = -1;
                goto out;
            }
        } else if (f->kind == XT_INT || f->kind == XT_MEMKB || f->kind == XT_COUNTMAP) {
            *(long long *)d = *(const long long *)sp;
        } else if (f->kind != XT_EMPTYOBJ) {
            *(int *)d = *(const int *)sp;
        }
    }
out:
    if (rc)
        xl_section_free(s, dst);
    return rc;
}

int xl_field_is_default(const struct xl_field *f, const void *obj)
{
    const void *p = XL_FIELD_PTR(obj, f);

    switch (f->kind) {
    case XT_STR:
    case XT_NAME:
    case XT_UUID:
    case XT_CPUMAP:
        return *(char *const *)p == NULL;
    case XT_STRLIST:
        return *(char **const *)p == NULL;
    case XT_INT:
    case XT_MEMKB:
    case XT_COUNTMAP:
        return *(const long long *)p == f->def;
    case XT_EMPTYOBJ:
        return 0;
    default:
        return *(const int *)p == f->def;
    }
}

const struct xl_field *xl_section_field(const struct xl_section *s, const char *member)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->fields[i].member, member))
            return &s->fields[i];
    return NULL;
}

void xl_config_init(struct xl_domain_config *c)
{
    memset(c, 0, sizeof(*c));
    xl_section_init(&xl_c_info_section, &c->c_info);
    xl_section_init(&xl_b_info_section, &c->b_info);
    xl_section_init(&xl_action_section, &c->act);
}

void xl_config_dispose(struct xl_domain_config *c)
{
    xl_section_free(&xl_c_info_section, &c->c_info);
    xl_section_free(&xl_b_info_section, &c->b_info);
    for (size_t i = 0; i < c->num_nics; i++)
        xl_section_free(&xl_nic_section, &c->nics[i]);
    for (size_t i = 0; i < c->num_disks; i++)
        xl_section_free(&xl_disk_section, &c->disks[i]);
    free(c->nics);
    free(c->disks);
    xl_config_init(c);
}

struct xl_nic *xl_config_add_nic(struct xl_domain_config *c)
{
    struct xl_nic *n = realloc(c->nics, (c->num_nics + 1) * sizeof(*n));

    if (!n)
        return NULL;
    c->nics = n;
    xl_section_init(&xl_nic_section, &n[c->num_nics]);
    return &n[c->num_nics++];
}

struct xl_disk *xl_config_add_disk(struct xl_domain_config *c)
{
    struct xl_disk *d = realloc(c->disks, (c->num_disks + 1) * sizeof(*d));

    if (!d)
        return NULL;
    c->disks = d;
    xl_section_init(&xl_disk_section, &d[c->num_disks]);
    return &d[c->num_disks++];
}

int xl_valid_name(const char *name, const char **why)
{
    int digits = 1;

    if (!name || !*name) {
        *why = "a domain name must not be empty";
        return 0;
    }
    if (strlen(name) > 64) {
        *why = "a domain name is at most 64 characters";
        return 0;
    }
    for (const char *c = name; *c; c++) {
        /* xenstore paths and `xl list` columns: printable, no '/' */
        if (*c == '/' || !isprint((unsigned char)*c) || isspace((unsigned char)*c)) {
            *why = "a domain name must not contain '/', spaces or control characters";
            return 0;
        }
        if (!isdigit((unsigned char)*c))
            digits = 0;
    }
    if (digits) {
        *why = "a domain name must not be all digits (it would read as a domain id)";
        return 0;
    }
    return 1;
}

int xl_valid_uuid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    size_t k = 0;

    if (!s || strlen(s) != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (k < 4 && (int)i == dash[k]) {
            if (s[i] != '-')
                return 0;
            k++;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

void xl_uuid_lower(char *s)
{
    for (; s && *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* xl.cfg(5) "cpus": "all", or ranges "N", "N-M", each optionally '^'-negated. */
int xl_cpumap_parse(const char *s, unsigned char *bits, size_t nbits)
{
    int top = 0;
    const char *p = s;

    memset(bits, 0, (nbits + 7) / 8);
    if (!strcmp(s, "all")) {
        memset(bits, 0xff, (nbits + 7) / 8);
        return (int)nbits;
    }
    while (*p) {
        int neg = 0;
        char *end;
        unsigned long a, b;

        if (*p == '^') {
            neg = 1;
            p++;
        }
        if (!isdigit((unsigned char)*p))
            return -1;
        a = b = strtoul(p, &end, 10);
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            b = strtoul(p, &end, 10);
            p = end;
        }
        if (a > b || b >= nbits)
            return -1;
        for (unsigned long c = a; c <= b; c++) {
            if (neg)
                bits[c / 8] &= ~(1u << (c % 8));
            else
                bits[c / 8] |= 1u << (c % 8);
        }
        if (!neg && (int)b + 1 > top)
            top = (int)b + 1;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return top;
}
