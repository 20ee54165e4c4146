/*
 * tcpsend ADDR PORT MIB: connect to ADDR:PORT (retrying for up to 60 s while
 * the peer is not listening yet), write MIB MiB from one 64 KiB buffer as
 * fast as the socket takes it, close. Prints
 *   TCPSEND bytes=<n> secs=<s> mbps=<MB/s> utime=<s> stime=<s>
 * (MB = 10^6 bytes; the time runs from the connection to the last write).
 * Static, libc only: it runs in the benchmark's DomUs (bench/devices.sh).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int main(int argc, char **argv)
{
    static char buf[64 * 1024];
    struct sockaddr_in sa = { .sin_family = AF_INET };
    long long total, left;
    double t0, t1, deadline;
    struct rusage ru;
    int fd = -1;

    if (argc != 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "usage: tcpsend ADDR PORT MIB\n");
        return 2;
    }
    sa.sin_port = htons(atoi(argv[2]));
    total = atoll(argv[3]) * 1024 * 1024;
    memset(buf, 0x5a, sizeof(buf));

    deadline = now() + 60;
    for (;;) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            perror("tcpsend: socket");
            return 1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            break;
        if (now() > deadline) {
            fprintf(stderr, "tcpsend: connect %s:%s: %s\n", argv[1], argv[2], strerror(errno));
            printf("TCPSEND FAILED connect\n");
            return 1;
        }
        close(fd);
        usleep(200 * 1000);
    }
    t0 = now();
    for (left = total; left > 0;) {
        ssize_t n = write(fd, buf, left < (long long)sizeof(buf) ? left : (long long)sizeof(buf));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("tcpsend: write");
            printf("TCPSEND FAILED write\n");
            return 1;
        }
        left -= n;
    }
    t1 = now();
    close(fd);
    getrusage(RUSAGE_SELF, &ru);
    printf("TCPSEND bytes=%lld secs=%.3f mbps=%.2f utime=%.2f stime=%.2f\n", total, t1 - t0,
           total / (t1 - t0) / 1e6, tv(ru.ru_utime), tv(ru.ru_stime));
    fflush(stdout);
    return 0;
}
