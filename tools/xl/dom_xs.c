/*
 * A domain's xenstore tree. Permissions follow libxl: the domain's home
 * /local/domain/<id> belongs to Dom0 and the guest may read it ("ro");
 * the nodes the guest answers in (control/shutdown, data, device/...)
 * belong to the guest ("rw"). The first entry of a permission list is the
 * owner and the default for everyone else (xs_wire.h, XS_SET_PERMS).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <uuid/uuid.h>


#include "dom_xs.h"
#include <xen/io/xenbus.h>

/* The console's frontend "limit" and "protocol" (libxl's xenconsoled defaults). */
#define CONSOLE_LIMIT "1048576"
#define CONSOLE_PROTOCOL "vt100"

struct xs_batch {
    struct dom_ctx *c;
    xs_tx_t tx;
    int err; /* the first failure; later calls do nothing */
};

/*
 * One node: written with value, or (value NULL) made as a directory; with
 * perms, given those permissions. The path is printf-formatted.
 */
static void node(struct xs_batch *b, const char *value, const struct xs_perm *perms,
                 unsigned nperms, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void node(struct xs_batch *b, const char *value, const struct xs_perm *perms,
                 unsigned nperms, const char *fmt, ...)
{
    char path[256];
    va_list ap;

    if (b->err)
        return;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    b->err = value ? xs_write(b->c->xs, b->tx, path, value, strlen(value))
                   : xs_mkdir(b->c->xs, b->tx, path);
    if (!b->err && nperms)
        b->err = xs_set_perms(b->c->xs, b->tx, path, perms, nperms);
}

#define put(b, value, ...) node(b, value, NULL, 0, __VA_ARGS__)
/* A directory owned by owner that reader may read (libxl's "ro"; "rw" when they are the same). */
#define perms(b, owner, reader, ...)                                                         \
    node(b, NULL,                                                                            \
         (const struct xs_perm[2]){ { (owner), XS_PERM_NONE }, { (reader), XS_PERM_READ } }, \
         (owner) == (reader) ? 1 : 2, __VA_ARGS__)

static void uuid_text(const uint8_t uuid[16], char out[37])
{
    uuid_unparse_lower(uuid, out);
}

static void make_nodes(struct xs_batch *b, uint32_t d, const struct dom_params *p)
{
    static const char *const guest_owned[] = {
        "control/shutdown", "control/feature-poweroff", "control/feature-reboot",
        "control/feature-suspend", "control/sysrq", "device/suspend/event-channel",
        "data", "drivers", "feature", "attr", "error",
    };
    char uuid[37];

    uuid_text(p->uuid, uuid);
    perms(b, 0, d, "/local/domain/%u", d);
    perms(b, 0, d, "/vm/%s", uuid);
    perms(b, 0, 0, "/libxl/%u", d);
    /*
     * A node Dom0 creates takes its parent's permissions (xenstored's
     * construct_node, ours alike): the directories libxl gives the same
     * permissions as their parent need no request of their own, but for
     * mkdir when nothing is written under them. cpu, memory, control and
     * console get children below; device and /libxl/<d>/device stay empty.
     * Ten requests fewer per create (each ~1 ms with oxenstored).
     */
    put(b, NULL, "/libxl/%u/device", d);
    put(b, "pv", "/libxl/%u/type", d);
    put(b, NULL, "/local/domain/%u/device", d);
    for (size_t i = 0; i < sizeof(guest_owned) / sizeof(guest_owned[0]); i++)
        perms(b, d, d, "/local/domain/%u/%s", d, guest_owned[i]);
    put(b, "1", "/local/domain/%u/control/platform-feature-multiprocessor-suspend", d);
    put(b, "1", "/local/domain/%u/control/platform-feature-xs_reset_watches", d);
    put(b, p->name, "/local/domain/%u/name", d);
    put(b, uuid, "/vm/%s/uuid", uuid);
    put(b, p->name, "/vm/%s/name", uuid);
    {
        /* Creation time, "<seconds>.<centiseconds>", for `xl uptime` (libxl's start_time). */
        struct timeval tv;
        char when[32];

        gettimeofday(&tv, NULL);
        snprintf(when, sizeof(when), "%lu.%02d", (unsigned long)tv.tv_sec,
                 (int)(tv.tv_usec / 10000));
        put(b, when, "/vm/%s/start_time", uuid);
    }
    put(b, "linux", "/vm/%s/image/ostype", uuid);
    put(b, p->kernel, "/vm/%s/image/kernel", uuid);
    put(b, p->ramdisk ? p->ramdisk : "", "/vm/%s/image/ramdisk", uuid);
    put(b, p->cmdline ? p->cmdline : "", "/vm/%s/image/cmdline", uuid);
    {
        char vm[64];

        snprintf(vm, sizeof(vm), "/vm/%s", uuid);
        put(b, vm, "/local/domain/%u/vm", d);
    }
}

/* Runs fill() in a transaction, again while xenstored says it conflicted. */
static int transact(struct dom_ctx *c, const char *what, uint32_t domid,
                    void (*fill)(struct xs_batch *, uint32_t, const void *), const void *arg)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        struct xs_batch b = { .c = c };
        int rc = xs_tx_start(c->xs, &b.tx);

        if (rc) {
            fprintf(stderr, "%s: xenstore: cannot start a transaction: %s\n", c->prog,
                    strerror(-rc));
            return -1;
        }
        /*
         * One round trip for the lot: the nodes and the commit go out
         * together, and the answers come back in order. A node that
         * failed is known only with the commit's answer, so the commit
         * may have kept the nodes before it: the caller's failure path
         * removes them (dom_xs_remove), as it removes the domain.
         */
        xs_defer_begin(c->xs);
        fill(&b, domid, arg);
        if (!b.err) {
            rc = xs_tx_end(c->xs, b.tx, false);
            b.err = xs_defer_end(c->xs);
        } else { /* a request could not even be sent */
            xs_defer_end(c->xs);
            xs_tx_end(c->xs, b.tx, true);
        }
        if (b.err) {
            fprintf(stderr, "%s: xenstore: writing %s of domain %u failed: %s\n", c->prog, what,
                    domid, strerror(-b.err));
            return -1;
        }
        if (rc == -EAGAIN)
            continue;
        if (rc) {
            fprintf(stderr, "%s: xenstore: committing %s of domain %u failed: %s\n", c->prog,
                    what, domid, strerror(-rc));
            return -1;
        }
        return 0;
    }
    fprintf(stderr, "%s: xenstore: %s of domain %u kept conflicting\n", c->prog, what, domid);
    return -1;
}

