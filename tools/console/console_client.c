/*
 * The console client: finds the pty xenconsoled opened for the guest
 * (/local/domain/<id>/console/tty) and relays the terminal to it in raw
 * mode. It leaves on the escape character, when the guest is destroyed
 * (@releaseDomain, then the domain is gone or dying), or at end of input.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "console_client.h"

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static bool domain_alive(xc_t *xc, uint32_t domid)
{
    struct xen_domctl_getdomaininfo info;

    return xc_domain_info(xc, domid, &info) == 0 && !(info.flags & XEN_DOMINF_dying);
}

/* The pty's name, once xenconsoled has written it (polled: it is quick). */
static char *wait_tty(xc_t *xc, struct xs *xs, uint32_t domid, int wait_ms)
{
    char path[64];
    long long until = now_ms() + wait_ms;

    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    for (;;) {
        char *tty = xs_read(xs, XS_TX_NONE, path, NULL);

        if (tty && tty[0])
            return tty;
        free(tty);
        if (!domain_alive(xc, domid)) {
            fprintf(stderr, "xl console: domain %u does not exist (or is dying)\n", domid);
            return NULL;
        }
        if (now_ms() >= until) {
            fprintf(stderr, "xl console: domain %u: no console pty in %s after %d ms "
                            "(is xenconsoled running?)\n", domid, path, wait_ms);
            return NULL;
        }
        usleep(20000);
    }
}

/* Set when stdin reached its end (not the escape character). */
static bool input_eof;

/* Copies one read's worth; false when the session should end. */
static bool relay(int from, int to, int escape)
{
    char buf[4096];
    ssize_t n = read(from, buf, sizeof(buf));

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    if (n <= 0) {
        input_eof = n == 0 && from == STDIN_FILENO;
        return false;
    }
    if (escape >= 0) {
        char *esc = memchr(buf, escape, (size_t)n);

        if (esc) {
            n = esc - buf;
            if (n > 0 && write(to, buf, (size_t)n) < 0)
                return false;
            return false;
        }
    }
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));

        if (w < 0 && errno == EAGAIN) {
            usleep(1000);
            continue;
        }
        if (w <= 0)
            return false;
        off += w;
    }
    return true;
}

static int session(xc_t *xc, struct xs *xs, uint32_t domid, int pty, int escape)
{
    struct pollfd fds[3] = {
        { .fd = STDIN_FILENO, .events = POLLIN },
        { .fd = pty, .events = POLLIN },
        { .fd = xs_fileno(xs), .events = POLLIN },
    };

    for (;;) {
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if ((fds[1].revents & POLLIN) && !relay(pty, STDOUT_FILENO, -1))
            return 0;
        /*
         * The end of input (a script's </dev/null) stops only our sending:
         * the guest's output goes on until Ctrl-] or the domain's end.
         */
        if ((fds[0].revents & (POLLIN | POLLHUP)) && !relay(STDIN_FILENO, pty, escape)) {
            if (input_eof)
                fds[0].fd = -1;
            else
                return 0;
        }
        if (fds[2].revents & POLLIN) {
            unsigned num;
            char **ev = xs_read_watch(xs, &num);

            free(ev);
            if (!domain_alive(xc, domid)) {
                /* What the guest printed last is still in the pty. */
                while (poll(&fds[1], 1, 50) > 0 && (fds[1].revents & POLLIN) &&
                       relay(pty, STDOUT_FILENO, -1))
                    ;
                return 0;
            }
        }
    }
}

int console_attach(xc_t *xc, struct xs *xs, uint32_t domid, int escape, int wait_ms)
{
    struct termios saved, raw;
    bool restore = false;
    char *tty = NULL;
    int pty = -1, rc = 1;

    tty = wait_tty(xc, xs, domid, wait_ms);
    if (!tty)
        goto out;
    pty = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (pty < 0) {
        fprintf(stderr, "xl console: domain %u: cannot open %s: %s\n", domid, tty, strerror(errno));
        goto out;
    }
    if (xs_watch(xs, "@releaseDomain", "console-release")) {
        fprintf(stderr, "xl console: cannot watch @releaseDomain\n");
        goto out;
    }
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    rc = session(xc, xs, domid, pty, escape);
    if (restore)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    xs_unwatch(xs, "@releaseDomain", "console-release");
out:
    if (pty >= 0)
        close(pty);
    free(tty);
    return rc;
}
