/*
 * Hypercalls through a bare `syscall` from guest-kernel mode, without the
 * hypercall page: how Debian's Linux 6.1 calls since the XSA-466 fixes
 * (linux-pv-abi.md 0.1, 1.9). RAX = number; RDI, RSI, RDX, R10, R8 = args;
 * result in RAX; `syscall` itself clobbers RCX and R11. Xen may clobber the
 * argument registers; every other register comes back unchanged.
 */
#include "runtime.h"

const char test_title[] = "hypercall_syscall: hypercalls via a bare syscall";

/* xen_version(XENVER_version) with known values in the registers the
 * hypervisor must preserve; returns how many of them changed. */
static unsigned int clobbered_callee_regs(long *ret)
{
    register unsigned long rdi asm("rdi") = XENVER_version;
    register unsigned long rsi asm("rsi") = 0;
    register unsigned long r9 asm("r9") = 0x9999999999999999UL;
    register unsigned long r12 asm("r12") = 0x1212121212121212UL;
    register unsigned long r15 asm("r15") = 0x1515151515151515UL;
    unsigned long rbx = 0xbbbbbbbbbbbbbbbbUL, rsp_before, rsp_after;
    long rax = __HYPERVISOR_xen_version;

    asm volatile("mov %%rsp, %[before]\n\t"
                 "syscall\n\t"
                 "mov %%rsp, %[after]"
                 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+b"(rbx), "+r"(r9),
                   "+r"(r12), "+r"(r15),
                   [before] "=&r"(rsp_before), [after] "=&r"(rsp_after)
                 :
                 : "rcx", "r11", "rdx", "r10", "r8", "memory");
    *ret = rax;
    return (rbx != 0xbbbbbbbbbbbbbbbbUL) + (r9 != 0x9999999999999999UL) +
           (r12 != 0x1212121212121212UL) + (r15 != 0x1515151515151515UL) +
           (rsp_before != rsp_after);
}

void test_main(void)
{
    static const char msg[] = "  written by a bare syscall\n";
    xen_extraversion_t via_syscall, via_page;
    unsigned int changed;
    long rc;

    check_rc(hypercall_syscall(__HYPERVISOR_console_io, CONSOLEIO_write,
                               sizeof(msg) - 1, (unsigned long)msg, 0, 0),
             0, "console_io(CONSOLEIO_write) via syscall");
    check_rc(hypercall_syscall(__HYPERVISOR_console_io, CONSOLEIO_write, 8,
                               BAD_PTR_UNMAPPED, 0, 0),
             -XEN_EFAULT, "console_io(CONSOLEIO_write, %#lx) via syscall",
             BAD_PTR_UNMAPPED);
    check_rc(hypercall_syscall(__HYPERVISOR_xen_version, XENVER_version, 0,
                               0, 0, 0),
             (4 << 16) | 17, "xen_version(XENVER_version) via syscall");

    /* Both paths reach the same handler. */
    memset(via_syscall, 0, sizeof(via_syscall));
    memset(via_page, 1, sizeof(via_page));
    check_rc(hypercall_syscall(__HYPERVISOR_xen_version, XENVER_extraversion,
                               (unsigned long)via_syscall, 0, 0, 0),
             0, "xen_version(XENVER_extraversion) via syscall");
    check_rc(hypercall_xen_version(XENVER_extraversion,
                                   (unsigned long)via_page),
             0, "xen_version(XENVER_extraversion) via the page");
    check(!memcmp(via_syscall, via_page, sizeof(via_page)),
          "both give extraversion \"%s\"", via_syscall);

    changed = clobbered_callee_regs(&rc);
    check_rc(rc, (4 << 16) | 17, "xen_version with marked registers");
    check(!changed, "RBX, R9, R12, R15 and RSP preserved across syscall "
                    "(%u changed)", changed);
}
