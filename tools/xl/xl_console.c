/* console and sysrq (xl(1)): the guest's console and its control/sysrq node. */
#include <getopt.h>
#include <string.h>

#include "xl.h"

int main_console(int argc, char **argv)
{
    int c;

    while ((c = xl_getopt(argc, argv, "t:n:e:", "console")) != -1) {
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
        if (c == 't' && strcmp(optarg, "pv") && strcmp(optarg, "serial")) {
            fprintf(stderr, "xl: console: invalid console type '%s' (pv or serial)\n", optarg);
            return 1;
        }
    }
    if (argc - optind != 1)
        return xl_usage_error("console", "one domain expected");
    return xl_not_implemented("console");
}

int main_sysrq(int argc, char **argv)
{
    int c;

    while ((c = xl_getopt(argc, argv, "", "sysrq")) != -1)
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
    if (argc - optind != 2)
        return xl_usage_error("sysrq", "a domain and a letter expected");
    if (strlen(argv[optind + 1]) != 1) {
        fprintf(stderr, "xl: sysrq: '%s' is not a single letter\n", argv[optind + 1]);
        return 1;
    }
    return xl_not_implemented("sysrq");
}
