/*
 * The runtime of the Xenolith PV test kernels: one tiny 64-bit PV kernel per
 * test, each ending with the line "Test result: SUCCESS|FAILURE|SKIP|ERROR"
 * and a SCHEDOP_shutdown (in the spirit of the Xen Test Framework).
 *
 * A test defines test_title and test_main(). Inside test_main it calls
 * check_rc()/check() or test_fail() for each expectation; test_error() and
 * test_skip() end the test at once. When test_main returns, the runtime
 * prints the verdict and powers the domain off.
 *
 * All ABI types and constants come from the system's Xen public headers.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/features.h>
#include <xen/sched.h>
#include <xen/version.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define noreturn __attribute__((noreturn))
#define printf_like(f, a) __attribute__((format(printf, f, a)))

/* Provided by each test kernel. */
extern const char test_title[];
void test_main(void);

/* The start_info page the builder handed us in RSI (xen.h, struct start_info). */
extern start_info_t *start_info;

/*
 * Guest addresses that no hypercall may access on the guest's behalf; each
 * must give -EFAULT wherever Xen copies from or to guest memory.
 */
/* Low user half: the Dom0 builder maps nothing below VIRT_BASE. */
#define BAD_PTR_UNMAPPED     0x1000UL
/* The M2P table (xen-x86_64.h): guest-readable, but in the hypervisor range. */
#define BAD_PTR_M2P          MACH2PHYS_VIRT_START
/* Xen's direct map, between HYPERVISOR_VIRT_START and _END (xen-x86_64.h). */
#define BAD_PTR_HYPERVISOR   0xffff830000000000UL
/* First non-canonical address above the user half. */
#define BAD_PTR_NONCANON_LOW 0x0000800000000000UL
#define BAD_PTR_NONCANON     0x8000000000000000UL

struct bad_ptr {
    unsigned long addr;
    const char *what;
};
extern const struct bad_ptr bad_ptrs[];
extern const unsigned int nr_bad_ptrs;

/* Hypercalls ------------------------------------------------------------- */

/* Through the hypercall page (nr < 128), the way XTF and Mini-OS call. */
long hypercall(unsigned long nr, unsigned long a1, unsigned long a2,
               unsigned long a3, unsigned long a4, unsigned long a5);

/*
 * With a bare `syscall` (RAX = nr; RDI, RSI, RDX, R10, R8 = args; RCX and
 * R11 clobbered), the way Debian's current Linux 6.1 calls: any nr.
 */
long hypercall_syscall(unsigned long nr, unsigned long a1, unsigned long a2,
                       unsigned long a3, unsigned long a4, unsigned long a5);

/*
 * Typed wrappers. Arguments stay unsigned long so that a test can put bits
 * in the upper half of a register that the ABI declares 32 bits wide.
 */
static inline long hypercall_console_io(unsigned long cmd, unsigned long count,
                                        unsigned long buf)
{
    return hypercall(__HYPERVISOR_console_io, cmd, count, buf, 0, 0);
}

static inline long hypercall_xen_version(unsigned long cmd, unsigned long arg)
{
    return hypercall(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0);
}

static inline long hypercall_sched_op(unsigned long cmd, unsigned long arg)
{
    return hypercall(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}

static inline long hypercall_vm_assist(unsigned long cmd, unsigned long type)
{
    return hypercall(__HYPERVISOR_vm_assist, cmd, type, 0, 0, 0);
}

/* Console and formatting ------------------------------------------------- */

void console_write(const char *buf, size_t len);
int printf(const char *fmt, ...) printf_like(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) printf_like(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Name of a negative Xen errno ("EFAULT"), or NULL (xen/errno.h). */
const char *errno_name(long rc);

/* Strings and memory ----------------------------------------------------- */

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *haystack, const char *needle);

/* Verdict ---------------------------------------------------------------- */

/* Record a failure and go on, so that one run reports every broken check. */
void test_fail(const char *fmt, ...) printf_like(1, 2);
/* The test cannot run here (not a failure of the thing under test). */
noreturn void test_skip(const char *fmt, ...) printf_like(1, 2);
/* The test itself went wrong (e.g. a precondition that must hold). */
noreturn void test_error(const char *fmt, ...) printf_like(1, 2);
/* Print the verdict as the last line, then SCHEDOP_shutdown(reason). */
noreturn void test_exit(unsigned int reason);

/* Report `got` against `want` (both return values, errno or not). */
bool check_rc_at(const char *file, int line, long got, long want,
                 const char *fmt, ...) printf_like(5, 6);
#define check_rc(got, want, ...) \
    check_rc_at(__FILE__, __LINE__, (got), (want), __VA_ARGS__)

/* Report a condition that must hold. */
bool check_at(const char *file, int line, bool ok, const char *fmt, ...)
    printf_like(4, 5);
#define check(ok, ...) check_at(__FILE__, __LINE__, (ok), __VA_ARGS__)

#endif /* GUEST_RUNTIME_H */
