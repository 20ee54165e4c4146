/*
 * mem-set and mem-max (xl(1)): a domain and a size in KiB unless a unit
 * follows (xl_parse_memkb). The size is checked before anything talks to
 * Xen, so a typo never reaches the balloon.
 */
#include <getopt.h>

#include "xl.h"
#include "xl_cfg.h"

static int mem_command(int argc, char **argv, const char *cmd)
{
    int c;

    while ((c = xl_getopt(argc, argv, "", cmd)) != -1)
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
    if (argc - optind != 2)
        return xl_usage_error(cmd, "a domain and a memory size expected");
    if (xl_parse_memkb(argv[optind + 1]) < 0) {
        fprintf(stderr, "xl: %s: invalid memory size '%s' (e.g. 512m, 1g, 262144)\n", cmd,
                argv[optind + 1]);
        return 1;
    }
    return xl_not_implemented(cmd);
}

int main_mem_set(int argc, char **argv)
{
    return mem_command(argc, argv, "mem-set");
}

int main_mem_max(int argc, char **argv)
{
    return mem_command(argc, argv, "mem-max");
}
