/*
 * mem-set and mem-max (xl(1)): a domain and a size in KiB unless a unit
 * follows (xl_parse_memkb). The size is checked before anything talks to
 * Xen, so a typo never reaches the balloon. mem-set writes the balloon
 * target (memory/target, which the guest's balloon driver follows);
 * mem-max sets the hypervisor's limit (XEN_DOMCTL_max_mem) and
 * memory/static-max.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dom.h"
#include "xl.h"
#include "xl_cfg.h"

/* As libxl: the hypervisor limit has 1 MiB over the guest's memory. */
#define MAXMEM_SLACK_KIB 1024

static int mem_command(int argc, char **argv, const char *cmd, bool max)
{
    struct dom_ctx dc;
    uint32_t domid;
    long long kib;
    char path[80], val[32], prog[32];
    int c, rc = 1;

    while ((c = xl_getopt(argc, argv, "", cmd)) != -1)
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
    if (argc - optind != 2)
        return xl_usage_error(cmd, "a domain and a memory size expected");
    kib = xl_parse_memkb(argv[optind + 1]);
    if (kib < 0) {
        fprintf(stderr, "xl: %s: invalid memory size '%s' (e.g. 512m, 1g, 262144)\n", cmd,
                argv[optind + 1]);
        return 1;
    }
    snprintf(prog, sizeof(prog), "xl %s", cmd);
    if (dom_ctx_open(&dc, prog))
        return 1;
    if (dom_lookup(&dc, argv[optind], &domid))
        goto out;
    if (max && xc_domain_max_mem(dc.xc, domid, (uint64_t)kib + MAXMEM_SLACK_KIB)) {
        fprintf(stderr, "%s: domain %u: %s\n", prog, domid, xc_last_error(dc.xc));
        goto out;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", domid,
             max ? "static-max" : "target");
    snprintf(val, sizeof(val), "%lld", kib);
    rc = xs_write(dc.xs, XS_TX_NONE, path, val, strlen(val));
    if (rc)
        fprintf(stderr, "%s: writing %s failed: %s\n", prog, path, strerror(-rc));
    rc = rc ? 1 : 0;
out:
    dom_ctx_close(&dc);
    return rc;
}

int main_mem_set(int argc, char **argv)
{
    return mem_command(argc, argv, "mem-set", false);
}

int main_mem_max(int argc, char **argv)
{
    return mem_command(argc, argv, "mem-max", true);
}
