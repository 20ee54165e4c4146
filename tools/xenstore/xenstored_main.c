/*
 * xenstored: options, the listening socket, and the one poll loop that
 * serves Unix socket clients and the domains' rings.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xenstored_core.h"
#include "xenstored_domain.h"

#define DEFAULT_SOCKET "/run/xenstored/socket"


struct options {
    const char *socket_path, *pid_file, *log_file;
    bool no_fork, no_domains;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: xenstored [options]\n"
            "  -s, --socket PATH     Unix socket for Dom0's tools (default " DEFAULT_SOCKET ")\n"
            "  -F, --pid-file FILE   write the daemon's pid to FILE\n"
            "  -N, --no-fork         stay in the foreground\n"
            "  -V, --verbose         log every rejected request\n"
            "  -L, --log-file FILE   log there instead of stderr\n"
            "  -D, --no-domains      do not open libxc: sockets only (tests)\n"
            "  -E, --entry-nb N      nodes per domain (1000)\n"
            "  -S, --entry-size N    bytes per value (2048)\n"
            "  -W, --watch-nb N      watches per domain (128)\n"
            "  -t, --transaction N   transactions per domain (10)\n");
}

static int parse_quota(const char *s, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);

    if (!*s || *end || v == 0 || v > 1000000) {
        fprintf(stderr, "xenstored: bad quota '%s': expected a number from 1 to 1000000\n", s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },  { "pid-file", required_argument, NULL, 'F' },
        { "no-fork", no_argument, NULL, 'N' },       { "verbose", no_argument, NULL, 'V' },
        { "log-file", required_argument, NULL, 'L' }, { "no-domains", no_argument, NULL, 'D' },
        { "entry-nb", required_argument, NULL, 'E' }, { "entry-size", required_argument, NULL, 'S' },
        { "watch-nb", required_argument, NULL, 'W' }, { "transaction", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
    };
    int opt, bad = 0;

    o->socket_path = DEFAULT_SOCKET;
    while ((opt = getopt_long(argc, argv, "s:F:NVL:DE:S:W:t:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 's': o->socket_path = optarg; break;
        case 'F': o->pid_file = optarg; break;
        case 'N': o->no_fork = true; break;
        case 'V': xs_verbose = 1; break;
        case 'L': o->log_file = optarg; break;
        case 'D': o->no_domains = true; break;
        case 'E': bad |= parse_quota(optarg, &xs_quota.nodes); break;
        case 'S': bad |= parse_quota(optarg, &xs_quota.value_size); break;
        case 'W': bad |= parse_quota(optarg, &xs_quota.watches); break;
        case 't': bad |= parse_quota(optarg, &xs_quota.transactions); break;
        case 'h': usage(stdout); exit(0);
        default: bad = -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "xenstored: unexpected argument '%s'\n", argv[optind]);
        bad = -1;
    }
    if (bad)
        usage(stderr);
    return bad;
}

/* The socket is Dom0's tools' only: mode 0600 in a directory we create. */
static int listen_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    char *dir = strdup(path), *slash;
    int fd = -1;

    if (!dir || strlen(path) >= sizeof(addr.sun_path)) {
        xs_log("socket path %s is too long", path);
        goto out;
    }
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir(dir, 0755);
    }
    strcpy(addr.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || chmod(path, 0600) ||
        listen(fd, 64)) {
        xs_log("cannot listen on %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
out:
    free(dir);
    return fd;
}

static int write_pid_file(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
        xs_log("cannot write pid file %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void accept_client(int lfd)
{
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0)
        return;
    if (!conn_new_socket(fd)) {
        xs_log("out of memory for a new client");
        close(fd);
    }
}

static void reap_dead(void)
{
    for (struct conn **pp = &conn_list; *pp;) {
        struct conn *c = *pp;

        if (!c->dead) {
            pp = &c->next;
            continue;
        }
        xs_vlog("dom%u: connection closed", c->domid);
        conn_destroy(c); /* unlinks c from the list */
    }
}

/* One turn: poll sockets and the event channel, then serve what is ready. */
static void serve_once(int lfd)
{
    size_t n = 2, max = 2;
    int timeout = -1;
    struct pollfd *pfd;
    struct conn **who;

    for (struct conn *c = conn_list; c; c = c->next) {
        max++;
        if (conn_has_input(c))
            timeout = 0; /* a read's worth of requests is still to be served */
    }
    pfd = calloc(max, sizeof(*pfd));
    who = calloc(max, sizeof(*who));
    if (!pfd || !who)
        goto out;
    pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
    pfd[1] = (struct pollfd){ .fd = domain_xc_fd(), .events = POLLIN };
    for (struct conn *c = conn_list; c; c = c->next) {
        if (c->fd < 0)
            continue;
        who[n] = c;
        pfd[n++] = (struct pollfd){ .fd = c->fd,
                                    .events = POLLIN | (conn_has_output(c) ? POLLOUT : 0) };
    }
    if (poll(pfd, n, timeout) < 0)
        goto out;
    if (pfd[0].revents & POLLIN)
        accept_client(lfd);
    if (pfd[1].revents & POLLIN)
        domain_xc_event();
    for (size_t i = 2; i < n; i++) {
        if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) || conn_has_input(who[i]))
            conn_handle_input(who[i]);
    }
    /* Rings have no fd: any event may be theirs, so look at each (cheap). */
    for (struct conn *c = conn_list; c; c = c->next)
        if (domain_conn_is_ring(c) && !c->ignored && (domain_ring_wants_read(c) || conn_has_input(c)))
            conn_handle_input(c);
    for (struct conn *c = conn_list; c; c = c->next)
        conn_flush(c);
    reap_dead();
out:
    free(pfd);
    free(who);
}

int main(int argc, char **argv)
{
    struct options o = { 0 };
    int lfd, rc = 1;
    FILE *log = NULL;

    if (parse_options(argc, argv, &o))
        return 1;
    if (o.log_file) {
        log = fopen(o.log_file, "a");
        if (!log) {
            fprintf(stderr, "xenstored: cannot open log file %s: %s\n", o.log_file,
                    strerror(errno));
            return 1;
        }
        xs_log_open(log);
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    store_init();
    store_setup_initial();
    lfd = listen_socket(o.socket_path);
    if (lfd < 0)
        goto out;
    if (!o.no_fork && daemon(0, o.log_file ? 0 : 1)) {
        xs_log("cannot become a daemon: %s", strerror(errno));
        goto out;
    }
    if (o.pid_file && write_pid_file(o.pid_file))
        goto out;
    if (!o.no_domains)
        domain_xc_init(true);
    xs_log("listening on %s", o.socket_path);
    while (!stop)
        serve_once(lfd);
    rc = 0;
out:
    if (lfd >= 0) {
        close(lfd);
        unlink(o.socket_path);
    }
    if (o.pid_file && rc == 0)
        unlink(o.pid_file);
    domain_release_all();
    while (conn_list)
        conn_destroy(conn_list);
    store_fini();
    if (log)
        fclose(log);
    return rc;
}
