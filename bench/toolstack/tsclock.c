/*
 * The clock of the toolstack benchmark, run inside Dom0 (bench/toolstack/
 * rounds.sh). busybox's date and /proc/uptime tick in 10 ms; this reads
 * CLOCK_MONOTONIC and waits without polling: under TCG with one vCPU a
 * waiter that wakes up every few milliseconds steals the CPU from the very
 * domain it waits for.
 *
 *   tsclock run CMD [ARG...]
 *       run CMD; print "ms=<elapsed> exit=<status>"
 *   tsclock create LOG MARKER TIMEOUT CMD [ARG...]
 *       watch LOG's directory with inotify, run CMD (an `xl create`), and
 *       wait both for CMD to exit and for LOG to hold MARKER (the guest's
 *       line, written there by xenconsoled as it reads the console ring);
 *       print "create_ms=<CMD's elapsed> first_byte_ms=<LOG's first
 *       write> marker_ms=<MARKER complete> exit=<CMD's status>", times from
 *       the start of CMD, -1 for what did not happen within TIMEOUT seconds
 *
 * With TSCLOCK_OUT=FILE in the environment, CMD's stdout and stderr go to
 * FILE (appended), so that only tsclock's line is on stdout.
 *
 * Exit status: 0 when CMD exited 0 (and, for create, MARKER arrived),
 * 1 otherwise, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static pid_t spawn(char **argv)
{
    pid_t pid = fork();

    if (pid == 0) {
        const char *out = getenv("TSCLOCK_OUT");

        if (out) {
            int fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);

            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
        }
        execvp(argv[0], argv);
        fprintf(stderr, "tsclock: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static int status_of(int wstatus)
{
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
}

static int cmd_run(char **argv)
{
    double t0 = now_ms();
    pid_t pid = spawn(argv);
    int ws;

    if (pid < 0 || waitpid(pid, &ws, 0) < 0) {
        perror("tsclock");
        return 1;
    }
    printf("ms=%.1f exit=%d\n", now_ms() - t0, status_of(ws));
    return status_of(ws) == 0 ? 0 : 1;
}

/* Does the file hold the marker yet? A missing file does not. */
static int has_marker(const char *path, const char *marker)
{
    char buf[8192];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strstr(buf, marker) != NULL;
}

static int cmd_create(const char *log, const char *marker, int timeout_s, char **argv)
{
    char *dircopy = strdup(log), *namecopy = strdup(log);
    const char *dir = dirname(dircopy), *name = basename(namecopy);
    double t0, deadline, create_ms = -1, first_ms = -1, marker_ms = -1;
    int in, pidfd, ws = 0, exited = 0;
    pid_t pid;
    char evbuf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

    in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (in < 0 || inotify_add_watch(in, dir, IN_MODIFY) < 0) {
        fprintf(stderr, "tsclock: inotify on %s: %s\n", dir, strerror(errno));
        return 1;
    }
    t0 = now_ms();
    deadline = t0 + timeout_s * 1e3;
    pid = spawn(argv);
    pidfd = pid < 0 ? -1 : (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        fprintf(stderr, "tsclock: spawn/pidfd_open: %s\n", strerror(errno));
        return 1;
    }
    while (!exited || marker_ms < 0) {
        struct pollfd fds[2] = { { .fd = in, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
        double left = deadline - now_ms();

        if (left <= 0)
            break;
        if (poll(fds, exited ? 1 : 2, (int)left + 1) < 0 && errno != EINTR)
            break;
        if (!exited && (fds[1].revents & POLLIN)) {
            waitpid(pid, &ws, 0);
            create_ms = now_ms() - t0;
            exited = 1;
            if (status_of(ws) != 0 && marker_ms < 0)
                break; /* a failed create: no line will come */
        }
        if (fds[0].revents & POLLIN) {
            double t = now_ms() - t0;
            ssize_t n;
            int ours = 0;

            while ((n = read(in, evbuf, sizeof(evbuf))) > 0)
                for (char *p = evbuf; p < evbuf + n;) {
                    struct inotify_event *ev = (struct inotify_event *)p;

                    if (ev->len && strcmp(ev->name, name) == 0)
                        ours = 1;
                    p += sizeof(*ev) + ev->len;
                }
            if (ours && first_ms < 0)
                first_ms = t;
            if (ours && marker_ms < 0 && has_marker(log, marker))
                marker_ms = t;
        }
    }
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &ws, 0);
    }
    printf("create_ms=%.1f first_byte_ms=%.1f marker_ms=%.1f exit=%d\n", create_ms, first_ms,
           marker_ms, exited ? status_of(ws) : -1);
    return exited && status_of(ws) == 0 && marker_ms >= 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && strcmp(argv[1], "run") == 0)
        return cmd_run(argv + 2);
    if (argc >= 6 && strcmp(argv[1], "create") == 0)
        return cmd_create(argv[2], argv[3], atoi(argv[4]), argv + 5);
    fprintf(stderr, "usage: tsclock run CMD [ARG...]\n"
                    "       tsclock create LOG MARKER TIMEOUT CMD [ARG...]\n");
    return 2;
}
