/*
 * xl's command line (xl(1)): `xl [-v] [-N] [-f] <subcommand> [args]`,
 * global options first, then a command of the table by its name or an
 * unambiguous prefix.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"
#include "xl_cfg.h"

struct xl_globals xl_globals;

int xl_not_implemented(const char *cmd)
{
    fprintf(stderr, "xl: %s: not implemented yet\n", cmd);
    return 1;
}

int xl_usage_error(const char *cmd, const char *why)
{
    int amb;
    const struct xl_cmd *c = xl_cmd_lookup(cmd, &amb);

    if (why)
        fprintf(stderr, "xl: %s: %s\n", cmd, why);
    if (c)
        fprintf(stderr, "Usage: xl %s %s\n", c->name, c->usage);
    return 1;
}

int xl_getopt(int argc, char **argv, const char *opts, const char *cmd)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"long", no_argument, NULL, 'l'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"all", no_argument, NULL, 'a'},
                                             {"wait", no_argument, NULL, 'w'},
                                             {"dryrun", no_argument, NULL, 'n'},
                                             {"short", no_argument, NULL, 's'},
                                             {"numa", no_argument, NULL, 'n'},
                                             {"xenstore", no_argument, NULL, 'x'},
                                             {"force", no_argument, NULL, 'f'},
                                             {NULL, 0, NULL, 0}};
    char spec[64];
    int c;

    /* "+": options before the first operand only, as xl's commands */
    snprintf(spec, sizeof(spec), "+h%s", opts);
    opterr = 0;
    c = getopt_long(argc, argv, spec, longopts, NULL);
    if (c == 'h') {
        int amb;

        xl_cmd_help(stdout, xl_cmd_lookup(cmd, &amb));
        return 0;
    }
    /* a long option maps to a letter this command may not take */
    if (c > 0 && c != '?' && c != ':' && !strchr(opts, c)) {
        optopt = 0;
        c = '?';
    }
    if (c == '?' || c == ':') {
        char bad[32];

        if (optopt)
            snprintf(bad, sizeof(bad), "invalid option '-%c'", optopt);
        else
            snprintf(bad, sizeof(bad), "invalid option '%s'", argv[optind - 1]);
        xl_usage_error(cmd, bad);
        return 2;
    }
    return c;
}

int xl_dispatch(int argc, char **argv)
{
    const struct xl_cmd *cmd;
    int i = 0, amb;

    memset(&xl_globals, 0, sizeof(xl_globals));
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *o = argv[i] + 1; *o; o++) {
            switch (*o) {
            case 'v':
                xl_globals.verbose++;
                break;
            case 'N':
                xl_globals.dryrun = 1;
                break;
            case 'f':
                xl_globals.force = 1;
                break;
            case 't':
            case 'T':
                /* progress and timestamps in log lines: accepted, nothing to show yet */
                break;
            case 'h':
                xl_cmd_help(stdout, NULL);
                return 0;
            default:
                fprintf(stderr, "xl: invalid global option '-%c'\n", *o);
                xl_cmd_help(stderr, NULL);
                return 1;
            }
        }
    }
    if (i == argc) {
        xl_cmd_help(stderr, NULL);
        return 1;
    }
    if ((cmd = xl_internal_lookup(argv[i])))
        return cmd->fn(argc - i, argv + i);
    cmd = xl_cmd_lookup(argv[i], &amb);
    if (!cmd) {
        if (amb) {
            size_t len = strlen(argv[i]);

            fprintf(stderr, "xl: '%s' is ambiguous:", argv[i]);
            for (size_t k = 0; k < xl_cmd_count; k++)
                if (!strncmp(xl_cmd_table[k].name, argv[i], len))
                    fprintf(stderr, " %s", xl_cmd_table[k].name);
            fputc('\n', stderr);
        } else {
            const char *names[64];
            const char *near;
            size_t n = 0;

            for (; n < xl_cmd_count && n < 63; n++)
                names[n] = xl_cmd_table[n].name;
            names[n] = NULL;
            near = xl_closest(argv[i], names);
            if (near)
                fprintf(stderr, "xl: unknown command '%s' (did you mean '%s'?)\n", argv[i], near);
            else
                fprintf(stderr, "xl: unknown command '%s'; `xl help` lists them\n", argv[i]);
        }
        return 1;
    }
    if (xl_globals.dryrun && !(cmd->flags & XL_CMD_DRYRUN)) {
        fprintf(stderr, "xl: %s does not support the dry run (-N)\n", cmd->name);
        return 1;
    }
    /* every command starts its option parsing afresh (tests run many) */
    optind = 0;
    argv[i] = (char *)cmd->name;
    return cmd->fn(argc - i, argv + i);
}

int xl_operands(int argc, char **argv, const char *opts, int min, int max, const char *cmd)
{
    int c, n;

    while ((c = xl_getopt(argc, argv, opts, cmd)) != -1)
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
    n = argc - optind;
    if (n < min || (max >= 0 && n > max))
        return xl_usage_error(cmd, n < min ? "too few arguments" : "too many arguments");
    return -1;
}
