/*
 * The domain configuration written back as xl.cfg (for `xl config-convert
 * --to-xl`): the cfgkey column of the description, plus the derived keys.
 * What it writes, xl_config_from_cfg reads back to the same configuration
 * (tested): strings are quoted with escapes the lexer knows, vif and disk
 * entries use the key=value forms, and the disk's target comes last since
 * target= swallows the rest of its spec.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xl_cfg_write.h"
#include "xl_dev.h"

static void put_quoted(FILE *m, const char *s, char q)
{
    fputc(q, m);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\\' || c == (unsigned char)q)
            fprintf(m, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", m);
        else if (c == '\t')
            fputs("\\t", m);
        else if (!isprint(c))
            fprintf(m, "\\%03o", c);
        else
            fputc(c, m);
    }
    fputc(q, m);
}

static void put_field(FILE *m, const struct xl_field *f, const void *obj)
{
    const void *p = XL_FIELD_PTR(obj, f);

    fprintf(m, "%s = ", f->cfgkey);
    switch (f->kind) {
    case XT_STR:
    case XT_NAME:
    case XT_UUID:
    case XT_CPUMAP:
        put_quoted(m, *(char *const *)p, '"');
        break;
    case XT_INT:
        fprintf(m, "%lld", *(const long long *)p);
        break;
    case XT_MEMKB:
        /* xl.cfg has whole MiB: a KiB size from XML rounds up */
        fprintf(m, "%lld", (*(const long long *)p + 1023) / 1024);
        break;
    case XT_DEFBOOL:
        fprintf(m, "%d", *(const int *)p);
        break;
    case XT_STRLIST:
        fputs("[ ", m);
        for (char **l = *(char **const *)p; *l; l++) {
            put_quoted(m, *l, '"');
            fputs(l[1] ? ", " : " ", m);
        }
        fputc(']', m);
        break;
    default:
        fprintf(m, "\"%s\"", xl_enum_name(f->kind, *(const int *)p));
        break;
    }
    fputc('\n', m);
}

/*
 * Whether a field must be written: not when xl would fill it in anyway.
 * xl's defaults differ from the description's (the IDL's) for on_reboot
 * (restart) and on_soft_reset (soft-reset): there "destroy" must be said.
 */
static int needed(const struct xl_domain_config *c, const struct xl_field *f, const void *obj)
{
    if (!strcmp(f->member, "on_reboot"))
        return c->act.on_reboot != XL_ACTION_RESTART;
    if (!strcmp(f->member, "on_soft_reset"))
        return c->act.on_soft_reset != XL_ACTION_SOFT_RESET;
    if (xl_field_is_default(f, obj))
        return 0;
    if (!strcmp(f->member, "max_vcpus"))
        return c->b_info.max_vcpus != c->b_info.avail_vcpus;
    if (!strcmp(f->member, "max_memkb"))
        return c->b_info.max_memkb != c->b_info.target_memkb;
    return 1;
}

static void put_section(FILE *m, const struct xl_domain_config *c, const struct xl_section *s,
                        const void *obj)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];

        if (f->cfgkey && needed(c, f, obj))
            put_field(m, f, obj);
    }
}

/* open_memstream sets *buf only at fclose, so it is read after. */
static char *finish(FILE *m, char **buf)
{
    if (fclose(m)) {
        free(*buf);
        return NULL;
    }
    return *buf;
}

