/*
 * The domain configuration as libxl's JSON (xl-inventory A1(e)): what
 * `xl -N create` prints and `xl list -l` shows, written and read back by
 * walking the description of xl_types.h. As libxl's generated code does,
 * a field equal to its default is left out, libxl_defbool is "True" or
 * "False", enums are libxl's lower-case names and bitmaps are arrays of the
 * set bits. Pretty-printed by yajl with 4-space indents, as xl does.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "xl_json.h"

#define GSTR(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

static void gen_field(yajl_gen g, const struct xl_field *f, const void *obj)
{
    const void *p = XL_FIELD_PTR(obj, f);

    GSTR(g, f->json);
    switch (f->kind) {
    case XT_STR:
    case XT_NAME:
    case XT_UUID:
        GSTR(g, *(char *const *)p);
        break;
    case XT_INT:
    case XT_MEMKB:
        yajl_gen_integer(g, *(const long long *)p);
        break;
    case XT_COUNTMAP:
        yajl_gen_array_open(g);
        for (long long i = 0; i < *(const long long *)p; i++)
            yajl_gen_integer(g, i);
        yajl_gen_array_close(g);
        break;
    case XT_CPUMAP: {
        unsigned char bits[512 / 8];
        int top = xl_cpumap_parse(*(char *const *)p, bits, 512);

        yajl_gen_array_open(g);
        for (int i = 0; i < top; i++)
            if (bits[i / 8] & (1u << (i % 8)))
                yajl_gen_integer(g, i);
        yajl_gen_array_close(g);
        break;
    }
    case XT_DEFBOOL:
        GSTR(g, *(const int *)p ? "True" : "False");
        break;
    case XT_STRLIST:
        yajl_gen_array_open(g);
        for (char **l = *(char **const *)p; *l; l++)
            GSTR(g, *l);
        yajl_gen_array_close(g);
        break;
    case XT_EMPTYOBJ:
        yajl_gen_map_open(g);
        yajl_gen_map_close(g);
        break;
    default: {
        const char *name = xl_enum_name(f->kind, *(const int *)p);

        GSTR(g, name ? name : "unknown");
        break;
    }
    }
}

/* The fields of obj; a group ("sched_params") is printed even when empty. */
static void gen_fields(yajl_gen g, const struct xl_section *s, const void *obj)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];
        const char *prev = i ? s->fields[i - 1].group : NULL;
        const char *next = i + 1 < s->n ? s->fields[i + 1].group : NULL;

        if (f->group && (!prev || strcmp(prev, f->group))) {
            GSTR(g, f->group);
            yajl_gen_map_open(g);
        }
        if (!xl_field_is_default(f, obj))
            gen_field(g, f, obj);
        if (f->group && (!next || strcmp(next, f->group)))
            yajl_gen_map_close(g);
    }
}

static void gen_object(yajl_gen g, const struct xl_section *s, const void *obj)
{
    yajl_gen_map_open(g);
    gen_fields(g, s, obj);
    yajl_gen_map_close(g);
}

static void gen_config(yajl_gen g, const struct xl_domain_config *c)
{
    yajl_gen_map_open(g);
    GSTR(g, "c_info");
    gen_object(g, &xl_c_info_section, &c->c_info);
    GSTR(g, "b_info");
    gen_object(g, &xl_b_info_section, &c->b_info);
    if (c->num_disks) {
        GSTR(g, "disks");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < c->num_disks; i++)
            gen_object(g, &xl_disk_section, &c->disks[i]);
        yajl_gen_array_close(g);
    }
    if (c->num_nics) {
        GSTR(g, "nics");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < c->num_nics; i++)
            gen_object(g, &xl_nic_section, &c->nics[i]);
        yajl_gen_array_close(g);
    }
    gen_fields(g, &xl_action_section, &c->act);
    yajl_gen_map_close(g);
}

/* Runs fn under a beautifying generator; the text with a final newline. */
static char *generate(void (*fn)(yajl_gen, const void *), const void *arg)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    char *out = NULL;

    if (!g)
        goto out;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "    ");
    fn(g, arg);
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        goto out;
    if (!(out = malloc(len + 2)))
        goto out;
    memcpy(out, buf, len);
    /* yajl's beautifier ends the top level with a newline; make sure of one */
    if (len && out[len - 1] != '\n')
        out[len++] = '\n';
    out[len] = '\0';
out:
    if (g)
        yajl_gen_free(g);
    return out;
}

struct domain_arg {
    const struct xl_domain_config *c;
    long domid;
};

