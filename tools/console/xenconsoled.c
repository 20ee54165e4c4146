/*
 * xenconsoled: relays each guest's PV console ring (xen/io/console.h) to a
 * pty whose name it writes to /local/domain/<id>/console/tty, and
 * optionally to a log file. Guests are found through xenstore's special
 * watches: @introduceDomain (a new guest) and @releaseDomain (one died).
 *
 *   xenconsoled [-i|--interactive] [--pid-file=FILE] [--log=none|guest]
 *               [--log-dir=DIR] [-v|--verbose]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cons_domain.h"

#define MAX_POLL 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: xenconsoled [-i|--interactive] [--pid-file=FILE] [--log=none|guest]\n"
               "                   [--log-dir=DIR] [-v|--verbose]\n");
}

/* Adds every guest the hypervisor knows (at start, and on @introduceDomain). */
static void scan_domains(struct cons_ctx *c)
{
    struct xen_domctl_getdomaininfo info[64];
    uint32_t next = 1;
    int n;

    while ((n = xc_domain_list(c->xc, next, info, 64)) > 0) {
        for (int i = 0; i < n; i++)
            if (!(info[i].flags & XEN_DOMINF_dying))
                cons_dom_add(c, info[i].domain);
        next = info[n - 1].domain + 1;
        if (n < 64)
            break;
    }
}

static void handle_watch(struct cons_ctx *c)
{
    unsigned num;
    char **ev = xs_read_watch(c->xs, &num);
    unsigned domid;

    if (!ev)
        return;
    if (num >= 2) {
        if (!strcmp(ev[1], "introduce"))
            scan_domains(c);
        else if (!strcmp(ev[1], "release"))
            cons_dom_reap(c);
        else if (sscanf(ev[1], "dom:%u", &domid) == 1) {
            struct cons_dom *d = cons_dom_find(c, domid);

            if (d)
                cons_dom_try_connect(c, d);
        }
    }
    free(ev);
}

static void handle_events(struct cons_ctx *c)
{
    int port;

    while ((port = xc_evtchn_pending(c->evtchn)) >= 0) {
        struct cons_dom *d = cons_dom_by_port(c, port);

        if (d)
            cons_dom_from_guest(c, d);
        xc_evtchn_unmask(c->evtchn, (uint32_t)port);
    }
}

static int serve(struct cons_ctx *c)
{
    struct pollfd fds[MAX_POLL];
    struct cons_dom *who[MAX_POLL];

    while (!stop) {
        nfds_t n = 0;

        fds[n++] = (struct pollfd){ .fd = xs_fileno(c->xs), .events = POLLIN };
        fds[n++] = (struct pollfd){ .fd = xc_evtchn_fd(c->evtchn), .events = POLLIN };
        for (struct cons_dom *d = c->doms; d && n < MAX_POLL; d = d->next) {
            if (!d->connected)
                continue;
            who[n] = d;
            fds[n++] = (struct pollfd){ .fd = d->master_fd,
                                        .events = POLLIN | (d->buf.len ? POLLOUT : 0) };
        }
        if (xs_watch_pending(c->xs)) {
            handle_watch(c);
            continue;
        }
        if (poll(fds, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            cons_log(c, "poll: %s", strerror(errno));
            return 1;
        }
        if (fds[0].revents & (POLLERR | POLLHUP)) {
            cons_log(c, "lost the connection to xenstored");
            return 1;
        }
        if (fds[0].revents & POLLIN)
            handle_watch(c);
        if (fds[1].revents & POLLIN)
            handle_events(c);
        for (nfds_t i = 2; i < n; i++) {
            if (!cons_dom_find(c, who[i]->domid) || !who[i]->connected)
                continue; /* removed while handling the watches */
            if (fds[i].revents & POLLOUT)
                cons_dom_flush_pty(who[i]);
            if (fds[i].revents & POLLIN)
                cons_dom_from_pty(c, who[i]);
        }
    }
    return 0;
}

static int write_pid(const char *file)
{
    FILE *f = fopen(file, "w");

    if (!f)
        return -1;
    fprintf(f, "%d\n", (int)getpid());
    return fclose(f);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "interactive", no_argument, NULL, 'i' }, { "pid-file", required_argument, NULL, 'p' },
        { "log", required_argument, NULL, 'l' },   { "log-dir", required_argument, NULL, 'd' },
        { "verbose", no_argument, NULL, 'v' },     { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct cons_ctx c = { 0 };
    const char *pid_file = NULL, *log_dir = "/var/log/xen/console";
    bool interactive = false, log_guests = false;
    int opt, rc = 1;

    while ((opt = getopt_long(argc, argv, "ivh", opts, NULL)) != -1) {
        switch (opt) {
        case 'i': interactive = true; break;
        case 'p': pid_file = optarg; break;
        case 'd': log_dir = optarg; break;
        case 'v': c.verbose = true; break;
        case 'l':
            if (strcmp(optarg, "none") && strcmp(optarg, "guest")) {
                fprintf(stderr, "xenconsoled: --log=%s: expected none or guest\n", optarg);
                return 2;
            }
            log_guests = !strcmp(optarg, "guest");
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "xenconsoled: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (log_guests) {
        mkdir(log_dir, 0755);
        c.log_dir = log_dir;
    }
    c.xc = xc_open();
    if (!c.xc) {
        fprintf(stderr, "xenconsoled: cannot open the hypervisor interface: %s\n", strerror(errno));
        return 1;
    }
    c.evtchn = xc_evtchn_open();
    c.xs = xs_open(NULL);
    if (!c.evtchn || !c.xs) {
        fprintf(stderr, "xenconsoled: cannot open %s: %s\n",
                c.evtchn ? "xenstore" : "/dev/xen/evtchn", strerror(errno));
        goto out;
    }
    /* handle_events() takes ports until the device says there are none. */
    fcntl(xc_evtchn_fd(c.evtchn), F_SETFL, fcntl(xc_evtchn_fd(c.evtchn), F_GETFL) | O_NONBLOCK);
    if (xs_watch(c.xs, "@introduceDomain", "introduce") ||
        xs_watch(c.xs, "@releaseDomain", "release")) {
        fprintf(stderr, "xenconsoled: cannot watch @introduceDomain/@releaseDomain\n");
        goto out;
    }
    if (!interactive && daemon(0, 0)) {
        fprintf(stderr, "xenconsoled: cannot become a daemon: %s\n", strerror(errno));
        goto out;
    }
    if (pid_file && write_pid(pid_file))
        cons_log(&c, "cannot write %s: %s", pid_file, strerror(errno));
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    scan_domains(&c);
    rc = serve(&c);
out:
    while (c.doms)
        cons_dom_remove(&c, c.doms);
    if (c.xs)
        xs_close(c.xs);
    if (c.evtchn)
        xc_evtchn_close(c.evtchn);
    xc_close(c.xc);
    return rc;
}
