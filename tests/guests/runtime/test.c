/*
 * Start of day, checks and the verdict.
 *
 * The harness (tests/integration/run-guest) reads the LAST line matching
 * "Test result: (SUCCESS|FAILURE|SKIP|ERROR)", so a later verdict (e.g.
 * ERROR because SCHEDOP_shutdown returned) overrides an earlier one.
 */
#include "runtime.h"

start_info_t *start_info;

const struct bad_ptr bad_ptrs[] = {
    { BAD_PTR_UNMAPPED, "unmapped" },
    { BAD_PTR_M2P, "read-only M2P" },
    { BAD_PTR_HYPERVISOR, "hypervisor" },
    { BAD_PTR_NONCANON_LOW, "non-canonical" },
    { BAD_PTR_NONCANON, "non-canonical" },
};
const unsigned int nr_bad_ptrs = ARRAY_SIZE(bad_ptrs);

enum verdict { SUCCESS, FAILURE, SKIP, ERROR };

static const char *const verdict_names[] = {
    [SUCCESS] = "SUCCESS",
    [FAILURE] = "FAILURE",
    [SKIP] = "SKIP",
    [ERROR] = "ERROR",
};

static enum verdict verdict = SUCCESS;

static void report(const char *prefix, const char *fmt, va_list ap)
{
    printf("%s", prefix);
    vprintf(fmt, ap);
    printf("\n");
}

void test_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("Failure: ", fmt, ap);
    va_end(ap);
    if (verdict == SUCCESS)
        verdict = FAILURE;
}

void test_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("Skip: ", fmt, ap);
    va_end(ap);
    if (verdict == SUCCESS)
        verdict = SKIP;
    test_exit(SHUTDOWN_poweroff);
}

void test_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("Error: ", fmt, ap);
    va_end(ap);
    verdict = ERROR;
    test_exit(SHUTDOWN_poweroff);
}

void test_exit(unsigned int reason)
{
    struct sched_shutdown shutdown = { .reason = reason };
    long rc;

    printf("Test result: %s\n", verdict_names[verdict]);
    rc = hypercall_sched_op(SCHEDOP_shutdown, (unsigned long)&shutdown);

    /* A shut-down domain never runs again (sched.h, SCHEDOP_shutdown). */
    printf("Error: SCHEDOP_shutdown(%u) returned %ld\n", reason, rc);
    printf("Test result: ERROR\n");
    for (;;)
        hypercall_sched_op(SCHEDOP_yield, 0);
}

static void describe_rc(char *buf, size_t size, long rc)
{
    const char *name = rc < 0 ? errno_name(rc) : NULL;

    if (name)
        snprintf(buf, size, "%ld (-%s)", rc, name);
    else if (rc < 0 || rc < 65536)
        snprintf(buf, size, "%ld", rc);
    else
        snprintf(buf, size, "%#lx", rc);
}

bool check_rc_at(const char *file, int line, long got, long want,
                 const char *fmt, ...)
{
    char what[256], g[48], w[48];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    describe_rc(g, sizeof(g), got);
    describe_rc(w, sizeof(w), want);

    if (got == want) {
        printf("  ok: %s = %s\n", what, g);
        return true;
    }
    test_fail("%s:%d: %s = %s, expected %s", file, line, what, g, w);
    return false;
}

bool check_at(const char *file, int line, bool ok, const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);

    if (ok)
        printf("  ok: %s\n", what);
    else
        test_fail("%s:%d: %s", file, line, what);
    return ok;
}

/*
 * An unfilled page still holds our int3 filler; calling it would kill the
 * domain silently. Say so through a bare syscall, which needs no page.
 */
static void check_hypercall_page(void)
{
    extern const uint8_t hypercall_page[4096];
    static const char msg[] =
        "Error: the hypercall page (XEN_ELFNOTE_HYPERCALL_PAGE) was not "
        "filled by the domain builder\nTest result: ERROR\n";
    struct sched_shutdown shutdown = { .reason = SHUTDOWN_poweroff };

    for (unsigned int i = 0; i < sizeof(hypercall_page); i += 32)
        if (hypercall_page[i] != 0xcc)
            return;

    hypercall_syscall(__HYPERVISOR_console_io, CONSOLEIO_write,
                      sizeof(msg) - 1, (unsigned long)msg, 0, 0);
    hypercall_syscall(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
                      (unsigned long)&shutdown, 0, 0, 0);
    for (;;)
        ;
}

noreturn void runtime_start(start_info_t *si);

void runtime_start(start_info_t *si)
{
    start_info = si;
    check_hypercall_page();
    printf("--- Xenolith PV test: %s ---\n", test_title);
    test_main();
    test_exit(SHUTDOWN_poweroff);
}