static void gen_domain(yajl_gen g, const void *arg)
{
    const struct domain_arg *a = arg;

    yajl_gen_map_open(g);
    GSTR(g, "domid");
    if (a->domid < 0)
        yajl_gen_null(g);
    else
        yajl_gen_integer(g, a->domid);
    GSTR(g, "config");
    gen_config(g, a->c);
    yajl_gen_map_close(g);
}

char *xl_json_domain(const struct xl_domain_config *c, long domid)
{
    struct domain_arg a = {c, domid};

    return generate(gen_domain, &a);
}

struct list_arg {
    const struct xl_domain_config *const *cs;
    const long *domids;
    size_t n;
};

static void gen_list(yajl_gen g, const void *arg)
{
    const struct list_arg *a = arg;

    yajl_gen_array_open(g);
    for (size_t i = 0; i < a->n; i++) {
        struct domain_arg d = {a->cs[i], a->domids[i]};

        gen_domain(g, &d);
    }
    yajl_gen_array_close(g);
}

char *xl_json_domain_list(const struct xl_domain_config *const *cs, const long *domids, size_t n)
{
    struct list_arg a = {cs, domids, n};

    return generate(gen_list, &a);
}

static void gen_nic(yajl_gen g, const void *nic)
{
    gen_object(g, &xl_nic_section, nic);
}

static void gen_disk(yajl_gen g, const void *disk)
{
    gen_object(g, &xl_disk_section, disk);
}

char *xl_json_nic(const struct xl_nic *nic)
{
    return generate(gen_nic, nic);
}

char *xl_json_disk(const struct xl_disk *disk)
{
    return generate(gen_disk, disk);
}

/* ---- reading it back ---- */

static yajl_val member(yajl_val obj, const char *key)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (!strcmp(obj->u.object.keys[i], key))
            return obj->u.object.values[i];
    return NULL;
}

static int read_error(FILE *diag, const char *where, const struct xl_field *f, const char *what)
{
    fprintf(diag, "xl: error: JSON %s%s%s%s%s: expected %s\n", where, *where ? "." : "",
            f->group ? f->group : "", f->group ? "." : "", f->json, what);
    return -1;
}

static int set_dup(char **dst, const char *s)
{
    free(*dst);
    return (*dst = strdup(s)) ? 0 : -1;
}

/* "0-3,5" from the set indices, the form xl.cfg(5) "cpus" takes. */
static char *cpumap_text(yajl_val a)
{
    unsigned char bits[512 / 8] = {0};
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    const char *sep = "";

    if (!m)
        return NULL;
    for (size_t i = 0; i < a->u.array.len; i++) {
        yajl_val v = a->u.array.values[i];

        if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 || YAJL_GET_INTEGER(v) >= 512) {
            fclose(m);
            free(out);
            return NULL;
        }
        bits[YAJL_GET_INTEGER(v) / 8] |= 1u << (YAJL_GET_INTEGER(v) % 8);
    }
    for (int i = 0; i < 512; i++) {
        int j = i;

        if (!(bits[i / 8] & (1u << (i % 8))))
            continue;
        while (j + 1 < 512 && (bits[(j + 1) / 8] & (1u << ((j + 1) % 8))))
            j++;
        fprintf(m, j > i ? "%s%d-%d" : "%s%d", sep, i, j);
        sep = ",";
        i = j;
    }
    fclose(m);
    return out;
}