struct publish_arg {
    const struct dom_params *p;
    const struct xc_pv_build *b;
};

/* A number as the value, the path from fmt and the rest. */
#define PUT_NUM(b, v, ...)                                                                   \
    do {                                                                                     \
        char num_[24];                                                                       \
        snprintf(num_, sizeof(num_), "%" PRIu64, (uint64_t)(v));                             \
        put(b, num_, __VA_ARGS__);                                                           \
    } while (0)

/* The primary console: frontend in the guest's home, backend under Dom0 (libxl_console.c). */
static void fill_console(struct xs_batch *b, uint32_t d, const struct xc_pv_build *bld)
{
    char be[80];

    snprintf(be, sizeof(be), "/local/domain/%u/backend/console/%u/0", bld->console_domid, d);
    put(b, be, "/local/domain/%u/console/backend", d); /* the directory: the home's permissions */
    PUT_NUM(b, bld->console_domid, "/local/domain/%u/console/backend-id", d);
    put(b, CONSOLE_LIMIT, "/local/domain/%u/console/limit", d);
    put(b, "xenconsoled", "/local/domain/%u/console/type", d);
    put(b, "pty", "/local/domain/%u/console/output", d);
    put(b, "", "/local/domain/%u/console/tty", d);
    PUT_NUM(b, bld->console_port, "/local/domain/%u/console/port", d);
    PUT_NUM(b, bld->console_mfn, "/local/domain/%u/console/ring-ref", d);
    perms(b, bld->console_domid, d, "%s", be);
    {
        char fe[64];

        snprintf(fe, sizeof(fe), "/local/domain/%u/console", d);
        put(b, fe, "%s/frontend", be);
    }
    PUT_NUM(b, d, "%s/frontend-id", be);
    put(b, "1", "%s/online", be);
    PUT_NUM(b, XenbusStateInitialising, "%s/state", be);
    put(b, CONSOLE_PROTOCOL, "%s/protocol", be);
}

static void fill_publish(struct xs_batch *b, uint32_t d, const void *arg)
{
    const struct publish_arg *a = arg;

    make_nodes(b, d, a->p);
    PUT_NUM(b, a->p->max_kib, "/local/domain/%u/memory/static-max", d);
    PUT_NUM(b, a->p->target_kib, "/local/domain/%u/memory/target", d);
    PUT_NUM(b, d, "/local/domain/%u/domid", d);
    PUT_NUM(b, a->b->store_port, "/local/domain/%u/store/port", d);
    PUT_NUM(b, a->b->store_mfn, "/local/domain/%u/store/ring-ref", d);
    for (unsigned i = 0; i < a->p->max_vcpus; i++)
        put(b, i < a->p->vcpus ? "online" : "offline", "/local/domain/%u/cpu/%u/availability", d,
            i);
    fill_console(b, d, a->b);
}

int dom_xs_publish(struct dom_ctx *c, uint32_t domid, const struct dom_params *p,
                   const struct xc_pv_build *b)
{
    struct publish_arg a = { p, b };

    return transact(c, "the xenstore tree", domid, fill_publish, &a);
}

void dom_xs_remove(struct dom_ctx *c, uint32_t domid, const char *vm)
{
    char path[128];

    if (vm && !strncmp(vm, "/vm/", 4))
        xs_rm(c->xs, XS_TX_NONE, vm);
    /* Backends Dom0 serves for this guest (console now; vif and vbd later). */
    for (const char *const *kind = (const char *const[]){ "console", "vif", "vbd", NULL };
         *kind; kind++) {
        snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", *kind, domid);
        xs_rm(c->xs, XS_TX_NONE, path);
    }
    snprintf(path, sizeof(path), "/libxl/%u", domid);
    xs_rm(c->xs, XS_TX_NONE, path);
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xs_rm(c->xs, XS_TX_NONE, path);
}
