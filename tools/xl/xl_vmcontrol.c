/*
 * Domain lifecycle commands (xl(1)): create, destroy, shutdown, reboot,
 * pause, unpause, rename. The configuration half works without a
 * hypervisor (`xl -N create`); the rest goes through dom.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "console_client.h"
#include "dom.h"
#include "xl.h"
#include "xl_dev.h"
#include "xl_json.h"
#include <xen/sched.h>

/* How long `xl create -c` and `xl console` wait for xenconsoled's pty. */
#define CONSOLE_WAIT_MS 10000

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

/* xl.cfg's actions as the monitor's (both follow libxl's enum order). */
static enum dom_action action(int a)
{
    return a >= XL_ACTION_DESTROY && a <= XL_ACTION_SOFT_RESET ? (enum dom_action)a : DOM_DESTROY;
}

/* What dom_create needs, from the parsed configuration; -1 with a message if it cannot run. */
static int params_from_config(struct xl_domain_config *c, const char *file,
                              struct dom_params *p)
{
    memset(p, 0, sizeof(*p));
    if (c->c_info.type != XL_DOMTYPE_PV && c->c_info.type != XL_DOMTYPE_INVALID) {
        fprintf(stderr, "%s: type \"%s\": Xenolith runs PV guests only (type=\"pv\")\n", file,
                xl_enum_name(XT_DOMTYPE, c->c_info.type));
        return -1;
    }
    if (!c->b_info.kernel) {
        fprintf(stderr, "%s: no kernel= given (%s)\n", file,
                c->b_info.bootloader ? "bootloaders are not supported: give kernel= and ramdisk="
                                     : "a PV guest needs kernel=");
        return -1;
    }
    /* A vif without mac= gets one now, kept in the stored config so a restart keeps it. */
    for (size_t i = 0; i < c->num_nics; i++)
        if (!c->nics[i].mac &&
            (!(c->nics[i].mac = malloc(18)) || xl_vif_generate_mac(c->nics[i].mac))) {
            fprintf(stderr, "%s: vif %zu: cannot generate a MAC address\n", file, i);
            return -1;
        }
    p->nics = c->nics;
    p->num_nics = c->num_nics;
    p->disks = c->disks;
    p->num_disks = c->num_disks;
    if (uuid_parse(c->c_info.uuid, p->uuid)) {
        fprintf(stderr, "%s: uuid \"%s\" is not a UUID\n", file, c->c_info.uuid);
        return -1;
    }
    p->name = c->c_info.name;
    p->max_vcpus = (unsigned)c->b_info.max_vcpus;
    p->vcpus = (unsigned)c->b_info.avail_vcpus;
    p->max_kib = (uint64_t)c->b_info.max_memkb;
    p->target_kib = (uint64_t)c->b_info.target_memkb;
    p->kernel = c->b_info.kernel;
    p->ramdisk = c->b_info.ramdisk;
    p->cmdline = c->b_info.cmdline;
    p->on_shutdown[SHUTDOWN_poweroff] = action(c->act.on_poweroff);
    p->on_shutdown[SHUTDOWN_reboot] = action(c->act.on_reboot);
    p->on_shutdown[SHUTDOWN_suspend] = DOM_PRESERVE;
    p->on_shutdown[SHUTDOWN_crash] = action(c->act.on_crash);
    p->on_shutdown[SHUTDOWN_watchdog] = action(c->act.on_watchdog);
    return 0;
}

/*
 * The monitor is xl again, run as `xl-<name> __monitor <domid> <nice>`
 * (XL_MONITOR_CMD), logging to /var/log/xen/xl-<name>.log. It is started
 * with vfork and exec, not fork: a fork copies xl's page tables, which on
 * a PV Dom0 the hypervisor validates page by page (6-12 ms under QEMU),
 * on Dom0's vCPU just when xenconsoled should relay the guest's first
 * output. The new program starts at the lowest priority and acts at xl's
 * (dom_monitor); it reads the domain's stored configuration.
 */
