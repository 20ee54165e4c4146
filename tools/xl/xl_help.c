/*
 * `xl help [command]` from the command table, and `xl config-convert`:
 * the same configuration as xl.cfg, libvirt XML or libxl JSON. The
 * conversion is Xenolith's own command (Xen's xl has none; libvirt's
 * `virsh domxml-from-native xen-xl` / `domxml-to-native` do it there).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"
#include "xl_cfg_write.h"
#include "xl_json.h"
#include "xl_xml.h"

int main_help(int argc, char **argv)
{
    const struct xl_cmd *cmd;
    int amb;

    if (argc < 2) {
        xl_cmd_help(stdout, NULL);
        return 0;
    }
    if (!strcmp(argv[1], "--long") || !strcmp(argv[1], "-l")) {
        for (size_t i = 0; i < xl_cmd_count; i++) {
            xl_cmd_help(stdout, &xl_cmd_table[i]);
            putchar('\n');
        }
        return 0;
    }
    if (!(cmd = xl_cmd_lookup(argv[1], &amb))) {
        fprintf(stderr, "xl: help: %s command '%s'\n", amb ? "ambiguous" : "unknown", argv[1]);
        return 1;
    }
    xl_cmd_help(stdout, cmd);
    return 0;
}

int main_config_convert(int argc, char **argv)
{
    static const struct option longopts[] = {{"to-xl", no_argument, NULL, 'l'},
                                              {"to-xml", no_argument, NULL, 'x'},
                                              {"to-json", no_argument, NULL, 'j'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    struct xl_domain_config c;
    char *out = NULL;
    int to = 0, opt, rc = 1;

    xl_config_init(&c);
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            int amb;

            xl_cmd_help(stdout, xl_cmd_lookup("config-convert", &amb));
            rc = 0;
            goto out;
        }
        if (opt == '?' || (to && to != opt)) {
            rc = xl_usage_error("config-convert", opt == '?' ? "invalid option"
                                                             : "give one of --to-xl, --to-xml, --to-json");
            goto out;
        }
        to = opt;
    }
    if (!to || argc - optind != 1) {
        rc = xl_usage_error("config-convert", !to ? "give one of --to-xl, --to-xml, --to-json"
                                                   : "one configuration file expected");
        goto out;
    }
    if (xl_load_config(&c, argv[optind], NULL, 0, stderr) < 0)
        goto out;
    out = to == 'l' ? xl_cfg_format(&c) : to == 'x' ? xl_xml_domain(&c) : xl_json_domain(&c, -1);
    if (!out)
        goto out;
    fputs(out, stdout);
    rc = 0;
out:
    free(out);
    xl_config_dispose(&c);
    return rc;
}