static int read_field(const struct xl_field *f, void *obj, yajl_val v, const char *where,
                      FILE *diag)
{
    void *p = XL_FIELD_PTR(obj, f);

    switch (f->kind) {
    case XT_STR:
    case XT_NAME:
    case XT_UUID:
        if (!YAJL_IS_STRING(v))
            return read_error(diag, where, f, "a string");
        if (f->kind == XT_UUID && !xl_valid_uuid(v->u.string))
            return read_error(diag, where, f, "a UUID");
        if (set_dup(p, v->u.string))
            return -1;
        if (f->kind == XT_UUID)
            xl_uuid_lower(*(char **)p);
        return 0;
    case XT_INT:
    case XT_MEMKB:
        if (!YAJL_IS_INTEGER(v))
            return read_error(diag, where, f, "an integer");
        /* the description's range, as xl.cfg enforces it */
        if (f->min < f->max && (YAJL_GET_INTEGER(v) < f->min || YAJL_GET_INTEGER(v) > f->max)) {
            char what[64];

            snprintf(what, sizeof(what), "an integer from %lld to %lld", f->min, f->max);
            return read_error(diag, where, f, what);
        }
        *(long long *)p = YAJL_GET_INTEGER(v);
        return 0;
    case XT_COUNTMAP: {
        long long n = 0;

        if (!YAJL_IS_ARRAY(v))
            return read_error(diag, where, f, "an array");
        for (size_t i = 0; i < v->u.array.len; i++) {
            if (!YAJL_IS_INTEGER(v->u.array.values[i]))
                return read_error(diag, where, f, "an array of integers");
            if (YAJL_GET_INTEGER(v->u.array.values[i]) + 1 > n)
                n = YAJL_GET_INTEGER(v->u.array.values[i]) + 1;
        }
        *(long long *)p = n;
        return 0;
    }
    case XT_CPUMAP: {
        char *s;

        if (!YAJL_IS_ARRAY(v) || !(s = cpumap_text(v)))
            return read_error(diag, where, f, "an array of CPU numbers");
        free(*(char **)p);
        *(char **)p = s;
        return 0;
    }
    case XT_DEFBOOL:
        if (!YAJL_IS_STRING(v) ||
            (strcmp(v->u.string, "True") && strcmp(v->u.string, "False") &&
             strcmp(v->u.string, "<default>")))
            return read_error(diag, where, f, "\"True\", \"False\" or \"<default>\"");
        *(int *)p = !strcmp(v->u.string, "True") ? 1 : !strcmp(v->u.string, "False") ? 0 : -1;
        return 0;
    case XT_STRLIST: {
        char **l;

        if (!YAJL_IS_ARRAY(v))
            return read_error(diag, where, f, "an array of strings");
        for (size_t i = 0; i < v->u.array.len; i++)
            if (!YAJL_IS_STRING(v->u.array.values[i]))
                return read_error(diag, where, f, "an array of strings");
        if (!(l = calloc(v->u.array.len + 1, sizeof(*l))))
            return -1;
        /* on failure the list stays NULL-terminated, and the caller frees it */
        *(char ***)p = l;
        for (size_t i = 0; i < v->u.array.len; i++)
            if (!(l[i] = strdup(v->u.array.values[i]->u.string)))
                return -1;
        return 0;
    }
    case XT_EMPTYOBJ:
        return 0;
    default: {
        int e;

        if (!YAJL_IS_STRING(v) || (e = xl_enum_value(f->kind, v->u.string)) < 0)
            return read_error(diag, where, f, "one of libxl's names");
        *(int *)p = e;
        return 0;
    }
    }
}

static int read_section(const struct xl_section *s, void *obj, yajl_val o, const char *where,
                        FILE *diag)
{
    if (o && !YAJL_IS_OBJECT(o)) {
        fprintf(diag, "xl: error: JSON %s: expected an object\n", where);
        return -1;
    }
    for (size_t i = 0; o && i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];
        yajl_val holder = f->group ? member(o, f->group) : o;
        yajl_val v = member(holder, f->json);

        if (v && !YAJL_IS_NULL(v) && read_field(f, obj, v, where, diag) < 0)
            return -1;
    }
    return 0;
}

int xl_json_read_config(struct xl_domain_config *c, yajl_val root, FILE *diag)
{
    yajl_val cfg = member(root, "config") ? member(root, "config") : root, a;
    int rc = -1;

    xl_config_init(c);
    if (!YAJL_IS_OBJECT(cfg)) {
        fprintf(diag, "xl: error: JSON: expected a domain configuration object\n");
        goto out;
    }
    if (read_section(&xl_c_info_section, &c->c_info, member(cfg, "c_info"), "c_info", diag) ||
        read_section(&xl_b_info_section, &c->b_info, member(cfg, "b_info"), "b_info", diag) ||
        read_section(&xl_action_section, &c->act, cfg, "", diag))
        goto out;
    if ((a = member(cfg, "disks")) && YAJL_IS_ARRAY(a))
        for (size_t i = 0; i < a->u.array.len; i++) {
            struct xl_disk *d = xl_config_add_disk(c);

            if (!d || read_section(&xl_disk_section, d, a->u.array.values[i], "disks", diag))
                goto out;
        }
    if ((a = member(cfg, "nics")) && YAJL_IS_ARRAY(a))
        for (size_t i = 0; i < a->u.array.len; i++) {
            struct xl_nic *n = xl_config_add_nic(c);

            if (!n || read_section(&xl_nic_section, n, a->u.array.values[i], "nics", diag))
                goto out;
        }
    rc = 0;
out:
    if (rc)
        xl_config_dispose(c);
    return rc;
}

int xl_json_parse_domain(struct xl_domain_config *c, const char *text, FILE *diag)
{
    char err[256] = "";
    yajl_val root = yajl_tree_parse(text, err, sizeof(err));
    int rc = -1;

    if (!root) {
        fprintf(diag, "xl: error: invalid JSON: %s\n", err[0] ? err : "parse error");
        goto out;
    }
    rc = xl_json_read_config(c, root, diag);
out:
    if (root)
        yajl_tree_free(root);
    return rc;
}
