/*
 * What a device is in xenstore, without touching xenstore: the frontend
 * and backend nodes of a vif or vbd with libxl's keys (xl-inventory A1(c)),
 * devid numbering and the sharing rule for disks. Pure, so CUnit checks
 * the key sets (tests/unit/tools/test_dom_dev.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dom_dev.h"
#include "xl_dev.h"
#include <xen/io/xenbus.h>

void dom_dev_plan_free(struct dom_dev_plan *pl)
{
    free(pl->n);
    memset(pl, 0, sizeof(*pl));
}

static struct dom_dev_node *grow(struct dom_dev_plan *pl)
{
    if (pl->count == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 32;
        struct dom_dev_node *n = realloc(pl->n, cap * sizeof(*n));

        if (!n)
            return NULL;
        pl->n = n;
        pl->cap = cap;
    }
    memset(&pl->n[pl->count], 0, sizeof(pl->n[0]));
    return &pl->n[pl->count++];
}

/* A directory: owner has all rights, reader may read, everyone else nothing (XS_SET_PERMS). */
static int dir(struct dom_dev_plan *pl, uint32_t owner, uint32_t reader, const char *path)
{
    struct dom_dev_node *n = grow(pl);

    if (!n)
        return -1;
    n->dir = true;
    n->owner = owner;
    n->reader = reader;
    snprintf(n->path, sizeof(n->path), "%s", path);
    return 0;
}

