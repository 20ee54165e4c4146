/*
 * From the parsed xl.cfg tree to the typed domain configuration: the keys
 * of xl.cfg(5) a PV guest uses, validated, with xl's defaults. Keys that map
 * to one field come from the description (the cfgkey column of
 * xl_types.h); the derived ones (type, vcpus, cmdline, vif, disk) are here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "xl_cfg.h"
#include "xl_dev.h"

/* Keys read below rather than through the description. */
static const char *const derived_keys[] = {"type", "builder", "vcpus", "cmdline", "root",
                                           "extra", "vif", "disk", NULL};
/* Keys of xl.cfg(5) Xenolith accepts but does not act on yet. */
static const char *const ignored_keys[] = {
    "vfb",   "vkb",     "channel", "p9",     "pci",   "cpus_soft", "firmware", "vtpm",
    "usbctrl", "usbdev", "iomem",  "ioports", "irqs", "dtdev",     "vdispl",   "vsnd",
    "virtio", "rdm",    "pvcalls", "bootloader_restrict", "bootloader_user", NULL};
/* Keys of xl.cfg(5) that only HVM guests read (xl ignores them for PV too). */
static const char *const hvm_keys[] = {
    "acpi",    "apic",      "boot",       "device_model_version", "device_model_override",
    "hap",     "nestedhvm", "pae",        "sdl",                  "serial",
    "soundhw", "stdvga",    "usb",        "usbdevice",            "vga",
    "videoram", "viridian", "vnc",        "vnclisten",            "vncpasswd",
    "xen_platform_pci", "bios", "hpet",   "timer_mode",           "altp2m",
    "shadow_memory", "vncdisplay", "keymap", "spice", "gfx_passthru", NULL};

static const struct xl_section *const cfg_sections[] = {&xl_c_info_section, &xl_b_info_section,
                                                        &xl_action_section};

const char *const *xl_cfg_known_keys(void)
{
    static const char *keys[192];
    const size_t max = sizeof(keys) / sizeof(keys[0]) - 1;
    const char *const *lists[] = {derived_keys, ignored_keys, hvm_keys};
    size_t n = 0;

    if (keys[0])
        return keys;
    for (size_t s = 0; s < 3; s++)
        for (size_t i = 0; i < cfg_sections[s]->n && n < max; i++)
            if (cfg_sections[s]->fields[i].cfgkey)
                keys[n++] = cfg_sections[s]->fields[i].cfgkey;
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; lists[l][i] && n < max; i++)
            keys[n++] = lists[l][i];
    keys[n] = NULL;
    return keys;
}

static int in_list(const char *key, const char *const *l)
{
    for (size_t i = 0; l[i]; i++)
        if (!strcmp(l[i], key))
            return 1;
    return 0;
}

static const char *kind_name(enum xlcfg_kind k)
{
    return k == XLCFG_STRING ? "a string" : k == XLCFG_NUMBER ? "a number" : "a list";
}

static int want_string(const struct xlcfg_setting *s, FILE *diag)
{
    if (s->value->kind == XLCFG_STRING)
        return 0;
    xl_error(diag, &s->value->loc, "%s: expected a string, found %s", s->key,
             kind_name(s->value->kind));
    return -1;
}

/*
 * xl reads numbers with strtol whether quoted or not (libxlu keeps them as
 * text), so memory="512" works; the whole text must be the number.
 */