char *xl_vif_format(const struct xl_nic *n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    const char *sep = "";
    size_t dirlen = strlen(XL_SCRIPT_DIR "/");

#define KV(key, val)                                                                         \
    do {                                                                                     \
        fprintf(m, "%s%s=%s", sep, key, val);                                                \
        sep = ",";                                                                           \
    } while (0)
    if (!m)
        return NULL;
    if (n->mac)
        KV("mac", n->mac);
    if (n->bridge)
        KV("bridge", n->bridge);
    if (n->ifname)
        KV("vifname", n->ifname);
    if (n->script)
        KV("script", strncmp(n->script, XL_SCRIPT_DIR "/", dirlen) ? n->script
                                                                   : n->script + dirlen);
    if (n->ip)
        KV("ip", n->ip);
    if (n->model)
        KV("model", n->model);
    if (n->backend_domname)
        KV("backend", n->backend_domname);
    if (n->gatewaydev)
        KV("gatewaydev", n->gatewaydev);
    if (n->nictype == XL_NICTYPE_VIF_IOEMU)
        KV("type", "ioemu");
    if (n->mtu) {
        fprintf(m, "%smtu=%lld", sep, n->mtu);
        sep = ",";
    }
    if (n->devid >= 0) {
        fprintf(m, "%sdevid=%lld", sep, n->devid);
        sep = ",";
    }
    if (n->rate_bytes_per_interval && n->rate_interval_usecs) {
        /* the smallest rate that gives back the same bytes per interval */
        long long us = n->rate_interval_usecs;
        long long r = (n->rate_bytes_per_interval * 1000000 + us - 1) / us;

        fprintf(m, "%srate=%lldB/s@%lldus", sep, r, us);
        sep = ",";
    }
    if (n->trusted >= 0) {
        fprintf(m, "%s%s", sep, n->trusted ? "trusted" : "untrusted");
        sep = ",";
    }
#undef KV
    return finish(m, &buf);
}

char *xl_disk_format(const struct xl_disk *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    if (!m)
        return NULL;
    if (d->format != XL_FORMAT_EMPTY && d->format != XL_FORMAT_UNKNOWN)
        fprintf(m, "format=%s,", xl_enum_name(XT_FORMAT, d->format));
    fprintf(m, "vdev=%s,access=%s", d->vdev, d->readwrite ? "rw" : "ro");
    if (d->backend != XL_BACKEND_UNKNOWN)
        fprintf(m, ",backendtype=%s", xl_enum_name(XT_BACKEND, d->backend));
    if (d->backend_domname)
        fprintf(m, ",backend=%s", d->backend_domname);
    if (d->script)
        fprintf(m, ",script=%s", d->script);
    if (d->is_cdrom)
        fputs(",devtype=cdrom", m);
    if (d->direct_io_safe)
        fputs(",direct-io-safe", m);
    if (d->discard_enable >= 0)
        fputs(d->discard_enable ? ",discard" : ",no-discard", m);
    if (d->trusted >= 0)
        fputs(d->trusted ? ",trusted" : ",untrusted", m);
    fprintf(m, ",target=%s", d->pdev_path ? d->pdev_path : "");
    return finish(m, &buf);
}

/* One element of a vif or disk list: '<spec>', on its own line; takes spec. */
static int put_list_spec(FILE *m, char *spec)
{
    if (!spec)
        return -1;
    fputs("    ", m);
    put_quoted(m, spec, '\'');
    fputs(",\n", m);
    free(spec);
    return 0;
}

char *xl_cfg_format(const struct xl_domain_config *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    if (!m)
        return NULL;
    put_section(m, c, &xl_c_info_section, &c->c_info);
    fputs("type = \"pv\"\n", m);
    put_section(m, c, &xl_b_info_section, &c->b_info);
    fprintf(m, "vcpus = %lld\n", c->b_info.avail_vcpus);
    if (c->b_info.cmdline) {
        fputs("cmdline = ", m);
        put_quoted(m, c->b_info.cmdline, '"');
        fputc('\n', m);
    }
    put_section(m, c, &xl_action_section, &c->act);
    if (c->num_nics) {
        fputs("vif = [\n", m);
        for (size_t i = 0; i < c->num_nics; i++)
            if (put_list_spec(m, xl_vif_format(&c->nics[i])))
                goto fail;
        fputs("]\n", m);
    }
    if (c->num_disks) {
        fputs("disk = [\n", m);
        for (size_t i = 0; i < c->num_disks; i++)
            if (put_list_spec(m, xl_disk_format(&c->disks[i])))
                goto fail;
        fputs("]\n", m);
    }
    return finish(m, &buf);
fail:
    fclose(m);
    free(buf);
    return NULL;
}
