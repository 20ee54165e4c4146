/*
 * A profiler for xl without strace (the Dom0 image has none): preloaded
 * into `xl` (LD_PRELOAD, by bench/toolstack/profile.sh), it wraps ioctl,
 * mmap, munmap, read, write and connect, and at exit appends to
 * $XLTRACE_OUT how many calls of each kind the process made and how long
 * they took, hypercalls through privcmd by number and sub-op (domctl,
 * sysctl, memory_op ... command), xenstore traffic by direction, plus the
 * longest stretches between two wrapped calls (time spent computing in the
 * process itself, or in calls not wrapped). Works for our xl and Debian's
 * alike: both reach the kernel through these libc functions.
 *
 * Lines: "XLTRACE <pid> <key> n=<calls> ms=<total>", "XLTRACE <pid> gap
 * at=<ms> ms=<length> after=<key>", and "XLTRACE <pid> total ms=.. in_calls
 * ms=..". A process that ends with _exit (xl's monitor child) writes none.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_KEYS 256
#define MAX_FDS 1024
#define MAX_GAPS 12

struct entry {
    char key[40];
    unsigned long n;
    double ms;
};

static struct entry tab[MAX_KEYS];
static struct {
    double at, ms;
    char after[40];
} gaps[MAX_GAPS];
static double t_start, t_last, t_in_calls;
static char last_key[40] = "start";
/* What each fd is: 0 unknown yet, 1 other, 2 privcmd, 3 evtchn, 4 xenstore socket, 5 gntdev. */
static unsigned char fd_kind[MAX_FDS];
static int active;

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int kind_of(int fd)
{
    char link[64], path[256];
    ssize_t n;

    if (fd < 0 || fd >= MAX_FDS)
        return 1;
    if (fd_kind[fd])
        return fd_kind[fd];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, path, sizeof(path) - 1);
    path[n > 0 ? n : 0] = '\0';
    fd_kind[fd] = strstr(path, "privcmd") ? 2 : strstr(path, "evtchn") ? 3
                  : strstr(path, "gntdev") ? 5 : 1;
    return fd_kind[fd];
}

static void account(const char *key, double t0, double t1)
{
    int i;

    if (!active)
        return;
    /* The stretch since the previous wrapped call ended. */
    double gap = t0 - t_last;
    for (i = 0; i < MAX_GAPS; i++)
        if (gap > gaps[i].ms) {
            memmove(&gaps[i + 1], &gaps[i], (MAX_GAPS - i - 1) * sizeof(gaps[0]));
            gaps[i].at = t0 - t_start;
            gaps[i].ms = gap;
            snprintf(gaps[i].after, sizeof(gaps[i].after), "%s", last_key);
            break;
        }
    t_last = t1;
    t_in_calls += t1 - t0;
    snprintf(last_key, sizeof(last_key), "%s", key);
    for (i = 0; i < MAX_KEYS && tab[i].key[0]; i++)
        if (strcmp(tab[i].key, key) == 0)
            break;
    if (i == MAX_KEYS)
        return;
    if (!tab[i].key[0])
        snprintf(tab[i].key, sizeof(tab[i].key), "%s", key);
    tab[i].n++;
    tab[i].ms += t1 - t0;
}

/* privcmd_hypercall_t: op, then five arguments (linux/privcmd.h). */
struct hcall {
    uint64_t op, arg[5];
};

static void hypercall_key(char *key, size_t size, const struct hcall *h)
{
    unsigned long sub = ~0UL;

    switch (h->op) {
    case 35: /* sysctl: the struct's first field is cmd */
    case 36: /* domctl */
        if (h->arg[0])
            sub = *(const uint32_t *)(uintptr_t)h->arg[0];
        break;
    case 12: /* memory_op, event_channel_op, grant_table_op, mmuext_op: cmd in arg 0 */
    case 20:
    case 32:
    case 17: /* xen_version */
        sub = h->arg[0];
        break;
    }
    if (sub != ~0UL)
        snprintf(key, size, "hypercall %lu/%lu", (unsigned long)h->op, sub);
    else
        snprintf(key, size, "hypercall %lu", (unsigned long)h->op);
}

