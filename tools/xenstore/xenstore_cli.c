/*
 * xenstore-read, -write, -ls, -rm, -watch, -exists, -list, -chmod: one
 * program that dispatches on its name (or "xenstore CMD ..."). Errors name
 * the program, the path and the protocol's error (xs_wire.h xsd_errors).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "xs_client.h"

static const char *prog;

static const char *errname(int err)
{
    for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return "EINVAL";
}

static int fail(const char *path, int err)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", prog, path, errname(err), strerror(err));
    return 1;
}

/* Xen's xenstore-ls escaping: printable ASCII as is, \t \n \r \\, others octal/hex. */
static void print_value(const char *v, size_t len, size_t max)
{
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char c = v[i];

        if (c >= ' ' && c <= '~' && c != '\\')
            putchar(c);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '\\')
            fputs("\\\\", stdout);
        else if (c < 010)
            printf("\\%03o", c);
        else
            printf("\\x%02x", c);
    }
}

static void print_perms(struct xs *xs, const char *path)
{
    static const char letters[] = "nrwb";
    unsigned n;
    struct xs_perm *p = xs_get_perms(xs, XS_TX_NONE, path, &n);

    if (!p)
        return;
    fputs("  (", stdout);
    for (unsigned i = 0; i < n; i++)
        printf("%s%c%u", i ? "," : "", letters[p[i].perm & 3], p[i].domid);
    putchar(')');
    free(p);
}

struct ls_opts {
    bool full, perms;
    size_t width; /* values are cut to fit, as Xen's (80 unless a tty says) */
};

static int do_ls(struct xs *xs, const char *path, int depth, const struct ls_opts *o)
{
    unsigned num;
    char **names = xs_directory(xs, XS_TX_NONE, path, &num);

    if (!names)
        return depth && errno == ENOENT ? 0 : fail(path, errno);
    for (unsigned i = 0; i < num; i++) {
        char child[XENSTORE_ABS_PATH_MAX + 256];
        size_t len, col;
        char *val;

        snprintf(child, sizeof(child), "%s%s%s", path, strcmp(path, "/") ? "/" : "", names[i]);
        if (o->full)
            col = printf("%s", child);
        else
            col = printf("%*s%s", depth, "", names[i]);
        val = xs_read(xs, XS_TX_NONE, child, &len);
        if (!val) {
            fputs(":", stdout);
        } else {
            fputs(" = \"", stdout);
            if (col + len + 9 > o->width && o->width > col + 9) {
                print_value(val, len, o->width - col - 9);
                fputs("\\...\"", stdout);
            } else {
                print_value(val, len, len);
                putchar('"');
            }
            free(val);
        }
        if (o->perms)
            print_perms(xs, child);
        putchar('\n');
        do_ls(xs, child, depth + 1, o);
    }
    free(names);
    return 0;
}

static int cmd_ls(struct xs *xs, int argc, char **argv)
{
    struct ls_opts o = { .width = 80 };
    struct winsize ws;
    int opt, rc = 0;

    while ((opt = getopt(argc, argv, "fp")) != -1) {
        if (opt == 'f')
            o.full = true;
        else if (opt == 'p')
            o.perms = true;
        else
            return 2;
    }
    if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 2)
        o.width = ws.ws_col - 2;
    if (o.full)
        o.width = SIZE_MAX / 2;
    if (optind == argc)
        return do_ls(xs, "/", 0, &o);
    for (int i = optind; i < argc; i++)
        rc |= do_ls(xs, argv[i], 0, &o);
    return rc;
}

static int cmd_read(struct xs *xs, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t len;
        char *v = xs_read(xs, XS_TX_NONE, argv[i], &len);

        if (!v)
            return fail(argv[i], errno);
        fwrite(v, 1, len, stdout);
        putchar('\n');
        free(v);
    }
    return 0;
}

static int cmd_write(struct xs *xs, int argc, char **argv)
{
    if (argc < 3 || (argc - 1) % 2) {
        fprintf(stderr, "usage: %s PATH VALUE [PATH VALUE]...\n", prog);
        return 2;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        int err = xs_write(xs, XS_TX_NONE, argv[i], argv[i + 1], strlen(argv[i + 1]));

        if (err)
            return fail(argv[i], -err);
    }
    return 0;
}

