/*
 * Domain lifecycle commands (xl(1)): create, destroy, shutdown, reboot,
 * pause, unpause, rename. The configuration half works without a
 * hypervisor (`xl -N create`); what needs Xen says so and fails.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"
#include "xl_json.h"

struct create_opts {
    const char *file;
    int paused, console, foreground, no_waiter, quiet, dryrun;
    char **overrides;
    int noverrides;
};

static int create_args(int argc, char **argv, struct create_opts *o)
{
    int c;

    while ((c = xl_getopt(argc, argv, "cpFeqdnf:", "create")) != -1) {
        switch (c) {
        case 'c': o->console = 1; break;
        case 'p': o->paused = 1; break;
        case 'F': o->foreground = 1; break;
        case 'e': o->no_waiter = 1; break;
        case 'q': o->quiet = 1; break;
        case 'd': break; /* debug output of the parsed config: -N shows it */
        case 'n': o->dryrun = 1; break;
        case 'f': o->file = optarg; break;
        case 0: return 0;   /* -h printed the help */
        default: return -1; /* usage printed */
        }
    }
    /* xl create [cfg] [key=value...]: the first operand without '=' is the file */
    if (!o->file && optind < argc && !strchr(argv[optind], '='))
        o->file = argv[optind++];
    o->overrides = argv + optind;
    o->noverrides = argc - optind;
    for (int i = 0; i < o->noverrides; i++)
        if (!strchr(o->overrides[i], '=')) {
            fprintf(stderr, "xl: create: '%s' is not a key=value setting\n", o->overrides[i]);
            return -1;
        }
    if (!o->file) {
        xl_usage_error("create", "no configuration file given");
        return -1;
    }
    return 1;
}

int main_create(int argc, char **argv)
{
    struct create_opts o = {0};
    struct xl_domain_config c;
    char *json = NULL;
    int rc = 1, r;

    xl_config_init(&c);
    if ((r = create_args(argc, argv, &o)) <= 0) {
        rc = r == 0 ? 0 : 1;
        goto out;
    }
    if (!o.quiet)
        fprintf(stderr, "Parsing config from %s\n", o.file);
    if (xl_load_config(&c, o.file, o.overrides, o.noverrides, stderr) < 0)
        goto out;
    if (xl_globals.dryrun || o.dryrun) {
        if (!(json = xl_json_domain(&c, -1)))
            goto out;
        fputs(json, stdout);
        rc = 0;
        goto out;
    }
    rc = xl_not_implemented("create");
out:
    free(json);
    xl_config_dispose(&c);
    return rc;
}

/* The commands that take exactly `nargs` operands after their options. */
static int operands(int argc, char **argv, const char *opts, int nargs, const char *cmd)
{
    int c;

    while ((c = xl_getopt(argc, argv, opts, cmd)) != -1)
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
    if (argc - optind != nargs)
        return xl_usage_error(cmd, argc - optind < nargs ? "too few arguments"
                                                         : "too many arguments");
    return -1;
}

#define SIMPLE_COMMAND(fn, name, opts, nargs)                                                \
    int fn(int argc, char **argv)                                                            \
    {                                                                                        \
        int r = operands(argc, argv, opts, nargs, name);                                     \
        return r >= 0 ? r : xl_not_implemented(name);                                        \
    }

SIMPLE_COMMAND(main_destroy, "destroy", "f", 1)
SIMPLE_COMMAND(main_pause, "pause", "", 1)
SIMPLE_COMMAND(main_unpause, "unpause", "", 1)
SIMPLE_COMMAND(main_rename, "rename", "", 2)

/* shutdown/reboot: <Domain>, or -a and no domain. */
static int shutdown_like(int argc, char **argv, const char *cmd)
{
    int c, all = 0;

    while ((c = xl_getopt(argc, argv, "awF", cmd)) != -1) {
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
        if (c == 'a')
            all = 1;
    }
    if (all ? argc != optind : argc - optind != 1)
        return xl_usage_error(cmd, all ? "-a takes no domain" : "one domain expected");
    return xl_not_implemented(cmd);
}

int main_shutdown(int argc, char **argv)
{
    return shutdown_like(argc, argv, "shutdown");
}

int main_reboot(int argc, char **argv)
{
    return shutdown_like(argc, argv, "reboot");
}
