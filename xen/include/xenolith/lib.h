/* Freestanding basics shared by every hypervisor file. */
#ifndef XENOLITH_LIB_H
#define XENOLITH_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ROUNDUP(x, a) (((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define ROUNDDOWN(x, a) ((x) & ~((typeof(x))(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __section(s) __attribute__((section(s)))
#define __used __attribute__((used))
#define noreturn _Noreturn
#define container_of(p, type, member) \
    ((type *)((char *)(p) - offsetof(type, member)))

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Hypervisor log: every line goes out prefixed "(XEN) ", as Xen's does. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

/*
 * A line a guest can cause as often as it likes (a refused table, a domain
 * created, an unknown sub-op): each call site may print LOG_RATE_BURST
 * lines per LOG_RATE_WINDOW_NS; past that they are dropped and counted, and
 * the next window's first line says how many. A guest cannot flood the
 * console through one of them.
 */
#define LOG_RATE_BURST 10
#define LOG_RATE_WINDOW_NS 5000000000ULL
struct log_rate {
    uint64_t window_start;
    unsigned printed, dropped;
};
bool log_rate_ok(struct log_rate *r);
#define printk_ratelimited(...)                 \
    do {                                        \
        static struct log_rate log_rate_;       \
        if (log_rate_ok(&log_rate_))            \
            printk(__VA_ARGS__);                \
    } while (0)

/* For the hypervisor's own bugs only, never for guest input. */
noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define ASSERT(c)                                                          \
    do {                                                                   \
        if (unlikely(!(c)))                                                \
            panic("Assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__); \
    } while (0)

#endif