static int cmd_rm(struct xs *xs, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        int err = xs_rm(xs, XS_TX_NONE, argv[i]);

        if (err)
            return fail(argv[i], -err);
    }
    return 0;
}

static int cmd_exists(struct xs *xs, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t len;
        char *v = xs_read(xs, XS_TX_NONE, argv[i], &len);

        if (!v)
            return 1; /* silent, as Xen's */
        free(v);
    }
    return 0;
}

static int cmd_list(struct xs *xs, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        unsigned num;
        char **names = xs_directory(xs, XS_TX_NONE, argv[i], &num);

        if (!names)
            return fail(argv[i], errno);
        for (unsigned j = 0; j < num; j++)
            puts(names[j]);
        free(names);
    }
    return 0;
}

static int cmd_watch(struct xs *xs, int argc, char **argv)
{
    long n = -1;
    int opt, err;

    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt != 'n')
            return 2;
        n = strtol(optarg, NULL, 10);
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: %s [-n NR] PATH\n", prog);
        return 2;
    }
    err = xs_watch(xs, argv[optind], "xenstore-watch");
    if (err)
        return fail(argv[optind], -err);
    for (; n != 0; n = n > 0 ? n - 1 : n) {
        unsigned num;
        char **ev = xs_read_watch(xs, &num);

        if (!ev)
            return fail(argv[optind], errno);
        printf("%s\n", ev[0]);
        fflush(stdout);
        free(ev);
    }
    return 0;
}

/* xenstore-chmod PATH PERM...: letters n r w b and a domid, e.g. n0 r5. */
static int cmd_chmod(struct xs *xs, int argc, char **argv)
{
    struct xs_perm p[16];
    int n = 0, err;

    if (argc < 3 || argc - 2 > 16) {
        fprintf(stderr, "usage: %s PATH PERM...\n", prog);
        return 2;
    }
    for (int i = 2; i < argc; i++, n++) {
        const char *l = strchr("nrwb", argv[i][0]);
        char *end;

        if (!argv[i][0] || !l || argv[i][1] < '0' || argv[i][1] > '9') {
            fprintf(stderr, "%s: bad permission '%s': expected n, r, w or b and a domid\n",
                    prog, argv[i]);
            return 2;
        }
        p[n].perm = (enum xs_perm_kind)(l - "nrwb");
        p[n].domid = strtoul(argv[i] + 1, &end, 10);
        if (*end) {
            fprintf(stderr, "%s: bad permission '%s'\n", prog, argv[i]);
            return 2;
        }
    }
    err = xs_set_perms(xs, XS_TX_NONE, argv[1], p, n);
    return err ? fail(argv[1], -err) : 0;
}

static const struct {
    const char *name;
    int (*fn)(struct xs *, int, char **);
    int min_args;
} cmds[] = {
    { "read", cmd_read, 1 },     { "write", cmd_write, 2 }, { "ls", cmd_ls, 0 },
    { "rm", cmd_rm, 1 },         { "watch", cmd_watch, 1 }, { "exists", cmd_exists, 1 },
    { "list", cmd_list, 1 },     { "chmod", cmd_chmod, 2 },
};

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *cmd = !strncmp(base, "xenstore-", 9) ? base + 9 : NULL;
    struct xs *xs;
    int rc;

    prog = base;
    if (!cmd) { /* "xenstore CMD ARGS" */
        if (argc < 2) {
            fprintf(stderr, "usage: xenstore read|write|ls|rm|watch|exists|list|chmod ARGS\n");
            return 2;
        }
        cmd = argv[1];
        argv++;
        argc--;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(cmd, cmds[i].name))
            continue;
        if (argc - 1 < cmds[i].min_args) {
            fprintf(stderr, "usage: %s %sPATH...\n", prog, cmds[i].min_args > 1 ? "PATH ARG " : "");
            return 2;
        }
        xs = xs_open(NULL);
        if (!xs) {
            fprintf(stderr, "%s: cannot reach xenstored: %s\n", prog, strerror(errno));
            return 1;
        }
        rc = cmds[i].fn(xs, argc, argv);
        xs_close(xs);
        return rc;
    }
    fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
    return 2;
}
