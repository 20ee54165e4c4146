/*
 * The disk spec (xl-disk-configuration(5)):
 *
 *   [KEY=VALUE|flag,]* [target,[format,[vdev,[access]]]] [KEY=VALUE|flag,]* [target=REST]
 *
 * Positional parameters may be empty (defaults); `target=` must come last
 * and keeps the rest of the spec, commas and all. The deprecated form
 * `[prefix:][format:]target,vdev[:cdrom],access` (e.g. phy:/dev/vg/lv,xvda,w)
 * is recognised by a legacy prefix on the target, or by a vdev name where
 * the format would be.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xl_dev.h"

/* Linux's IDE majors, two disks each: hda/hdb on 3, hdc/hdd on 22, ... */
static const int ide_major[] = {3, 22, 33, 34, 56, 57, 88, 89, 90, 91};

/* Letters as bijective base 26: a=0 .. z=25, aa=26 ...; advances *s. */
static long disk_index(const char **s)
{
    long d = 0;
    int n = 0;

    while (islower((unsigned char)**s)) {
        d = d * 26 + (**s - 'a' + 1);
        (*s)++;
        if (++n > 4)
            return -1;
    }
    return n ? d - 1 : -1;
}

static long partition(const char *s, long max)
{
    char *end;
    long p;

    if (!*s)
        return 0;
    if (!isdigit((unsigned char)*s) || *s == '0')
        return -1;
    p = strtol(s, &end, 10);
    return *end || p > max ? -1 : p;
}

/* xen-vbd-interface(7) */
long xl_vdev_to_number(const char *vdev)
{
    const char *s = vdev;
    long disk, part;

    if (!strncmp(s, "xvd", 3)) {
        s += 3;
        if ((disk = disk_index(&s)) < 0)
            return -1;
        if (disk < 16 && (part = partition(s, 15)) >= 0)
            return (202 << 8) | (disk << 4) | part;
        if (disk >= (1 << 20) || (part = partition(s, 255)) < 0)
            return -1;
        return (1L << 28) | (disk << 8) | part;
    }
    if (!strncmp(s, "hd", 2)) {
        s += 2;
        if ((disk = disk_index(&s)) < 0 || disk >= 20 || (part = partition(s, 63)) < 0)
            return -1;
        return (ide_major[disk / 2] << 8) | ((disk % 2) << 6) | part;
    }
    if (!strncmp(s, "sd", 2)) {
        s += 2;
        if ((disk = disk_index(&s)) < 0 || disk >= 128 || (part = partition(s, 15)) < 0)
            return -1;
        /* sda..sdp on major 8, then 16 disks per major 65..71 */
        return ((disk < 16 ? 8 : 64 + disk / 16) << 8) | ((disk % 16) << 4) | part;
    }
    if (*s == 'd' && isdigit((unsigned char)s[1])) {
        char *end;

        disk = strtol(s + 1, &end, 10);
        if (*end == 'p')
            part = strtol(end + 1, &end, 10);
        else
            part = 0;
        if (*end || disk >= (1 << 20) || part > 255)
            return -1;
        if (disk < 16 && part < 16)
            return (202 << 8) | (disk << 4) | part;
        return (1L << 28) | (disk << 8) | part;
    }
    return -1;
}

struct diskp {
    struct xl_disk *d;
    const struct xl_loc *loc;
    const char *copy;
    FILE *diag;
    int npos;
    int legacy;
    int access_set;
};

static struct xl_loc at(const struct diskp *dp, const char *tok)
{
    return xl_loc_in_string(dp->loc, (size_t)(tok - dp->copy));
}

#define DERR(dp, tok, ...)                                                                   \
    do {                                                                                     \
        struct xl_loc l_ = at(dp, tok);                                                      \
        xl_error((dp)->diag, (dp)->loc ? &l_ : NULL, __VA_ARGS__);                           \
    } while (0)

static int set_str(char **field, const char *v)
{
    char *s = strdup(v);

    if (!s)
        return -1;
    free(*field);
    *field = s;
    return 0;
}

static int set_format(struct diskp *dp, const char *tok, const char *v)
{
    int f = !*v ? XL_FORMAT_RAW : xl_enum_value(XT_FORMAT, v);

    if (f < 0 || f == XL_FORMAT_UNKNOWN || f == XL_FORMAT_EMPTY) {
        DERR(dp, tok, "disk: unknown format '%s' (expected raw, qcow, qcow2, vhd or qed)", v);
        return -1;
    }
    dp->d->format = f;
    return 0;
}

