/*
 * Device hot-plug commands (xl(1)): network-attach/-detach/-list and
 * block-attach/-detach/-list, through the device layer (dom_dev.h). The
 * specs are those of vif= and disk=; with -N the attach commands print the
 * parsed device, as upstream's check-xl-vif-parse and check-xl-disk-parse
 * expect. The lists print xl's columns (xl-inventory A1(a)), read from the
 * frontend directories, where the guest publishes its rings and channels.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "dom.h"
#include "dom_dev.h"
#include "xl.h"
#include "xl_dev.h"
#include "xl_json.h"

/* The spec words after the domain, joined by ',' as one spec. */
static char *join_spec(int argc, char **argv)
{
    char *s = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&s, &len);

    if (!m)
        return NULL;
    for (int i = 0; i < argc; i++)
        fprintf(m, "%s%s", i ? "," : "", argv[i]);
    fclose(m);
    return s;
}

/* The devids present under dir (frontend or backend), for the next free one. */
static long next_devid(struct dom_ctx *dc, uint32_t domid, const char *kind)
{
    char path[96], **names;
    unsigned n = 0;
    long a, b;

    snprintf(path, sizeof(path), "/local/domain/%u/device/%s", domid, kind);
    names = xs_directory(dc->xs, XS_TX_NONE, path, &n);
    a = dom_dev_next_devid(names, names ? n : 0);
    free(names);
    snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", kind, domid);
    names = xs_directory(dc->xs, XS_TX_NONE, path, &n);
    b = dom_dev_next_devid(names, names ? n : 0);
    free(names);
    return a > b ? a : b;
}

/* Plugs nic or disk into the running domain; 0 or -1 (one line printed). */
static int attach_live(const char *cmd, const char *dom, struct xl_nic *nic,
                       struct xl_disk *disk)
{
    struct dom_ctx dc;
    struct dom_params p = { 0 };
    uint32_t domid;
    char prog[40], *name = NULL;
    int rc = -1;

    snprintf(prog, sizeof(prog), "xl %s", cmd);
    if (dom_ctx_open(&dc, prog))
        return -1;
    if (dom_lookup(&dc, dom, &domid) || !(name = dom_name(&dc, domid)))
        goto out;
    p.name = name;
    if (nic) {
        if (nic->devid < 0)
            nic->devid = next_devid(&dc, domid, "vif");
        if (!nic->mac && (!(nic->mac = malloc(18)) || xl_vif_generate_mac(nic->mac))) {
            fprintf(stderr, "%s: cannot generate a MAC address\n", prog);
            goto out;
        }
        p.nics = nic;
        p.num_nics = 1;
    } else {
        char path[96], *have;

        snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u/%ld/params", domid,
                 xl_vdev_to_number(disk->vdev));
        if ((have = xs_read(dc.xs, XS_TX_NONE, path, NULL))) {
            fprintf(stderr, "%s: disk %s of '%s': domain %u already has %s (%s)\n", prog,
                    disk->vdev, name, domid, disk->vdev, have);
            free(have);
            goto out;
        }
        p.disks = disk;
        p.num_disks = 1;
    }
    if (dom_dev_preflight(&dc, &p))
        goto out;
    rc = nic ? dom_dev_vif_add(&dc, domid, name, nic) : dom_dev_vbd_add(&dc, domid, name, disk);
out:
    free(name);
    dom_ctx_close(&dc);
    return rc;
}