static void spawn_monitor(const struct dom_params *p, uint32_t domid)
{
    char log[256], name[128], dom[16], nice[16];
    char *args[] = {name, XL_MONITOR_CMD, dom, nice, NULL};
    volatile int exec_errno = 0; /* the vfork child shares our memory until it execs */
    int fd, null, nice_was;
    pid_t pid;

    errno = 0;
    nice_was = getpriority(PRIO_PROCESS, 0);
    if (errno)
        nice_was = 0;
    snprintf(name, sizeof(name), "xl-%s", p->name);
    snprintf(dom, sizeof(dom), "%u", domid);
    snprintf(nice, sizeof(nice), "%d", nice_was);
    mkdir("/var/log/xen", 0755);
    snprintf(log, sizeof(log), "/var/log/xen/xl-%s.log", p->name);
    fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid = vfork();
    if (pid == 0) {
        setpriority(PRIO_PROCESS, 0, 19);
        setsid();
        dup2(null, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execv("/proc/self/exe", args);
        exec_errno = errno;
        _exit(127);
    }
    close(fd);
    close(null);
    if (pid < 0 || exec_errno)
        fprintf(stderr, "xl create: cannot start the monitor of domain %u: %s (on_* actions "
                        "will not run)\n", domid, strerror(pid < 0 ? errno : exec_errno));
}

/* XL_MONITOR_CMD <domid> <nice>: the monitor spawn_monitor starts. */
int xl_monitor_main(int argc, char **argv)
{
    struct xl_domain_config c;
    struct dom_params p;
    struct dom_ctx dc = {0};
    char *path = NULL, *end;
    unsigned long domid;
    uint32_t id;
    int rc = 1;

    setvbuf(stdout, NULL, _IOLBF, 0); /* each line of the log as it happens */
    xl_config_init(&c);
    if (argc != 3 || (domid = strtoul(argv[1], &end, 10), *end) || domid >= DOMID_FIRST_RESERVED) {
        fprintf(stderr, "xl %s: expected <domid> <nice>, the arguments xl create gives it\n",
                XL_MONITOR_CMD);
        goto out;
    }
    id = (uint32_t)domid;
    if (dom_ctx_open(&dc, "xl monitor") || !(path = dom_userdata_path(&dc, id)) ||
        xl_load_config(&c, path, NULL, 0, stderr) < 0 || params_from_config(&c, path, &p))
        goto out;
    p.config_json = xl_json_domain(&c, -1);
    dc.reniced = true;
    dc.act_nice = atoi(argv[2]);
    rc = dom_monitor(&dc, &p, &id) ? 1 : 0;
    free((char *)p.config_json);
out:
    free(path);
    dom_ctx_close(&dc);
    xl_config_dispose(&c);
    return rc;
}

int main_create(int argc, char **argv)
{
    struct create_opts o = {0};
    struct xl_domain_config c;
    struct dom_params p;
    struct dom_ctx dc = {0};
    uint32_t domid;
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
    /* The stored config is written after params_from_config: it keeps the generated MACs. */
    if (params_from_config(&c, o.file, &p) || dom_ctx_open(&dc, "xl create") ||
        !(json = xl_json_domain(&c, -1)))
        goto out;
    p.config_json = json;
    p.paused = o.paused;
    if (dom_create(&dc, &p, &domid))
        goto out;
    rc = 0;
    if (o.foreground) {
        rc = dom_monitor(&dc, &p, &domid) ? 1 : 0;
        goto out;
    }
    if (!o.no_waiter)
        spawn_monitor(&p, domid);
    if (o.console)
        rc = console_attach(dc.xc, dc.xs, domid, CONSOLE_ESCAPE, CONSOLE_WAIT_MS);
out:
    dom_ctx_close(&dc);
    free(json);
    xl_config_dispose(&c);
    return rc;
}

/* The context and the domain of the first operand, for the one-domain commands. */
static int open_domain(struct dom_ctx *dc, const char *prog, const char *what, uint32_t *domid)
{
    if (dom_ctx_open(dc, prog))
        return -1;
    if (dom_lookup(dc, what, domid)) {
        dom_ctx_close(dc);
        return -1;
    }
    return 0;
}

int main_destroy(int argc, char **argv)
{
    struct dom_ctx dc;
    uint32_t domid;
    int rc = xl_operands(argc, argv, "f", 1, 1, "destroy");

    if (rc >= 0 || open_domain(&dc, "xl destroy", argv[optind], &domid))
        return rc >= 0 ? rc : 1;
    rc = dom_destroy(&dc, domid) ? 1 : 0;
    dom_ctx_close(&dc);
    return rc;
}

static int pause_like(int argc, char **argv, const char *cmd, bool pause)
{
    struct dom_ctx dc;
    uint32_t domid;
    int rc = xl_operands(argc, argv, "", 1, 1, cmd);

    if (rc >= 0 || open_domain(&dc, pause ? "xl pause" : "xl unpause", argv[optind], &domid))
        return rc >= 0 ? rc : 1;
    rc = pause ? xc_domain_pause(dc.xc, domid) : xc_domain_unpause(dc.xc, domid);
    if (rc)
        fprintf(stderr, "xl %s: domain %u: %s\n", cmd, domid, xc_last_error(dc.xc));
    dom_ctx_close(&dc);
    return rc ? 1 : 0;
}

int main_pause(int argc, char **argv)
{
    return pause_like(argc, argv, "pause", true);
}

int main_unpause(int argc, char **argv)
{
    return pause_like(argc, argv, "unpause", false);
}

int main_rename(int argc, char **argv)
{
    struct dom_ctx dc;
    uint32_t domid;
    const char *why;
    int rc = xl_operands(argc, argv, "", 2, 2, "rename");

    if (rc >= 0)
        return rc;
    if (!xl_valid_name(argv[optind + 1], &why)) {
        fprintf(stderr, "xl rename: '%s': %s\n", argv[optind + 1], why);
        return 1;
    }
    if (open_domain(&dc, "xl rename", argv[optind], &domid))
        return 1;
    rc = dom_rename(&dc, domid, argv[optind + 1]) ? 1 : 0;
    dom_ctx_close(&dc);
    return rc;
}

/*
 * 1 when the domain has shut down (or, with death, died); 0 while it runs.
 * Dying counts as death, as for libxl: Xen keeps a dying domain while its
 * memory is released, and promises no further event when it vanishes.
 */
static int has_ended(struct dom_ctx *dc, uint32_t domid, bool death)
{
    struct xen_domctl_getdomaininfo info;

    if (xc_domain_info(dc->xc, domid, &info) || (info.flags & XEN_DOMINF_dying))
        return 1;
    return !death && (info.flags & XEN_DOMINF_shutdown);
}

/* Waits for every domain of ids[] to end (@releaseDomain fires on shutdown and death). */
static int wait_domains(struct dom_ctx *dc, const uint32_t *ids, int n, bool death)
{
    int left = n;

    if (xs_watch(dc->xs, "@releaseDomain", "xl-wait"))
        return -1;
    printf("Waiting for %d domains\n", n);
    while (left > 0) {
        unsigned num;
        char **ev = xs_read_watch(dc->xs, &num);

        if (!ev)
            return -1;
        free(ev);
        left = 0;
        for (int i = 0; i < n; i++)
            left += !has_ended(dc, ids[i], death);
    }
    for (int i = 0; i < n; i++)
        printf("Domain %u has been %s\n", ids[i], death ? "destroyed" : "shut down");
    return 0;
}

/* shutdown/reboot: <Domain>, or -a for every guest; -w waits (twice: until death). */
static int shutdown_like(int argc, char **argv, const char *cmd, const char *request)
{
    struct xen_domctl_getdomaininfo *info = NULL;
    uint32_t ids[1024];
    struct dom_ctx dc = {0};
    int c, all = 0, wait = 0, n = 0, rc = 1;
    char prog[32];

    while ((c = xl_getopt(argc, argv, "awF", cmd)) != -1) {
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
        all |= c == 'a';
        wait += c == 'w';
    }
    if (all ? argc != optind : argc - optind != 1)
        return xl_usage_error(cmd, all ? "-a takes no domain" : "one domain expected");
    snprintf(prog, sizeof(prog), "xl %s", cmd);
    if (dom_ctx_open(&dc, prog))
        return 1;
    if (all) {
        int got;

        info = calloc(1024, sizeof(*info));
        got = info ? xc_domain_list(dc.xc, 1, info, 1024) : -1;
        for (int i = 0; i < got; i++)
            if (!(info[i].flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)))
                ids[n++] = info[i].domain;
    } else if (dom_lookup(&dc, argv[optind], &ids[0]) == 0) {
        n = 1;
    } else
        goto out;
    for (int i = 0; i < n; i++)
        if (dom_request(&dc, ids[i], request))
            goto out;
    rc = 0;
    if (wait && n)
        rc = wait_domains(&dc, ids, n, wait > 1) ? 1 : 0;
out:
    free(info);
    dom_ctx_close(&dc);
    return rc;
}

int main_shutdown(int argc, char **argv)
{
    return shutdown_like(argc, argv, "shutdown", "poweroff");
}

int main_reboot(int argc, char **argv)
{
    return shutdown_like(argc, argv, "reboot", "reboot");
}
