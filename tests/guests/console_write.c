/*
 * HYPERVISOR_console_io(CONSOLEIO_write, count, buffer) (xen.h).
 *
 * Xen 4.17 declares do_console_io(unsigned int cmd, unsigned int count,
 * char *buffer): cmd and count are 32 bits wide and the upper halves of
 * their registers are ignored. The buffer is read through the fault-safe
 * guest copy, so a pointer the guest may not read gives -EFAULT.
 */
#include "runtime.h"

const char test_title[] = "console_write: CONSOLEIO_write, good and bad";

static long write(unsigned long count, unsigned long buf)
{
    return hypercall_console_io(CONSOLEIO_write, count, buf);
}

void test_main(void)
{
    static const char hello[] = "  console_io: a plain write\n";
    static const char five[] = "12345\n";

    check_rc(write(sizeof(hello) - 1, (unsigned long)hello), 0,
             "write %lu bytes", sizeof(hello) - 1);

    /* Nothing to copy: success, however bad the pointer. */
    check_rc(write(0, (unsigned long)hello), 0, "write 0 bytes");
    check_rc(write(0, BAD_PTR_UNMAPPED), 0, "write 0 bytes from %#lx",
             BAD_PTR_UNMAPPED);

    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(write(8, bad_ptrs[i].addr), -XEN_EFAULT,
                 "write 8 bytes from %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);

    /*
     * count is unsigned int: 1 << 40 arrives as 0 and writes nothing;
     * (1 << 32) + 6 arrives as 6 and writes "12345\n".
     */
    check_rc(write(1UL << 40, (unsigned long)hello), 0,
             "write 1 << 40 bytes (count truncated to 32 bits: 0)");
    check_rc(write((1UL << 32) + 6, (unsigned long)five), 0,
             "write (1 << 32) + 6 bytes (count truncated to 32 bits: 6)");

    /* The same holds for cmd: only its low 32 bits select the sub-op. */
    check_rc(hypercall_console_io((1UL << 32) | CONSOLEIO_write, 0,
                                  (unsigned long)hello), 0,
             "cmd (1 << 32) | CONSOLEIO_write");

    /* xen.h defines CONSOLEIO_write (0) and CONSOLEIO_read (1) only. */
    check_rc(hypercall_console_io(2, 0, 0), -XEN_ENOSYS, "unknown cmd 2");
    check_rc(hypercall_console_io(~0UL, 0, 0), -XEN_ENOSYS, "unknown cmd ~0");
}