static int set_vdev(struct diskp *dp, const char *tok, const char *v)
{
    char *colon = strchr(v, ':');
    char *name = strndup(v, colon ? (size_t)(colon - v) : strlen(v));
    int rc = -1;

    if (!name)
        goto out;
    if (colon) {
        /* legacy vdev:cdrom */
        if (strcmp(colon, ":cdrom")) {
            DERR(dp, tok, "disk: invalid vdev '%s'", v);
            goto out;
        }
        dp->d->is_cdrom = 1;
    }
    if (xl_vdev_to_number(name) < 0) {
        DERR(dp, tok, "disk: invalid vdev '%s' (expected e.g. xvda, xvdb1, hda, sda)", name);
        goto out;
    }
    free(dp->d->vdev);
    dp->d->vdev = name;
    name = NULL;
    rc = 0;
out:
    free(name);
    return rc;
}

static int set_access(struct diskp *dp, const char *tok, const char *v)
{
    if (!*v)
        return 0;
    if (!strcmp(v, "rw") || !strcmp(v, "w"))
        dp->d->readwrite = 1;
    else if (!strcmp(v, "ro") || !strcmp(v, "r"))
        dp->d->readwrite = 0;
    else {
        DERR(dp, tok, "disk: invalid access '%s' (expected rw, w, ro or r)", v);
        return -1;
    }
    dp->access_set = 1;
    return 0;
}

static const struct {
    const char *prefix;
    int backend, format;
} legacy_prefixes[] = {
    {"phy:", XL_BACKEND_PHY, XL_FORMAT_RAW},     {"file:", XL_BACKEND_UNKNOWN, XL_FORMAT_RAW},
    {"tapdisk:", XL_BACKEND_TAP, -1},            {"tap2:", XL_BACKEND_TAP, -1},
    {"tap:", XL_BACKEND_TAP, -1},                {"aio:", XL_BACKEND_UNKNOWN, XL_FORMAT_RAW},
    {"ioemu:", XL_BACKEND_QDISK, -1},            {"raw:", XL_BACKEND_UNKNOWN, XL_FORMAT_RAW},
    {"qcow:", XL_BACKEND_UNKNOWN, XL_FORMAT_QCOW}, {"qcow2:", XL_BACKEND_UNKNOWN, XL_FORMAT_QCOW2},
    {"vhd:", XL_BACKEND_UNKNOWN, XL_FORMAT_VHD}, {"qed:", XL_BACKEND_UNKNOWN, XL_FORMAT_QED},
};

/* Strips legacy prefixes ("tap:aio:", "phy:") off v; returns the path. */
static const char *strip_prefixes(struct diskp *dp, const char *v)
{
    int found;

    do {
        found = 0;
        for (size_t i = 0; i < sizeof(legacy_prefixes) / sizeof(legacy_prefixes[0]); i++) {
            size_t n = strlen(legacy_prefixes[i].prefix);

            if (!strncmp(v, legacy_prefixes[i].prefix, n)) {
                if (legacy_prefixes[i].backend != XL_BACKEND_UNKNOWN)
                    dp->d->backend = legacy_prefixes[i].backend;
                if (legacy_prefixes[i].format >= 0)
                    dp->d->format = legacy_prefixes[i].format;
                dp->legacy = 1;
                v += n;
                found = 1;
            }
        }
    } while (found);
    return v;
}

static int set_target(struct diskp *dp, const char *v)
{
    int phy_prefix = !strncmp(v, "phy:", 4);

    v = strip_prefixes(dp, v);
    /*
     * xm's "phy:sda1" named /dev/sda1; only that legacy form is completed,
     * since a script's target (iSCSI IQN, DRBD resource) is no path.
     */
    if (phy_prefix && *v && v[0] != '/') {
        char *p = NULL;

        if (asprintf(&p, "/dev/%s", v) < 0)
            return -1;
        free(dp->d->pdev_path);
        dp->d->pdev_path = p;
        return 0;
    }
    return set_str(&dp->d->pdev_path, v);
}

static int positional(struct diskp *dp, const char *tok)
{
    int n = dp->npos++;

    if (n == 0)
        return set_target(dp, tok);
    /* target,vdev,access: the deprecated form */
    if (n == 1 && (dp->legacy || (*tok && xl_vdev_to_number(strndupa(tok, strcspn(tok, ":"))) >= 0)))
        dp->legacy = 1;
    if (dp->legacy) {
        if (n == 1)
            return set_vdev(dp, tok, tok);
        if (n == 2)
            return set_access(dp, tok, tok);
    } else {
        if (n == 1)
            return set_format(dp, tok, tok);
        if (n == 2)
            return *tok ? set_vdev(dp, tok, tok) : 0;
        if (n == 3)
            return set_access(dp, tok, tok);
    }
    DERR(dp, tok, "disk: too many positional parameters at '%s'", tok);
    return -1;
}

