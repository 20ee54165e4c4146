/* libxc internals shared by its files; not part of the API (xc.h). */
#ifndef XC_PRIVATE_H
#define XC_PRIVATE_H

#include <stdbool.h>
#include <sys/types.h>
#include <stdarg.h>

#include "xc.h"

#define XC_PAGE_SHIFT 12
#define XC_PAGE_SIZE (1UL << XC_PAGE_SHIFT)
#define XC_ERRLEN 256

struct xc {
    int fd;               /* /dev/xen/privcmd */
    char err[XC_ERRLEN];  /* the last failure, one line */
    /*
     * One page of hypercall buffer kept from call to call (xc_buf_alloc):
     * most calls need less, and a locked mapping made and undone per call
     * was three system calls and a fault each time.
     */
    void *page;
    bool page_busy;
    pid_t page_owner;     /* a child has no such mapping (MADV_DONTFORK) */
};

/*
 * Records "what: -ENAME (text)" as the last error and returns rc (a negative
 * errno), so a failing path reads: return xc_fail(xc, rc, "domctl %s", name).
 */
int xc_fail(xc_t *xc, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same, into any buffer (used by the pure code that has no xc_t). */
int xc_fail_buf(char *err, size_t len, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int xc_vfail_buf(char *err, size_t len, int rc, const char *fmt, va_list ap);

/*
 * Hypercalls whose one pointer argument is arg (len bytes): copied into a
 * hypercall buffer, passed, and copied back. _arg: op(buf), e.g. domctl;
 * _cmd: op(cmd, buf, a2), e.g. memory_op, event_channel_op, sched_op.
 */
long xc_hypercall_arg(xc_t *xc, unsigned op, void *arg, size_t len);
long xc_hypercall_cmd(xc_t *xc, unsigned op, uint64_t cmd, void *arg, size_t len, uint64_t a2);

#endif