static int attach(int argc, char **argv, const char *cmd, int is_vif)
{
    struct xl_nic nic;
    struct xl_disk disk;
    char *spec = NULL, *json = NULL;
    int rc = 1, c;

    xl_section_init(&xl_nic_section, &nic);
    xl_section_init(&xl_disk_section, &disk);
    while ((c = xl_getopt(argc, argv, "", cmd)) != -1)
        if (c == 0 || c == 2) {
            rc = c == 0 ? 0 : 1;
            goto out;
        }
    if (argc - optind < (is_vif ? 1 : 2)) {
        rc = xl_usage_error(cmd, "too few arguments");
        goto out;
    }
    if (!(spec = join_spec(argc - optind - 1, argv + optind + 1)))
        goto out;
    if (is_vif ? xl_vif_parse(&nic, spec, NULL, stderr) : xl_disk_parse(&disk, spec, NULL, stderr))
        goto out;
    if (!xl_globals.dryrun) {
        rc = attach_live(cmd, argv[optind], is_vif ? &nic : NULL, is_vif ? NULL : &disk) ? 1 : 0;
        goto out;
    }
    if (!(json = is_vif ? xl_json_nic(&nic) : xl_json_disk(&disk)))
        goto out;
    printf("%s: %s", is_vif ? "vif" : "disk", json);
    rc = 0;
out:
    free(json);
    free(spec);
    xl_section_free(&xl_nic_section, &nic);
    xl_section_free(&xl_disk_section, &disk);
    return rc;
}

int main_network_attach(int argc, char **argv)
{
    return attach(argc, argv, "network-attach", 1);
}

int main_block_attach(int argc, char **argv)
{
    return attach(argc, argv, "block-attach", 0);
}

/* The devid of the vif whose backend has mac (case-insensitive), or -1. */
static long vif_by_mac(struct dom_ctx *dc, uint32_t domid, const char *mac)
{
    char path[96], **devs;
    unsigned n = 0;
    long found = -1;

    snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", domid);
    devs = xs_directory(dc->xs, XS_TX_NONE, path, &n);
    for (unsigned i = 0; devs && i < n && found < 0; i++) {
        char p[160], *have;

        snprintf(p, sizeof(p), "/local/domain/0/backend/vif/%u/%s/mac", domid, devs[i]);
        have = xs_read(dc->xs, XS_TX_NONE, p, NULL);
        if (have && !strcasecmp(have, mac))
            found = atol(devs[i]);
        free(have);
    }
    free(devs);
    return found;
}

/* network-detach <Domain> <devid|mac>, block-detach <Domain> <devid|vdev>. */
static int detach(int argc, char **argv, const char *opts, const char *cmd, enum dom_dev_kind kind)
{
    struct dom_ctx dc;
    uint32_t domid;
    char prog[40], path[96], *what, *be = NULL;
    long devid;
    int rc = xl_operands(argc, argv, opts, 2, 2, cmd);

    if (rc >= 0)
        return rc;
    snprintf(prog, sizeof(prog), "xl %s", cmd);
    what = argv[optind + 1];
    if (dom_ctx_open(&dc, prog))
        return 1;
    rc = 1;
    if (dom_lookup(&dc, argv[optind], &domid))
        goto out;
    if (kind == DOM_DEV_VIF)
        devid = strchr(what, ':') ? vif_by_mac(&dc, domid, what) : strtol(what, NULL, 10);
    else
        devid = what[0] >= '0' && what[0] <= '9' ? strtol(what, NULL, 10)
                                                 : xl_vdev_to_number(what);
    snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u/%ld/frontend",
             kind == DOM_DEV_VIF ? "vif" : "vbd", domid, devid);
    if (devid < 0 || !(be = xs_read(dc.xs, XS_TX_NONE, path, NULL))) {
        fprintf(stderr, "%s: domain %u has no %s %s (see xl %s-list)\n", prog, domid,
                kind == DOM_DEV_VIF ? "vif" : "disk", what,
                kind == DOM_DEV_VIF ? "network" : "block");
        goto out;
    }
    rc = dom_dev_remove(&dc, domid, kind, (unsigned)devid, true) ? 1 : 0;
out:
    free(be);
    dom_ctx_close(&dc);
    return rc;
}

int main_network_detach(int argc, char **argv)
{
    return detach(argc, argv, "", "network-detach", DOM_DEV_VIF);
}