int ioctl(int fd, unsigned long req, ...)
{
    static int (*real)(int, unsigned long, ...);
    char key[40];
    va_list ap;
    void *arg;
    double t0, t1;
    int r, kind;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (!real)
        real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    kind = kind_of(fd);
    if (kind == 2 && ((req >> 8) & 0xff) == 'P' && (req & 0xff) == 0 && arg)
        hypercall_key(key, sizeof(key), arg);
    else
        snprintf(key, sizeof(key), "ioctl %s %#lx",
                 kind == 2 ? "privcmd" : kind == 3 ? "evtchn" : kind == 5 ? "gntdev" : "other",
                 req);
    t0 = now_ms();
    r = real(fd, req, arg);
    t1 = now_ms();
    account(key, t0, t1);
    return r;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    static void *(*real)(void *, size_t, int, int, int, off_t);
    double t0, t1;
    void *r;
    int kind = fd >= 0 ? kind_of(fd) : 0;

    if (!real)
        real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
    t0 = now_ms();
    r = real(addr, len, prot, flags, fd, off);
    t1 = now_ms();
    account(kind == 2 ? "mmap privcmd" : kind == 5 ? "mmap gntdev" : "mmap other", t0, t1);
    return r;
}

int munmap(void *addr, size_t len)
{
    static int (*real)(void *, size_t);
    double t0, t1;
    int r;

    if (!real)
        real = (int (*)(void *, size_t))dlsym(RTLD_NEXT, "munmap");
    t0 = now_ms();
    r = real(addr, len);
    t1 = now_ms();
    account("munmap", t0, t1);
    return r;
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    static int (*real)(int, const struct sockaddr *, socklen_t);
    double t0, t1;
    int r;

    if (!real)
        real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    t0 = now_ms();
    r = real(fd, sa, len);
    t1 = now_ms();
    if (fd >= 0 && fd < MAX_FDS && sa && sa->sa_family == AF_UNIX &&
        strstr(((const struct sockaddr_un *)sa)->sun_path, "xenstore"))
        fd_kind[fd] = 4;
    account("connect", t0, t1);
    return r;
}

static int xs_fd(int fd)
{
    return fd >= 0 && fd < MAX_FDS && fd_kind[fd] == 4;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    double t0, t1;
    ssize_t r;

    if (!real)
        real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    t0 = now_ms();
    r = real(fd, buf, n);
    t1 = now_ms();
    account(xs_fd(fd) ? "xenstore write" : "write other", t0, t1);
    return r;
}

ssize_t read(int fd, void *buf, size_t n)
{
    static ssize_t (*real)(int, void *, size_t);
    double t0, t1;
    ssize_t r;

    if (!real)
        real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    t0 = now_ms();
    r = real(fd, buf, n);
    t1 = now_ms();
    account(xs_fd(fd) ? "xenstore read" : "read other", t0, t1);
    return r;
}

int close(int fd)
{
    static int (*real)(int);

    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "close");
    if (fd >= 0 && fd < MAX_FDS)
        fd_kind[fd] = 0;
    return real(fd);
}

__attribute__((constructor)) static void start(void)
{
    t_start = t_last = now_ms();
    active = 1;
}

__attribute__((destructor)) static void report(void)
{
    const char *out = getenv("XLTRACE_OUT");
    double total = now_ms() - t_start;
    FILE *f;
    int i, j;

    active = 0;
    if (!out || !(f = fopen(out, "a")))
        return;
    fprintf(f, "XLTRACE %d total ms=%.1f in_calls ms=%.1f\n", (int)getpid(), total, t_in_calls);
    /* Largest totals first. */
    for (i = 0; i < MAX_KEYS && tab[i].key[0]; i++)
        for (j = i + 1; j < MAX_KEYS && tab[j].key[0]; j++)
            if (tab[j].ms > tab[i].ms) {
                struct entry e = tab[i];
                tab[i] = tab[j];
                tab[j] = e;
            }
    for (i = 0; i < MAX_KEYS && tab[i].key[0]; i++)
        fprintf(f, "XLTRACE %d %s n=%lu ms=%.2f\n", (int)getpid(), tab[i].key, tab[i].n,
                tab[i].ms);
    for (i = 0; i < MAX_GAPS && gaps[i].ms > 0; i++)
        fprintf(f, "XLTRACE %d gap at=%.1f ms=%.1f after=%s\n", (int)getpid(), gaps[i].at,
                gaps[i].ms, gaps[i].after);
    fclose(f);
}