static int disk_token(struct diskp *dp, char *tok)
{
    char *eq = strchr(tok, '=');
    const char *v;

    if (!eq) {
        if (!strcmp(tok, "cdrom"))
            dp->d->is_cdrom = 1;
        else if (!strcmp(tok, "direct-io-safe"))
            dp->d->direct_io_safe = 1;
        else if (!strcmp(tok, "discard") || !strcmp(tok, "no-discard"))
            dp->d->discard_enable = tok[0] == 'd';
        else if (!strcmp(tok, "trusted") || !strcmp(tok, "untrusted"))
            dp->d->trusted = tok[0] == 't';
        else
            return positional(dp, tok);
        return 0;
    }
    *eq = '\0';
    v = eq + 1;
    /* target= is the path as it is: no legacy prefixes are read there */
    if (!strcmp(tok, "target"))
        return set_str(&dp->d->pdev_path, v);
    if (!strcmp(tok, "format"))
        return set_format(dp, tok, v);
    if (!strcmp(tok, "vdev"))
        return set_vdev(dp, tok, v);
    if (!strcmp(tok, "access"))
        return set_access(dp, tok, v);
    if (!strcmp(tok, "backend"))
        return set_str(&dp->d->backend_domname, v);
    if (!strcmp(tok, "script"))
        return set_str(&dp->d->script, v);
    if (!strcmp(tok, "devtype")) {
        if (strcmp(v, "cdrom")) {
            DERR(dp, tok, "disk: invalid devtype '%s' (expected cdrom)", v);
            return -1;
        }
        dp->d->is_cdrom = 1;
        return 0;
    }
    if (!strcmp(tok, "backendtype")) {
        int b = xl_enum_value(XT_BACKEND, v);

        if (b <= XL_BACKEND_UNKNOWN) {
            DERR(dp, tok, "disk: invalid backendtype '%s' (expected phy, qdisk, tap or standalone)",
                 v);
            return -1;
        }
        dp->d->backend = b;
        return 0;
    }
    *eq = '=';
    DERR(dp, tok, "disk: unrecognized argument '%s'", tok);
    return -1;
}

int xl_disk_parse(struct xl_disk *disk, const char *spec, const struct xl_loc *loc, FILE *diag)
{
    struct diskp dp = {disk, loc, NULL, diag, 0, 0, 0};
    char *copy = strdup(spec), *p;
    int rc = -1;

    if (!copy)
        goto out;
    dp.copy = copy;
    disk->readwrite = 1;
    p = copy;
    while (p) {
        char *tok;

        while (*p == ' ' || *p == '\t')
            p++;
        /* target= swallows the rest of the spec, commas included */
        if (!strncmp(p, "target=", 7)) {
            if (disk_token(&dp, p) < 0)
                goto out;
            break;
        }
        tok = strsep(&p, ",");
        for (char *e = tok + strlen(tok); e > tok && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = '\0';
        /* an empty positional parameter keeps its default */
        if (!*tok) {
            if (p || dp.npos)
                dp.npos++;
            continue;
        }
        if (disk_token(&dp, tok) < 0)
            goto out;
    }
    if (!disk->vdev) {
        xl_error(diag, loc, "disk: no vdev in '%s' (e.g. '/dev/vg/guest,raw,xvda,rw')", spec);
        goto out;
    }
    if (disk->is_cdrom) {
        disk->removable = 1;
        if (!dp.access_set)
            disk->readwrite = 0;
    } else if (!disk->pdev_path || !*disk->pdev_path) {
        xl_error(diag, loc, "disk: no target in '%s': only a cdrom may be empty", spec);
        goto out;
    }
    xl_disk_defaults(disk);
    rc = 0;
out:
    free(copy);
    return rc;
}

void xl_disk_defaults(struct xl_disk *disk)
{
    /* xl makes every cdrom, and only a cdrom, removable */
    disk->removable = disk->is_cdrom;
    if (disk->format == XL_FORMAT_UNKNOWN)
        disk->format = XL_FORMAT_RAW;
    /* an empty cdrom drive: libxl's "empty" format */
    if (!disk->pdev_path || !*disk->pdev_path) {
        free(disk->pdev_path);
        disk->pdev_path = NULL;
        disk->format = XL_FORMAT_EMPTY;
    }
    /*
     * libxl's choice when unset: a block script (iSCSI, DRBD...) makes a
     * block device for blkback, and so does a raw target under /dev; any
     * other image goes to QEMU.
     */
    if (disk->backend == XL_BACKEND_UNKNOWN && disk->pdev_path)
        disk->backend = disk->script || (disk->format == XL_FORMAT_RAW &&
                                         !strncmp(disk->pdev_path, "/dev/", 5))
                            ? XL_BACKEND_PHY
                            : XL_BACKEND_QDISK;
}
