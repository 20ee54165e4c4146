/*
 * Device hot-plug commands (xl(1)): network-attach/-detach/-list and
 * block-attach/-detach/-list. The specs are those of vif= and disk=; with
 * -N the attach commands print the parsed device, as upstream's
 * check-xl-vif-parse and check-xl-disk-parse expect.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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
        rc = xl_not_implemented(cmd);
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

static int check(int argc, char **argv, const char *opts, int min, int max, const char *cmd)
{
    int c, n;

    while ((c = xl_getopt(argc, argv, opts, cmd)) != -1)
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
    n = argc - optind;
    if (n < min || (max >= 0 && n > max))
        return xl_usage_error(cmd, n < min ? "too few arguments" : "too many arguments");
    return xl_not_implemented(cmd);
}

int main_network_detach(int argc, char **argv)
{
    return check(argc, argv, "", 2, 2, "network-detach");
}

int main_network_list(int argc, char **argv)
{
    return check(argc, argv, "", 1, -1, "network-list");
}

int main_block_detach(int argc, char **argv)
{
    return check(argc, argv, "f", 2, 2, "block-detach");
}

int main_block_list(int argc, char **argv)
{
    return check(argc, argv, "", 1, -1, "block-list");
}
