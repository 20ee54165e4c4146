/*
 * waitline FILE STRING TIMEOUT: return once FILE (a guest's console log,
 * written by xenconsoled) holds a line containing STRING; exit 1 after
 * TIMEOUT seconds without it. Waits on inotify (FILE's directory, so FILE
 * may not exist yet), never polls: Dom0 has one vCPU under TCG, and a shell
 * loop forking grep and sleep every 0.2 s would take that vCPU from the
 * netback and blkback it is measuring (bench/devices/rounds.sh).
 * Static, libc only.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

static int has(const char *path, const char *s)
{
    char line[4096];
    FILE *f = fopen(path, "r");
    int found = 0;

    if (!f)
        return 0;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, s) != NULL;
    fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    char dir[4096], ev[4096];
    double end;
    int in;

    if (argc != 4) {
        fprintf(stderr, "usage: waitline FILE STRING TIMEOUT\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    end = now() + atof(argv[3]);
    in = inotify_init1(IN_CLOEXEC);
    if (in < 0 || inotify_add_watch(in, dirname(dir), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
        perror("waitline: inotify");
        return 2;
    }
    /* Watch first, then look: a line written in between is not missed. */
    while (!has(argv[1], argv[2])) {
        struct pollfd p = { .fd = in, .events = POLLIN };
        double left = end - now();

        if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) < 0)
            return 1;
        if (p.revents & POLLIN)
            (void)!read(in, ev, sizeof(ev));
    }
    return 0;
}