static int want_long(const struct xlcfg_setting *s, long long min, long long max, long long *out,
                     FILE *diag)
{
    const struct xlcfg_value *v = s->value;
    char *end;
    long long n;

    if (v->kind == XLCFG_LIST) {
        xl_error(diag, &v->loc, "%s: expected a number, found a list", s->key);
        return -1;
    }
    errno = 0;
    n = strtoll(v->text, &end, 0);
    if (!*v->text || *end || errno) {
        xl_error(diag, &v->loc, "%s: expected a number, found '%s'", s->key, v->text);
        return -1;
    }
    if (min < max && (n < min || n > max)) {
        xl_error(diag, &v->loc, "%s: %lld is out of range (%lld to %lld)", s->key, n, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

static int set_string(char **field, const char *v)
{
    char *s = strdup(v);

    if (!s)
        return -1;
    free(*field);
    *field = s;
    return 0;
}

static int apply_field(void *obj, const struct xl_field *f, const struct xlcfg_setting *s,
                       FILE *diag)
{
    void *p = XL_FIELD_PTR(obj, f);
    const struct xlcfg_value *v = s->value;
    const char *why;
    long long n;

    switch (f->kind) {
    case XT_STR:
        return want_string(s, diag) ? -1 : set_string(p, v->text);
    case XT_NAME:
        if (want_string(s, diag))
            return -1;
        if (!xl_valid_name(v->text, &why)) {
            xl_error(diag, &v->loc, "%s: invalid name \"%s\": %s", s->key, v->text, why);
            return -1;
        }
        return set_string(p, v->text);
    case XT_UUID:
        if (want_string(s, diag))
            return -1;
        if (!xl_valid_uuid(v->text)) {
            xl_error(diag, &v->loc,
                     "%s: invalid UUID \"%s\" (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                     s->key, v->text);
            return -1;
        }
        if (set_string(p, v->text))
            return -1;
        xl_uuid_lower(*(char **)p);
        return 0;
    case XT_INT:
        return want_long(s, f->min, f->max, p, diag);
    case XT_MEMKB:
        /* MiB in xl.cfg(5); at least 1 MiB, below 2^32 MiB */
        if (want_long(s, 1, (1LL << 32) - 1, &n, diag))
            return -1;
        *(long long *)p = n * 1024;
        return 0;
    case XT_DEFBOOL:
        if (want_long(s, 0, 0, &n, diag))
            return -1;
        *(int *)p = n != 0;
        return 0;
    case XT_CPUMAP: {
        unsigned char bits[512 / 8];

        if (v->kind == XLCFG_LIST) {
            xl_error(diag, &v->loc, "%s: expected a string such as \"0-3,^2\", found a list",
                     s->key);
            return -1;
        }
        if (xl_cpumap_parse(v->text, bits, 512) <= 0) {
            xl_error(diag, &v->loc,
                     "%s: invalid CPU list \"%s\" (expected \"all\" or e.g. \"0-3,^2\", CPUs 0-511)",
                     s->key, v->text);
            return -1;
        }
        return set_string(p, v->text);
    }
    case XT_STRLIST: {
        size_t cnt = v->kind == XLCFG_LIST ? v->n : 1;
        char **l;

        if (v->kind == XLCFG_NUMBER) {
            xl_error(diag, &v->loc, "%s: expected a list of strings, found a number", s->key);
            return -1;
        }
        for (size_t i = 0; v->kind == XLCFG_LIST && i < v->n; i++)
            if (v->items[i]->kind != XLCFG_STRING) {
                xl_error(diag, &v->items[i]->loc, "%s: expected a string, found %s", s->key,
                         kind_name(v->items[i]->kind));
                return -1;
            }
        if (!(l = calloc(cnt + 1, sizeof(*l))))
            return -1;
        for (size_t i = 0; i < cnt; i++)
            if (!(l[i] = strdup(v->kind == XLCFG_LIST ? v->items[i]->text : v->text))) {
                for (size_t k = 0; k < i; k++)
                    free(l[k]);
                free(l);
                return -1;
            }
        for (char **o = *(char ***)p; o && *o; o++)
            free(*o);
        free(*(char ***)p);
        *(char ***)p = l;
        return 0;
    }
    case XT_ACTION:
    case XT_TSCMODE: {
        const char *const *names = xl_enum_names(f->kind);
        int a;

        if (want_string(s, diag))
            return -1;
        if ((a = xl_enum_value(f->kind, v->text)) < 0) {
            char list[256] = "";

            for (size_t k = 0; names[k]; k++)
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                         !k ? "" : names[k + 1] ? ", " : " or ", names[k]);
            xl_error(diag, &v->loc, "%s: invalid %s \"%s\" (expected %s)", s->key,
                     f->kind == XT_ACTION ? "action" : "mode", v->text, list);
            return -1;
        }
        *(int *)p = a;
        return 0;
    }
    default:
        xl_error(diag, &v->loc, "%s: cannot be set in xl.cfg", s->key);
        return -1;
    }
}

static int apply_sections(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    void *objs[] = {&c->c_info, &c->b_info, &c->act};

    for (size_t k = 0; k < 3; k++) {
        const struct xl_section *sec = cfg_sections[k];

        for (size_t i = 0; i < sec->n; i++) {
            const struct xl_field *f = &sec->fields[i];
            const struct xlcfg_setting *s = f->cfgkey ? xlcfg_get(cfg, f->cfgkey) : NULL;

            if (s && apply_field(objs[k], f, s, diag) < 0)
                return -1;
        }
    }
    return 0;
}

/* type= (xl.cfg(5)), or the deprecated builder= ("generic" = pv). */
static int apply_type(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    const struct xlcfg_setting *s = xlcfg_get(cfg, "type");
    const char *t = "pv";

    if (!s && (s = xlcfg_get(cfg, "builder"))) {
        if (want_string(s, diag))
            return -1;
        t = !strcmp(s->value->text, "generic") ? "pv" : s->value->text;
    } else if (s) {
        if (want_string(s, diag))
            return -1;
        t = s->value->text;
    }
    if (strcmp(t, "pv")) {
        if (!strcmp(t, "hvm") || !strcmp(t, "pvh"))
            xl_error(diag, &s->value->loc,
                     "%s: \"%s\" guests are not supported: Xenolith runs PV guests (type=\"pv\")",
                     s->key, t);
        else
            xl_error(diag, &s->value->loc, "%s: invalid guest type \"%s\" (expected pv)", s->key,
                     t);
        return -1;
    }
    c->c_info.type = XL_DOMTYPE_PV;
    return 0;
}

static int apply_vcpus(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    const struct xlcfg_setting *s = xlcfg_get(cfg, "vcpus"), *m = xlcfg_get(cfg, "maxvcpus");
    struct xl_b_info *b = &c->b_info;

    b->avail_vcpus = 1;
    if (s && want_long(s, 1, 4096, &b->avail_vcpus, diag))
        return -1;
    /* maxvcpus defaults to vcpus; vcpus above it cannot be online */
    if (!m)
        b->max_vcpus = b->avail_vcpus;
    else if (b->avail_vcpus > b->max_vcpus) {
        xl_error(diag, s ? &s->value->loc : &m->value->loc,
                 "vcpus (%lld) must not exceed maxvcpus (%lld)", b->avail_vcpus, b->max_vcpus);
        return -1;
    }
    return 0;
}

static int apply_memory(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    struct xl_b_info *b = &c->b_info;
    const struct xlcfg_setting *mx = xlcfg_get(cfg, "maxmem");

    /* libxl's default when memory= is absent: 32 MiB */
    if (!b->target_memkb)
        b->target_memkb = 32 * 1024;
    if (!b->max_memkb)
        b->max_memkb = b->target_memkb;
    if (b->max_memkb < b->target_memkb) {
        xl_error(diag, &mx->value->loc, "maxmem (%lld MiB) must not be below memory (%lld MiB)",
                 b->max_memkb / 1024, b->target_memkb / 1024);
        return -1;
    }
    return 0;
}

/* xl.cfg(5): cmdline= wins; otherwise "root=ROOT EXTRA" (libxl's join). */
static int apply_cmdline(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    const struct xlcfg_setting *cl = xlcfg_get(cfg, "cmdline"), *root = xlcfg_get(cfg, "root"),
                               *extra = xlcfg_get(cfg, "extra");
    char *s = NULL;

    if ((cl && want_string(cl, diag)) || (root && want_string(root, diag)) ||
        (extra && want_string(extra, diag)))
        return -1;
    if (cl) {
        if (root || extra)
            xl_warning(diag, &(root ? root : extra)->loc,
                       "ignoring root= and extra= because cmdline= is set");
        return set_string(&c->b_info.cmdline, cl->value->text);
    }
    if (root && extra)
        s = asprintf(&s, "root=%s %s", root->value->text, extra->value->text) < 0 ? NULL : s;
    else if (root)
        s = asprintf(&s, "root=%s", root->value->text) < 0 ? NULL : s;
    else if (extra)
        s = strdup(extra->value->text);
    else
        return 0;
    if (!s)
        return -1;
    c->b_info.cmdline = s;
    return 0;
}

static int want_spec_list(const struct xlcfg_setting *s, FILE *diag)
{
    if (s->value->kind != XLCFG_LIST) {
        xl_error(diag, &s->value->loc, "%s: expected a list of strings like [ '...' ], found %s",
                 s->key, kind_name(s->value->kind));
        return -1;
    }
    for (size_t i = 0; i < s->value->n; i++)
        if (s->value->items[i]->kind != XLCFG_STRING) {
            xl_error(diag, &s->value->items[i]->loc, "%s: expected a string, found %s", s->key,
                     kind_name(s->value->items[i]->kind));
            return -1;
        }
    return 0;
}

static int apply_devices(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    const struct xlcfg_setting *vif = xlcfg_get(cfg, "vif"), *disk = xlcfg_get(cfg, "disk");

    if (vif) {
        if (want_spec_list(vif, diag))
            return -1;
        for (size_t i = 0; i < vif->value->n; i++) {
            struct xl_nic *n = xl_config_add_nic(c);

            if (!n)
                return -1;
            n->devid = (long long)i;
            if (xl_vif_parse(n, vif->value->items[i]->text, &vif->value->items[i]->loc, diag))
                return -1;
        }
    }
    if (disk) {
        if (want_spec_list(disk, diag))
            return -1;
        for (size_t i = 0; i < disk->value->n; i++) {
            struct xl_disk *d = xl_config_add_disk(c);

            if (!d)
                return -1;
            if (xl_disk_parse(d, disk->value->items[i]->text, &disk->value->items[i]->loc, diag))
                return -1;
            for (size_t k = 0; k < i; k++)
                if (!strcmp(c->disks[k].vdev, d->vdev)) {
                    xl_error(diag, &disk->value->items[i]->loc,
                             "disk: vdev %s is used twice (disks %zu and %zu)", d->vdev, k, i);
                    return -1;
                }
        }
    }
    return 0;
}

/* Length of the UTF-8 sequence at s, or 0 if it is not one (RFC 3629). */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned min;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0)
        n = 2, min = 0x80, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        n = 3, min = 0x800, cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        n = 4, min = 0x10000, cp = s[0] & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/*
 * Values are UTF-8 without control characters (tab aside): nothing in a
 * domain's configuration needs them, xenstore and the backends' scripts
 * mishandle them, and neither the JSON nor the XML form can carry them.
 */
static int check_text(const struct xlcfg_setting *s, const struct xlcfg_value *v, FILE *diag)
{
    if (v->kind == XLCFG_LIST) {
        for (size_t i = 0; i < v->n; i++)
            if (check_text(s, v->items[i], diag))
                return -1;
        return 0;
    }
    for (const unsigned char *c = (const unsigned char *)v->text; *c;) {
        size_t n = utf8_len(c), off = (size_t)(c - (const unsigned char *)v->text);

        if ((*c < 0x20 && *c != '\t') || *c == 0x7f) {
            xl_error(diag, &v->loc, "%s: control character 0x%02x at offset %zu of the value",
                     s->key, *c, off);
            return -1;
        }
        if (!n) {
            xl_error(diag, &v->loc, "%s: byte 0x%02x at offset %zu of the value is not UTF-8",
                     s->key, *c, off);
            return -1;
        }
        c += n;
    }
    return 0;
}

static int check_texts(const struct xlcfg *cfg, FILE *diag)
{
    const char *const *known = xl_cfg_known_keys();

    for (size_t i = 0; i < cfg->n; i++)
        if (in_list(cfg->settings[i].key, known) &&
            check_text(&cfg->settings[i], cfg->settings[i].value, diag))
            return -1;
    return 0;
}

static void warn_unknown(const struct xlcfg *cfg, FILE *diag)
{
    const char *const *known = xl_cfg_known_keys();

    for (size_t i = 0; i < cfg->n; i++) {
        const struct xlcfg_setting *s = &cfg->settings[i];
        const char *near;

        if (in_list(s->key, ignored_keys)) {
            xl_warning(diag, &s->loc, "'%s' is not supported by Xenolith yet; ignored", s->key);
            continue;
        }
        if (in_list(s->key, hvm_keys)) {
            xl_warning(diag, &s->loc, "'%s' applies to HVM guests only; ignored", s->key);
            continue;
        }
        if (in_list(s->key, known))
            continue;
        /* Xen's xl ignores these silently; a typo would go unnoticed */
        near = xl_closest(s->key, known);
        if (near)
            xl_warning(diag, &s->loc, "unknown key '%s' (did you mean '%s'?)", s->key, near);
        else
            xl_warning(diag, &s->loc, "unknown key '%s'", s->key);
    }
}

static int finish(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    const char *file = cfg->nfiles ? cfg->files[0] : NULL;
    struct xl_loc whole = {file, 1, 1};

    if (!c->c_info.name) {
        xl_error(diag, file ? &whole : NULL, "name: a domain name must be set (name = \"...\")");
        return -1;
    }
    if (!c->b_info.kernel && !c->b_info.bootloader) {
        xl_error(diag, file ? &whole : NULL,
                 "a PV guest needs kernel = \"...\" (or bootloader = \"pygrub\")");
        return -1;
    }
    if (!c->c_info.uuid) {
        uuid_t u;
        char s[37];

        uuid_generate(u);
        uuid_unparse_lower(u, s);
        if (!(c->c_info.uuid = strdup(s)))
            return -1;
    }
    /* xl's defaults (xl.cfg(5), "on_reboot": restart; the others destroy) */
    if (!xlcfg_get(cfg, "on_reboot"))
        c->act.on_reboot = XL_ACTION_RESTART;
    if (!xlcfg_get(cfg, "on_soft_reset"))
        c->act.on_soft_reset = XL_ACTION_SOFT_RESET;
    return 0;
}

int xl_config_from_cfg(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag)
{
    int rc = -1;

    xl_config_init(c);
    warn_unknown(cfg, diag);
    if (check_texts(cfg, diag) || apply_type(c, cfg, diag) || apply_sections(c, cfg, diag) || apply_vcpus(c, cfg, diag) ||
        apply_memory(c, cfg, diag) || apply_cmdline(c, cfg, diag) ||
        apply_devices(c, cfg, diag) || finish(c, cfg, diag))
        goto out;
    rc = 0;
out:
    if (rc)
        xl_config_dispose(c);
    return rc;
}
