/* The device tools' clocks: CLOCK_MONOTONIC and getrusage() times, in seconds. */
#ifndef BENCH_DEVICES_CLOCK_H
#define BENCH_DEVICES_CLOCK_H

#include <sys/time.h>
#include <time.h>

static inline double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double tv(struct timeval t)
{
    return t.tv_sec + t.tv_usec / 1e6;
}

#endif
