/* console and sysrq (xl(1)): the guest's console and its control/sysrq node. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "console_client.h"
#include "dom.h"
#include "xl.h"

int main_console(int argc, char **argv)
{
    int c, escape = CONSOLE_ESCAPE, rc;
    struct dom_ctx dc;
    uint32_t domid;

    while ((c = xl_getopt(argc, argv, "t:n:e:", "console")) != -1) {
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
        if (c == 't' && strcmp(optarg, "pv") && strcmp(optarg, "serial")) {
            fprintf(stderr, "xl: console: invalid console type '%s' (pv or serial)\n", optarg);
            return 1;
        }
        if (c == 't' && !strcmp(optarg, "serial")) {
            fprintf(stderr, "xl: console: a PV guest has no serial console (-t pv)\n");
            return 1;
        }
        if (c == 'n' && strcmp(optarg, "0")) {
            fprintf(stderr, "xl: console: console %s: only the primary console 0 exists\n",
                    optarg);
            return 1;
        }
        if (c == 'e' && (escape = console_parse_escape(optarg)) < 0) {
            fprintf(stderr, "xl: console: -e %s: expected ^X or one character\n", optarg);
            return 1;
        }
    }
    if (argc - optind != 1)
        return xl_usage_error("console", "one domain expected");
    if (dom_ctx_open(&dc, "xl console"))
        return 1;
    rc = dom_lookup(&dc, argv[optind], &domid) ? 1
                                                : console_attach(dc.xc, dc.xs, domid, escape, 10000);
    dom_ctx_close(&dc);
    return rc;
}

/* Writes the letter to control/sysrq, which the guest's xenbus handler acts on. */
int main_sysrq(int argc, char **argv)
{
    struct dom_ctx dc;
    uint32_t domid;
    char path[64];
    int c, rc = 1;

    while ((c = xl_getopt(argc, argv, "", "sysrq")) != -1)
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
    if (argc - optind != 2)
        return xl_usage_error("sysrq", "a domain and a letter expected");
    if (strlen(argv[optind + 1]) != 1) {
        fprintf(stderr, "xl: sysrq: '%s' is not a single letter\n", argv[optind + 1]);
        return 1;
    }
    if (dom_ctx_open(&dc, "xl sysrq"))
        return 1;
    if (dom_lookup(&dc, argv[optind], &domid) == 0) {
        snprintf(path, sizeof(path), "/local/domain/%u/control/sysrq", domid);
        rc = xs_write(dc.xs, XS_TX_NONE, path, argv[optind + 1], 1);
        if (rc)
            fprintf(stderr, "xl sysrq: writing %s failed: %s\n", path, strerror(-rc));
        rc = rc ? 1 : 0;
    }
    dom_ctx_close(&dc);
    return rc;
}