/* base/key = value; a NULL value writes nothing (an unset optional key). */
static int val(struct dom_dev_plan *pl, const char *base, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int val(struct dom_dev_plan *pl, const char *base, const char *key, const char *fmt, ...)
{
    struct dom_dev_node *n;
    va_list ap;

    if (!fmt)
        return 0;
    if (!(n = grow(pl)))
        return -1;
    snprintf(n->path, sizeof(n->path), "%s/%s", base, key);
    va_start(ap, fmt);
    vsnprintf(n->value, sizeof(n->value), fmt, ap);
    va_end(ap);
    return 0;
}

/* The value of an optional string key, or NULL to leave the key out. */
#define OPT(s) ((s) && *(s) ? "%s" : NULL), (s)

/* The two directories and the keys both ends share; 0 or -1 (no memory). */
static int ends(struct dom_dev_plan *pl, uint32_t be, uint32_t d, const char *kind, long devid,
                char fe_path[80], char be_path[80])
{
    int rc = 0;

    snprintf(fe_path, 80, "/local/domain/%u/device/%s/%ld", d, kind, devid);
    snprintf(be_path, 80, "/local/domain/%u/backend/%s/%u/%ld", be, kind, d, devid);
    /* The guest owns its end and Dom0 may read it; the other way round for the backend. */
    rc |= dir(pl, d, be, fe_path);
    rc |= val(pl, fe_path, "backend", "%s", be_path);
    rc |= val(pl, fe_path, "backend-id", "%u", be);
    rc |= val(pl, fe_path, "state", "%d", XenbusStateInitialising);
    rc |= dir(pl, be, d, be_path);
    rc |= val(pl, be_path, "frontend", "%s", fe_path);
    rc |= val(pl, be_path, "frontend-id", "%u", d);
    rc |= val(pl, be_path, "online", "1");
    rc |= val(pl, be_path, "state", "%d", XenbusStateInitialising);
    /*
     * Empty until the script has run: netback defers Connected until it
     * reads "connected" here, and the toolstack waits on it.
     */
    rc |= val(pl, be_path, "hotplug-status", "%s", "");
    return rc ? -1 : 0;
}

/* The toolstack's own copy, /libxl/<domid>/device/<kind>/<devid>, Dom0 only. */
static int libxl_copy(struct dom_dev_plan *pl, uint32_t d, const char *kind, long devid,
                      const char *fe_path, const char *be_path)
{
    char base[80];
    int rc = 0;

    snprintf(base, sizeof(base), "/libxl/%u/device/%s/%ld", d, kind, devid);
    rc |= dir(pl, 0, 0, base);
    rc |= val(pl, base, "frontend", "%s", fe_path);
    rc |= val(pl, base, "backend", "%s", be_path);
    return rc ? -1 : 0;
}

int dom_dev_vif_plan(struct dom_dev_plan *pl, uint32_t be, uint32_t d, const struct xl_nic *nic,
                     const char **why)
{
    char fe[80], bp[80], *script = NULL;
    int rc = 0;

    if (nic->devid < 0 || !nic->mac) {
        *why = nic->devid < 0 ? "no devid" : "no MAC address";
        return -1;
    }
    if (!(script = xl_script_path(nic->script ? nic->script : XL_DEFAULT_VIF_SCRIPT)) ||
        ends(pl, be, d, "vif", nic->devid, fe, bp)) {
        *why = strerror(ENOMEM);
        free(script);
        return -1;
    }
    rc |= val(pl, fe, "handle", "%lld", nic->devid);
    rc |= val(pl, fe, "mac", "%s", nic->mac);
    rc |= val(pl, fe, "mtu", "%lld", nic->mtu ? nic->mtu : 1500);
    rc |= val(pl, fe, "trusted", "%d", nic->trusted != 0);
    rc |= val(pl, bp, "script", "%s", script);
    rc |= val(pl, bp, "mac", "%s", nic->mac);
    rc |= val(pl, bp, "bridge", OPT(nic->bridge ? nic->bridge : XL_DEFAULT_BRIDGE));
    rc |= val(pl, bp, "handle", "%lld", nic->devid);
    rc |= val(pl, bp, "type", "vif");
    rc |= val(pl, bp, "ip", OPT(nic->ip));
    rc |= val(pl, bp, "vifname", OPT(nic->ifname));
    rc |= val(pl, bp, "gatewaydev", OPT(nic->gatewaydev));
    rc |= val(pl, bp, "mtu", nic->mtu ? "%lld" : NULL, nic->mtu);
    /* netback's credit scheduler: "<bytes per interval>,<interval in us>" */
    rc |= val(pl, bp, "rate", nic->rate_bytes_per_interval ? "%lld,%lld" : NULL,
              nic->rate_bytes_per_interval, nic->rate_interval_usecs);
    rc |= libxl_copy(pl, d, "vif", nic->devid, fe, bp);
    free(script);
    if (rc)
        *why = strerror(ENOMEM);
    return rc ? -1 : 0;
}

const char *dom_dev_vbd_type(const char *target)
{
    struct stat st;

    return target && stat(target, &st) == 0 && S_ISREG(st.st_mode) ? "file" : "phy";
}

int dom_dev_vbd_plan(struct dom_dev_plan *pl, uint32_t be, uint32_t d, const struct xl_disk *disk,
                     const char *type, const char **why)
{
    long num = disk->vdev ? xl_vdev_to_number(disk->vdev) : -1;
    const char *devtype = disk->is_cdrom ? "cdrom" : "disk";
    char fe[80], bp[80], *script = NULL;
    int rc = 0;

    if (num < 0) {
        *why = "vdev is not a virtual disk name (xvda, hda, sda ...)";
        return -1;
    }
    if (!disk->pdev_path) {
        *why = "no target (an empty cdrom drive needs a device model)";
        return -1;
    }
    if (!(script = xl_script_path(disk->script ? disk->script : "block")) ||
        ends(pl, be, d, "vbd", num, fe, bp)) {
        *why = strerror(ENOMEM);
        free(script);
        return -1;
    }
    rc |= val(pl, fe, "virtual-device", "%ld", num);
    rc |= val(pl, fe, "device-type", "%s", devtype);
    rc |= val(pl, fe, "trusted", "%d", disk->trusted != 0);
    rc |= val(pl, bp, "script", "%s", script);
    rc |= val(pl, bp, "removable", "%lld", disk->removable);
    rc |= val(pl, bp, "bootable", "1");
    rc |= val(pl, bp, "dev", "%s", disk->vdev);
    rc |= val(pl, bp, "type", "%s", type);
    rc |= val(pl, bp, "mode", disk->readwrite ? "w" : "r");
    rc |= val(pl, bp, "device-type", "%s", devtype);
    rc |= val(pl, bp, "params", "%s", disk->pdev_path);
    rc |= val(pl, bp, "discard-enable", "%d", disk->discard_enable != 0);
    rc |= val(pl, bp, "specification", "xen");
    rc |= libxl_copy(pl, d, "vbd", num, fe, bp);
    free(script);
    if (rc)
        *why = strerror(ENOMEM);
    return rc ? -1 : 0;
}

long dom_dev_next_devid(char *const *names, unsigned n)
{
    long next = 0;

    for (unsigned i = 0; i < n; i++) {
        char *end;
        long v = strtol(names[i], &end, 10);

        if (*names[i] && !*end && v >= next)
            next = v + 1;
    }
    return next;
}

int dom_dev_check_bridge(const char *sys_class_net, const char *bridge, char *why, size_t len)
{
    char path[256];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", sys_class_net, bridge);
    if (stat(path, &st)) {
        snprintf(why, len, "bridge %s does not exist", bridge);
        return -1;
    }
    /* A bridge has the bridge/ attribute directory (Linux net/bridge/br_sysfs_br.c). */
    snprintf(path, sizeof(path), "%s/%s/bridge", sys_class_net, bridge);
    if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
        snprintf(why, len, "%s is a network interface but not a bridge", bridge);
        return -1;
    }
    return 0;
}

/* Same file: the same inode, or the same text when one side cannot be stat'ed. */
static bool same_target(const char *a, const char *b)
{
    struct stat sa, sb;

    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return !strcmp(a, b);
}

int dom_dev_sharing_conflict(const struct dom_dev_use *uses, size_t n, const char *target,
                             bool writable)
{
    /* Read-only sharing is fine; a writable user excludes every other user. */
    for (size_t i = 0; i < n; i++)
        if ((writable || uses[i].writable) && uses[i].params &&
            same_target(uses[i].params, target))
            return (int)i;
    return -1;
}
