/*
 * Hypercall numbers that Xen 4.17 does not define (xen.h lists 0-42 with
 * gaps, and 48-55 for the architecture) return -ENOSYS, whether they come
 * through a stub of the hypercall page (128 stubs) or through a bare
 * `syscall` with any value in RAX; the number is compared in full 64 bits.
 * The guest goes on running afterwards.
 */
#include "runtime.h"

const char test_title[] = "hypercall_unknown: undefined hypercall numbers";

/* Unused below NR_hypercalls (64) in xen.h: 11, 43-47 and 56-63. */
static bool undefined(unsigned int nr)
{
    return nr == 11 || (nr >= 43 && nr <= 47) || nr >= 56;
}

void test_main(void)
{
    unsigned int wrong = 0;

    /* Every page stub of an undefined number, with harmless arguments. */
    for (unsigned int nr = 0; nr < 128; nr++) {
        long rc;

        if (!undefined(nr))
            continue;
        rc = hypercall(nr, 0, 0, 0, 0, 0);
        if (rc != -XEN_ENOSYS)
            wrong += !check_rc(rc, -XEN_ENOSYS, "hypercall %u via the page", nr);
    }
    check(!wrong, "hypercalls 11, 43-47 and 56-127 via the page all give -ENOSYS");
    check_rc(hypercall(60, 1, 2, 3, 4, 5), -XEN_ENOSYS,
             "hypercall 60 with arguments");
    check_rc(hypercall(127, ~0UL, ~0UL, ~0UL, ~0UL, ~0UL), -XEN_ENOSYS,
             "hypercall 127 with arguments");

    /* Numbers the page cannot express, through `syscall` directly. */
    check_rc(hypercall_syscall(128, 0, 0, 0, 0, 0), -XEN_ENOSYS,
             "syscall with RAX = 128");
    check_rc(hypercall_syscall(1000, 0, 0, 0, 0, 0), -XEN_ENOSYS,
             "syscall with RAX = 1000");
    check_rc(hypercall_syscall(~0UL, 0, 0, 0, 0, 0), -XEN_ENOSYS,
             "syscall with RAX = -1");
    check_rc(hypercall_syscall((1UL << 32) | __HYPERVISOR_xen_version,
                               XENVER_version, 0, 0, 0, 0),
             -XEN_ENOSYS, "syscall with RAX = (1 << 32) | xen_version");

    /* Still alive, and hypercalls still work. */
    check_rc(hypercall_xen_version(XENVER_version, 0), (4 << 16) | 17,
             "XENVER_version afterwards");
}
