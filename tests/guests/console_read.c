/*
 * HYPERVISOR_console_io(CONSOLEIO_read, count, buffer) (xen.h): a hardware
 * domain reads the serial input that the hypervisor buffered for it.
 *
 * Xen 4.17 (do_console_io, drivers/char/console.c) returns the number of
 * bytes copied, so it refuses a count above INT_MAX with -E2BIG; count is
 * unsigned int, so only the low 32 bits of the register count. It copies
 * only what is buffered: with no input a bad pointer is never touched and
 * the read returns 0; with input pending the same read gives -EFAULT and
 * consumes nothing.
 *
 * The harness types "xyzzy" once it sees WAITING (tests/integration/guests.sh).
 */
#include "runtime.h"

const char test_title[] = "console_read: CONSOLEIO_read, empty, bad and with input";

#define WAITING "console_read: waiting for serial input"
#define INPUT "xyzzy"
/*
 * Each turn is two hypercalls, about 3 us on Xen under TCG: this gives up
 * after some 15 s, within the harness's timeout. Typed input arrives after
 * about a hundred turns.
 */
#define MAX_POLLS 5000000UL

static long read(unsigned long count, unsigned long buf)
{
    return hypercall_console_io(CONSOLEIO_read, count, buf);
}

void test_main(void)
{
    char buf[16];
    unsigned long polls, got;
    long rc;

    memset(buf, 0, sizeof(buf));
    check_rc(read(sizeof(buf), (unsigned long)buf), 0, "read with no input");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(read(sizeof(buf), bad_ptrs[i].addr), 0,
                 "read with no input into %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);

    check_rc(read(0x80000000UL, (unsigned long)buf), -XEN_E2BIG,
             "read 0x80000000 bytes (> INT_MAX)");
    check_rc(read(0xffffffffUL, (unsigned long)buf), -XEN_E2BIG,
             "read 0xffffffff bytes");
    check_rc(read((1UL << 32) | sizeof(buf), (unsigned long)buf), 0,
             "read (1 << 32) | %lu bytes (count truncated to 32 bits)",
             sizeof(buf));

    /* A bad pointer tells pending input apart from none, consuming nothing. */
    printf("%s\n", WAITING);
    for (polls = 0; polls < MAX_POLLS; polls++) {
        rc = read(sizeof(buf), BAD_PTR_UNMAPPED);
        if (rc != 0)
            break;
        hypercall_sched_op(SCHEDOP_yield, 0);
    }
    if (polls == MAX_POLLS)
        test_error("no serial input after %lu polls (did the harness type?)",
                   polls);
    printf("  input arrived after %lu polls\n", polls);
    check_rc(rc, -XEN_EFAULT, "read with input pending into %#lx",
             BAD_PTR_UNMAPPED);
    check_rc(read(1, BAD_PTR_HYPERVISOR), -XEN_EFAULT,
             "read with input pending into %#lx", BAD_PTR_HYPERVISOR);
    check_rc(read(0, (unsigned long)buf), 0, "read 0 bytes with input pending");

    /*
     * The UART hands the typed bytes to the hypervisor one at a time; read
     * them at most 2 per call: each read returns what is buffered, never
     * more than count, in order and exactly once.
     */
    memset(buf, 0, sizeof(buf));
    for (polls = 0, got = 0; got < strlen(INPUT) && polls < MAX_POLLS; polls++) {
        rc = read(2, (unsigned long)buf + got);
        if (rc < 0 || rc > 2) {
            check_rc(rc, 2, "read at most 2 bytes");
            break;
        }
        got += rc;
        hypercall_sched_op(SCHEDOP_yield, 0);
    }
    check(!strcmp(buf, INPUT), "read \"%s\", typed \"%s\"", buf, INPUT);
    check_rc(read(sizeof(buf), (unsigned long)buf), 0, "read once drained");
}
