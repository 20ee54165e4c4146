/*
 * tcprecv PORT [TIMEOUT]: accept one connection on PORT (any address), read
 * until the sender closes, print
 *   TCPRECV bytes=<n> secs=<s> mbps=<MB/s> utime=<s> stime=<s>
 * (MB = 10^6 bytes; CLOCK_MONOTONIC from the first byte to the end of the
 * stream, so connection set-up is not counted). Gives up TIMEOUT seconds
 * (default 600) after it starts listening: TCPRECV FAILED timeout.
 * Static, libc only: it runs in Dom0 and in the DomUs (bench/devices.sh).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int main(int argc, char **argv)
{
    static char buf[256 * 1024];
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
    double t0 = 0, t1, deadline;
    long long total = 0;
    struct rusage ru;
    struct pollfd p;
    int ls, fd, one = 1;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: tcprecv PORT [TIMEOUT]\n");
        return 2;
    }
    sa.sin_port = htons(atoi(argv[1]));
    deadline = now() + (argc == 3 ? atof(argv[2]) : 600);
    ls = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1)) {
        perror("tcprecv: listen");
        printf("TCPRECV FAILED listen\n");
        return 1;
    }
    printf("TCPRECV listening port=%s\n", argv[1]);
    fflush(stdout);
    p = (struct pollfd){ .fd = ls, .events = POLLIN };
    if (poll(&p, 1, (int)((deadline - now()) * 1000)) != 1 || (fd = accept(ls, NULL, NULL)) < 0) {
        printf("TCPRECV FAILED timeout\n");
        return 1;
    }
    for (;;) {
        ssize_t n;
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        if (poll(&p, 1, (int)((deadline - now()) * 1000)) != 1) {
            printf("TCPRECV FAILED timeout bytes=%lld\n", total);
            return 1;
        }
        n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            perror("tcprecv: read");
            printf("TCPRECV FAILED read bytes=%lld\n", total);
            return 1;
        }
        if (n == 0)
            break;
        if (total == 0)
            t0 = now();
        total += n;
    }
    t1 = now();
    getrusage(RUSAGE_SELF, &ru);
    printf("TCPRECV bytes=%lld secs=%.3f mbps=%.2f utime=%.2f stime=%.2f\n", total, t1 - t0,
           t1 > t0 ? total / (t1 - t0) / 1e6 : 0.0, tv(ru.ru_utime), tv(ru.ru_stime));
    fflush(stdout);
    return 0;
}
