/*
 * Plugging and unplugging a guest's vifs and vbds, libxl's way for PV
 * (xl-inventory A1(c), A1(d)): both directories in one transaction, the
 * backend driver to InitWait, the hotplug script run by the toolstack
 * (run_hotplug_scripts=1), hotplug-status "connected" or "error". Removal
 * asks the backend to close (XenbusStateClosing), runs the script with
 * offline/remove and removes both directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dom_dev.h"
#include "xl_dev.h"
#include <xen/io/xenbus.h>

#define SYS_CLASS_NET "/sys/class/net"

static const char *const kind_names[] = { [DOM_DEV_VIF] = "vif", [DOM_DEV_VBD] = "vbd" };

/* "vif 0 of 'web'" / "disk xvda of 'web'": how every message names a device. */
struct devname {
    char text[128];
};

static struct devname vif_name(long devid, const char *dname)
{
    struct devname n;

    snprintf(n.text, sizeof(n.text), "vif %ld of '%s'", devid, dname);
    return n;
}

static struct devname vbd_name(const char *vdev, const char *dname)
{
    struct devname n;

    snprintf(n.text, sizeof(n.text), "disk %s of '%s'", vdev, dname);
    return n;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *read_node(struct dom_ctx *c, const char *base, const char *key)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/%s", base, key);
    return xs_read(c->xs, XS_TX_NONE, path, NULL);
}

static int read_int(struct dom_ctx *c, const char *base, const char *key, int dflt)
{
    char *v = read_node(c, base, key);
    int r = v && *v ? atoi(v) : dflt;

    free(v);
    return r;
}

/*
 * Waits until base/state satisfies want (>= min and <= max) or the node is
 * gone (when gone_ok); the last state seen, or -1 on timeout. Polling: a
 * backend answers within milliseconds and a 20 ms step keeps this simple.
 */
static int wait_state(struct dom_ctx *c, const char *base, int min, int max, bool gone_ok,
                      int timeout_ms)
{
    long long end = now_ms() + timeout_ms;
    int s;

    for (;;) {
        s = read_int(c, base, "state", -2);
        if ((s >= min && s <= max) || (gone_ok && s == -2))
            return s;
        if (now_ms() >= end)
            return -1;
        usleep(20000);
    }
}

/* Writes a plan in one transaction, again while xenstored reports a conflict. */
static int write_plan(struct dom_ctx *c, const struct dom_dev_plan *pl, const char **why)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        xs_tx_t tx;
        int rc = xs_tx_start(c->xs, &tx), err = 0;

        if (rc) {
            *why = strerror(-rc);
            return -1;
        }
        for (size_t i = 0; i < pl->count && !err; i++) {
            const struct dom_dev_node *n = &pl->n[i];

            if (n->dir) {
                struct xs_perm p[2] = { { n->owner, XS_PERM_NONE }, { n->reader, XS_PERM_READ } };

                err = xs_mkdir(c->xs, tx, n->path);
                if (!err)
                    err = xs_set_perms(c->xs, tx, n->path, p, n->owner == n->reader ? 1 : 2);
            } else
                err = xs_write(c->xs, tx, n->path, n->value, strlen(n->value));
        }
        rc = xs_tx_end(c->xs, tx, err != 0);
        if (err) {
            *why = strerror(-err);
            return -1;
        }
        if (rc == -EAGAIN)
            continue;
        if (rc) {
            *why = strerror(-rc);
            return -1;
        }
        return 0;
    }
    *why = "the transaction kept conflicting";
    return -1;
}

/*
 * Runs script with action, XENBUS_PATH relative to Dom0's home as the
 * scripts expect (xl-inventory A1(d) step 3), output appended to the
 * hotplug log so that the user sees one line from us, not the script's.
 * The exit status, or -1 when it could not run or overran its time.
 */