int main_block_detach(int argc, char **argv)
{
    return detach(argc, argv, "f", "block-detach", DOM_DEV_VBD);
}

/* A number from base/key, -1 when absent (as libxl's getinfo leaves it). */
static int node_int(struct dom_ctx *dc, const char *base, const char *key)
{
    char p[192], *v;
    int r;

    snprintf(p, sizeof(p), "%s/%s", base, key);
    v = xs_read(dc->xs, XS_TX_NONE, p, NULL);
    r = v && *v ? atoi(v) : -1;
    free(v);
    return r;
}

static char *node_str(struct dom_ctx *dc, const char *base, const char *key)
{
    char p[192], *v;

    snprintf(p, sizeof(p), "%s/%s", base, key);
    v = xs_read(dc->xs, XS_TX_NONE, p, NULL);
    return v ? v : strdup("");
}

/* One row per device of one domain, devids in numeric order. */
static void list_domain(struct dom_ctx *dc, uint32_t domid, enum dom_dev_kind kind)
{
    const char *k = kind == DOM_DEV_VIF ? "vif" : "vbd";
    char path[96], **devs;
    unsigned n = 0;
    long *ids;

    snprintf(path, sizeof(path), "/local/domain/%u/device/%s", domid, k);
    devs = xs_directory(dc->xs, XS_TX_NONE, path, &n);
    ids = devs && n ? calloc(n, sizeof(*ids)) : NULL;
    for (unsigned i = 0; ids && i < n; i++)
        ids[i] = atol(devs[i]);
    for (unsigned i = 0; ids && i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (ids[j] < ids[i]) {
                long t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
    for (unsigned i = 0; ids && i < n; i++) {
        char fe[96], *be, *mac;

        snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%ld", domid, k, ids[i]);
        be = node_str(dc, fe, "backend");
        if (kind == DOM_DEV_VIF) {
            mac = node_str(dc, fe, "mac");
            printf("%-3ld %-2d %-17s%6ld %5d %6d %5d/%-11d %-30s\n", ids[i],
                   node_int(dc, fe, "backend-id"), mac, ids[i], node_int(dc, fe, "state"),
                   node_int(dc, fe, "event-channel"), node_int(dc, fe, "tx-ring-ref"),
                   node_int(dc, fe, "rx-ring-ref"), be);
            free(mac);
        } else
            printf("%-5ld %-3d %-6u %-5d %-6d %-8d %-30s\n", ids[i],
                   node_int(dc, fe, "backend-id"), domid, node_int(dc, fe, "state"),
                   node_int(dc, fe, "event-channel"), node_int(dc, fe, "ring-ref"), be);
        free(be);
    }
    free(ids);
    free(devs);
}

static int list(int argc, char **argv, const char *cmd, enum dom_dev_kind kind)
{
    struct dom_ctx dc;
    char prog[40];
    int rc = xl_operands(argc, argv, "", 1, -1, cmd);

    if (rc >= 0)
        return rc;
    snprintf(prog, sizeof(prog), "xl %s", cmd);
    if (dom_ctx_open(&dc, prog))
        return 1;
    if (kind == DOM_DEV_VIF)
        printf("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s\n", "Idx", "BE", "Mac Addr.",
               "handle", "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path");
    else
        printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE", "handle", "state",
               "evt-ch", "ring-ref", "BE-path");
    rc = 0;
    for (int i = optind; i < argc; i++) {
        uint32_t domid;

        if (dom_lookup(&dc, argv[i], &domid)) {
            rc = 1;
            continue;
        }
        list_domain(&dc, domid, kind);
    }
    dom_ctx_close(&dc);
    return rc;
}

int main_network_list(int argc, char **argv)
{
    return list(argc, argv, "network-list", DOM_DEV_VIF);
}

int main_block_list(int argc, char **argv)
{
    return list(argc, argv, "block-list", DOM_DEV_VBD);
}
