/*
 * iops DEVICE SECONDS: one 4 KiB O_DIRECT read at a time (queue depth 1) at
 * random 4 KiB-aligned offsets of DEVICE for SECONDS seconds, then prints
 *   IOPS reads=<n> secs=<s> iops=<n/s> lat_us=<mean> max_us=<max> size=<bytes>
 * The offsets come from a fixed-seed xorshift, so every run reads the same
 * sequence. Static, libc only: it runs in the benchmark's DomU
 * (bench/devices.sh) on its xvdb.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define BLOCK 4096

int main(int argc, char **argv)
{
    uint64_t size = 0, blocks, x = 0x9e3779b97f4a7c15ull, reads = 0;
    double t0, t, end, prev, worst = 0;
    void *buf;
    int fd;

    if (argc != 3) {
        fprintf(stderr, "usage: iops DEVICE SECONDS\n");
        return 2;
    }
    fd = open(argv[1], O_RDONLY | O_DIRECT);
    /* A block device's size; lseek for a regular file (a test on the host). */
    if (fd >= 0 && ioctl(fd, BLKGETSIZE64, &size))
        size = lseek(fd, 0, SEEK_END);
    if (fd < 0 || size < BLOCK || size == (uint64_t)-1) {
        perror(argv[1]);
        printf("IOPS FAILED open\n");
        return 1;
    }
    blocks = size / BLOCK;
    if (posix_memalign(&buf, BLOCK, BLOCK))
        return 1;
    t0 = prev = now();
    end = t0 + atof(argv[2]);
    do {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (pread(fd, buf, BLOCK, (off_t)(x % blocks) * BLOCK) != BLOCK) {
            perror("iops: pread");
            printf("IOPS FAILED read\n");
            return 1;
        }
        reads++;
        t = now();
        if (t - prev > worst)
            worst = t - prev;
        prev = t;
    } while (t < end);
    printf("IOPS reads=%llu secs=%.3f iops=%.1f lat_us=%.1f max_us=%.0f size=%llu\n",
           (unsigned long long)reads, t - t0, reads / (t - t0), (t - t0) / reads * 1e6,
           worst * 1e6, (unsigned long long)size);
    fflush(stdout);
    return 0;
}