static int run_script(const char *script, const char *action, const char *xenbus_path,
                      const char *kind, const char *vif)
{
    long long end = now_ms() + DOM_DEV_SCRIPT_MS;
    int status, lock, rc = -1;
    pid_t pid;

    mkdir("/var/log/xen", 0755);
    /*
     * One script at a time across xl processes: block's free-loop-device
     * pick and its sharing check are not atomic. The kernel drops the lock
     * if we die; without the lock file, scripts run unserialised.
     */
    lock = open(DOM_DEV_SCRIPT_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock >= 0)
        flock(lock, LOCK_EX);
    pid = fork();
    if (pid < 0)
        goto out;
    if (pid == 0) {
        int fd = open(DOM_DEV_HOTPLUG_LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);

        if (fd < 0)
            fd = open("/dev/null", O_WRONLY);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(STDIN_FILENO);
        open("/dev/null", O_RDONLY);
        setenv("XENBUS_PATH", xenbus_path, 1);
        setenv("XENBUS_TYPE", kind, 1);
        setenv("XENBUS_BASE_PATH", "backend", 1);
        setenv("script", script, 1);
        if (vif)
            setenv("vif", vif, 1);
        execl(script, script, action, (char *)NULL);
        dprintf(fd, "xl: cannot run %s: %s\n", script, strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now_ms() >= end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            goto out;
        }
        usleep(10000);
    }
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
out:
    if (lock >= 0)
        close(lock);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/*
 * The online/add half after the nodes exist: backend to InitWait, the
 * script, hotplug-status. why gets the cause for the caller's one line.
 */
static int plug(struct dom_ctx *c, uint32_t domid, enum dom_dev_kind kind, long devid,
                char *why, size_t len)
{
    char be[96], xbp[80], vif[32], *script = NULL, *status = NULL, *err = NULL;
    int s, rc = -1, ex;

    snprintf(xbp, sizeof(xbp), "backend/%s/%u/%ld", kind_names[kind], domid, devid);
    snprintf(be, sizeof(be), "/local/domain/0/%s", xbp);
    snprintf(vif, sizeof(vif), "vif%u.%ld", domid, devid);
    /* xenbus.h: the backend driver's probe ends in InitWait (netback has made vif<d>.<n>). */
    s = wait_state(c, be, XenbusStateInitWait, XenbusStateConnected, false, DOM_DEV_BACKEND_MS);
    if (s < 0) {
        snprintf(why, len, "the backend %s stayed in state %d, not InitWait (2), for %d s (is %s "
                 "loaded in Dom0?)", be, read_int(c, be, "state", -1), DOM_DEV_BACKEND_MS / 1000,
                 kind == DOM_DEV_VIF ? "xen-netback" : "xen-blkback");
        goto out;
    }
    script = read_node(c, be, "script");
    if (!script || !*script) {
        snprintf(why, len, "no script in %s", be);
        goto out;
    }
    if (access(script, X_OK)) {
        snprintf(why, len, "hotplug script %s: %s", script, strerror(errno));
        goto out;
    }
    ex = run_script(script, kind == DOM_DEV_VIF ? "online" : "add", xbp, kind_names[kind],
                    kind == DOM_DEV_VIF ? vif : NULL);
    status = read_node(c, be, "hotplug-status");
    err = read_node(c, be, "hotplug-error");
    if (status && !strcmp(status, "connected") && ex == 0)
        rc = 0;
    else if (err && *err)
        snprintf(why, len, "%s (hotplug script %s)", err, base_name(script));
    else if (ex < 0)
        snprintf(why, len, "hotplug script %s did not finish within %d s", base_name(script),
                 DOM_DEV_SCRIPT_MS / 1000);
    else
        snprintf(why, len, "hotplug script %s exited with status %d and hotplug-status '%s', "
                 "expected 'connected' (see " DOM_DEV_HOTPLUG_LOG ")", base_name(script), ex,
                 status ? status : "");
out:
    free(script);
    free(status);
    free(err);
    return rc;
}

/* The common half of an add: write the plan, plug; on failure remove what was written. */
static int add(struct dom_ctx *c, uint32_t domid, enum dom_dev_kind kind, long devid,
               const struct dom_dev_plan *pl, const struct devname *name)
{
    char why[512];
    const char *werr;

    if (write_plan(c, pl, &werr)) {
        fprintf(stderr, "%s: %s: writing its xenstore nodes failed: %s\n", c->prog, name->text,
                werr);
        dom_dev_remove(c, domid, kind, (unsigned)devid, false);
        return -1;
    }
    if (plug(c, domid, kind, devid, why, sizeof(why))) {
        fprintf(stderr, "%s: %s: %s\n", c->prog, name->text, why);
        dom_dev_remove(c, domid, kind, (unsigned)devid, false);
        return -1;
    }
    return 0;
}

int dom_dev_vif_add(struct dom_ctx *c, uint32_t domid, const char *dname,
                    const struct xl_nic *nic)
{
    struct dom_dev_plan pl = { 0 };
    struct devname name = vif_name(nic->devid, dname);
    const char *why;
    int rc = -1;

    if (dom_dev_vif_plan(&pl, 0, domid, nic, &why))
        fprintf(stderr, "%s: %s: %s\n", c->prog, name.text, why);
    else
        rc = add(c, domid, DOM_DEV_VIF, nic->devid, &pl, &name);
    dom_dev_plan_free(&pl);
    return rc;
}

int dom_dev_vbd_add(struct dom_ctx *c, uint32_t domid, const char *dname,
                    const struct xl_disk *disk)
{
    struct dom_dev_plan pl = { 0 };
    struct devname name = vbd_name(disk->vdev ? disk->vdev : "?", dname);
    const char *why;
    int rc = -1;

    if (dom_dev_vbd_plan(&pl, 0, domid, disk, dom_dev_vbd_type(disk->pdev_path), &why))
        fprintf(stderr, "%s: %s: %s\n", c->prog, name.text, why);
    else
        rc = add(c, domid, DOM_DEV_VBD, xl_vdev_to_number(disk->vdev), &pl, &name);
    dom_dev_plan_free(&pl);
    return rc;
}

int dom_dev_add_all(struct dom_ctx *c, uint32_t domid, const struct dom_params *p)
{
    for (size_t i = 0; i < p->num_disks; i++)
        if (dom_dev_vbd_add(c, domid, p->name, &p->disks[i]))
            return -1;
    for (size_t i = 0; i < p->num_nics; i++)
        if (dom_dev_vif_add(c, domid, p->name, &p->nics[i]))
            return -1;
    return 0;
}

/* The targets every vbd backend of every domain holds (params and mode); free with free_uses. */
static struct dom_dev_use *current_uses(struct dom_ctx *c, size_t *n)
{
    struct dom_dev_use *u = NULL;
    unsigned nd = 0;
    char **doms = xs_directory(c->xs, XS_TX_NONE, "/local/domain/0/backend/vbd", &nd);

    *n = 0;
    for (unsigned i = 0; doms && i < nd; i++) {
        char base[96], **devs;
        unsigned nv = 0;

        snprintf(base, sizeof(base), "/local/domain/0/backend/vbd/%s", doms[i]);
        devs = xs_directory(c->xs, XS_TX_NONE, base, &nv);
        for (unsigned k = 0; devs && k < nv; k++) {
            char dev[160], *mode;
            struct dom_dev_use *g = realloc(u, (*n + 1) * sizeof(*u));

            if (!g)
                break;
            u = g;
            snprintf(dev, sizeof(dev), "%s/%s", base, devs[k]);
            mode = read_node(c, dev, "mode");
            u[*n].domid = (uint32_t)atoi(doms[i]);
            u[*n].params = read_node(c, dev, "params");
            u[*n].writable = !mode || strcmp(mode, "r");
            free(mode);
            (*n)++;
        }
        free(devs);
    }
    free(doms);
    return u;
}

static void free_uses(struct dom_dev_use *u, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((char *)u[i].params);
    free(u);
}

/* A disk target may be given (writable: to nobody else); prints why not. */
static int check_target(struct dom_ctx *c, const struct xl_disk *d, const char *dname)
{
    struct devname name = vbd_name(d->vdev ? d->vdev : "?", dname);
    struct dom_dev_use *u;
    struct stat st;
    size_t n;
    int k;

    if (d->format != XL_FORMAT_RAW || d->backend == XL_BACKEND_TAP) {
        fprintf(stderr, "%s: %s: format %s: Xenolith serves raw disks through blkback only\n",
                c->prog, name.text, xl_enum_name(XT_FORMAT, d->format));
        return -1;
    }
    if (!d->pdev_path) {
        fprintf(stderr, "%s: %s: no target (empty drives are not supported)\n", c->prog,
                name.text);
        return -1;
    }
    if (stat(d->pdev_path, &st)) {
        fprintf(stderr, "%s: %s: target %s: %s\n", c->prog, name.text, d->pdev_path,
                strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        fprintf(stderr, "%s: %s: target %s is neither a file nor a block device\n", c->prog,
                name.text, d->pdev_path);
        return -1;
    }
    u = current_uses(c, &n);
    k = dom_dev_sharing_conflict(u, n, d->pdev_path, d->readwrite);
    if (k >= 0)
        fprintf(stderr, "%s: %s: %s is already given to domain %u%s; a disk given writable "
                "cannot be shared\n", c->prog, name.text, d->pdev_path, u[k].domid,
                u[k].writable ? " writable" : " read-only");
    free_uses(u, n);
    return k >= 0 ? -1 : 0;
}

/* A vif's bridge, when its script is vif-bridge (others decide for themselves). */
static int check_vif(struct dom_ctx *c, const struct xl_nic *nic, const char *dname)
{
    const char *script = nic->script ? base_name(nic->script) : XL_DEFAULT_VIF_SCRIPT;
    const char *bridge = nic->bridge ? nic->bridge : XL_DEFAULT_BRIDGE;
    struct devname name = vif_name(nic->devid, dname);
    char why[160];

    if (strcmp(script, XL_DEFAULT_VIF_SCRIPT))
        return 0;
    if (dom_dev_check_bridge(SYS_CLASS_NET, bridge, why, sizeof(why))) {
        fprintf(stderr, "%s: %s: %s (see docs/devices.md: bridged, routed and NAT setups)\n",
                c->prog, name.text, why);
        return -1;
    }
    return 0;
}

int dom_dev_preflight(struct dom_ctx *c, const struct dom_params *p)
{
    for (size_t i = 0; i < p->num_nics; i++)
        if (check_vif(c, &p->nics[i], p->name))
            return -1;
    for (size_t i = 0; i < p->num_disks; i++) {
        if (check_target(c, &p->disks[i], p->name))
            return -1;
        /* Two writable disks of this one config on the same target. */
        for (size_t k = 0; k < i; k++) {
            struct dom_dev_use u = { 0, p->disks[k].pdev_path, p->disks[k].readwrite };

            if (dom_dev_sharing_conflict(&u, 1, p->disks[i].pdev_path, p->disks[i].readwrite) ==
                0) {
                fprintf(stderr, "%s: disk %s of '%s': %s is also disk %s, and a disk given "
                        "writable cannot be shared\n", c->prog, p->disks[i].vdev, p->name,
                        p->disks[i].pdev_path, p->disks[k].vdev);
                return -1;
            }
        }
    }
    return 0;
}

int dom_dev_remove(struct dom_ctx *c, uint32_t domid, enum dom_dev_kind kind, unsigned devid,
                   bool graceful)
{
    char be[96], xbp[80], fe[80], lx[80], vif[32], *script;
    int rc = 0;

    snprintf(xbp, sizeof(xbp), "backend/%s/%u/%u", kind_names[kind], domid, devid);
    snprintf(be, sizeof(be), "/local/domain/0/%s", xbp);
    snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%u", domid, kind_names[kind], devid);
    snprintf(lx, sizeof(lx), "/libxl/%u/device/%s/%u", domid, kind_names[kind], devid);
    snprintf(vif, sizeof(vif), "vif%u.%u", domid, devid);
    if (graceful) {
        xs_tx_t tx;
        char st[4];

        /*
         * libxl's removal: online=0 tells the backend driver to unregister
         * once closed; Closing (xenbus.h) makes the frontend close its end.
         */
        snprintf(st, sizeof(st), "%d", XenbusStateClosing);
        if (xs_tx_start(c->xs, &tx) == 0) {
            char p[128];

            snprintf(p, sizeof(p), "%s/online", be);
            xs_write(c->xs, tx, p, "0", 1);
            snprintf(p, sizeof(p), "%s/state", be);
            xs_write(c->xs, tx, p, st, strlen(st));
            xs_tx_end(c->xs, tx, false);
        }
        if (wait_state(c, be, XenbusStateClosed, XenbusStateClosed, true, DOM_DEV_BACKEND_MS) <
            0) {
            fprintf(stderr, "%s: %s %u of domain %u: the frontend did not close within %d s "
                    "(backend state %d, frontend state %d); removing it anyway\n", c->prog,
                    kind_names[kind], devid, domid, DOM_DEV_BACKEND_MS / 1000,
                    read_int(c, be, "state", -1), read_int(c, fe, "state", -1));
            rc = -1;
        }
    }
    script = read_node(c, be, "script");
    if (script && *script && access(script, X_OK) == 0)
        run_script(script, kind == DOM_DEV_VIF ? "offline" : "remove", xbp, kind_names[kind],
                   kind == DOM_DEV_VIF ? vif : NULL);
    free(script);
    xs_rm(c->xs, XS_TX_NONE, be);
    xs_rm(c->xs, XS_TX_NONE, fe);
    xs_rm(c->xs, XS_TX_NONE, lx);
    return rc;
}

void dom_dev_backend_dir(enum dom_dev_kind kind, uint32_t domid, char *buf, size_t size)
{
    snprintf(buf, size, "/local/domain/0/backend/%s/%u", kind_names[kind], domid);
}

void dom_dev_remove_all(struct dom_ctx *c, uint32_t domid, char *const lists[2],
                        const size_t lens[2])
{
    for (int kind = DOM_DEV_VIF; kind <= DOM_DEV_VBD; kind++) {
        char base[80], **devs;
        unsigned n = 0;

        dom_dev_backend_dir((enum dom_dev_kind)kind, domid, base, sizeof(base));
        devs = xs_split_list(lists[kind], lens[kind], &n);
        for (unsigned i = 0; devs && i < n; i++)
            dom_dev_remove(c, domid, (enum dom_dev_kind)kind, (unsigned)atoi(devs[i]), false);
        free(devs);
        xs_rm(c->xs, XS_TX_NONE, base);
    }
}
