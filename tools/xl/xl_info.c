/*
 * Commands that report on the host and its domains (xl(1)): list, vm-list,
 * info, dmesg, domid, domname, uptime, vcpu-list. They need the
 * hypervisor; their output formats are in xl-inventory A1(a).
 */
#include <getopt.h>

#include "xl.h"

/* Options, then between min and max operands (max -1: any number). */
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

int main_list(int argc, char **argv)
{
    return check(argc, argv, "lvZcn", 0, -1, "list");
}

int main_vm_list(int argc, char **argv)
{
    return check(argc, argv, "", 0, 0, "vm-list");
}

int main_info(int argc, char **argv)
{
    return check(argc, argv, "nx", 0, 1, "info");
}

int main_dmesg(int argc, char **argv)
{
    return check(argc, argv, "c", 0, 0, "dmesg");
}

int main_domid(int argc, char **argv)
{
    return check(argc, argv, "", 1, 1, "domid");
}

int main_domname(int argc, char **argv)
{
    return check(argc, argv, "", 1, 1, "domname");
}

int main_uptime(int argc, char **argv)
{
    return check(argc, argv, "s", 0, -1, "uptime");
}

int main_vcpu_list(int argc, char **argv)
{
    return check(argc, argv, "", 0, -1, "vcpu-list");
}
