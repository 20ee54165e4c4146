/*
 * The hypercall page (XEN_ELFNOTE_HYPERCALL_PAGE; xen.h): the builder fills
 * all 128 stubs of 32 bytes before the first guest instruction, and a call
 * to stub N is hypercall N. A stub preserves RCX and R11 (which `syscall`
 * clobbers) and every register that is not an argument.
 */
#include "runtime.h"

const char test_title[] = "hypercall_page: the page is filled and its stubs work";

extern const uint8_t hypercall_page[4096];

/* xen_version(XENVER_version) through the stub, with marked registers. */
static unsigned int clobbered_regs(long *ret)
{
    register unsigned long rdi asm("rdi") = XENVER_version;
    register unsigned long rsi asm("rsi") = 0;
    register unsigned long rcx asm("rcx") = 0xccccccccccccccccUL;
    register unsigned long r9 asm("r9") = 0x9999999999999999UL;
    register unsigned long r11 asm("r11") = 0x1111111111111111UL;
    register unsigned long r12 asm("r12") = 0x1212121212121212UL;
    register unsigned long r15 asm("r15") = 0x1515151515151515UL;
    unsigned long rbx = 0xbbbbbbbbbbbbbbbbUL;
    long rax;

    asm volatile("call hypercall_page + %c[off]"
                 : "=a"(rax), "+D"(rdi), "+S"(rsi), "+b"(rbx), "+r"(rcx),
                   "+r"(r9), "+r"(r11), "+r"(r12), "+r"(r15)
                 : [off] "i"(__HYPERVISOR_xen_version * 32)
                 : "rdx", "r10", "r8", "memory");
    *ret = rax;
    return (rbx != 0xbbbbbbbbbbbbbbbbUL) + (rcx != 0xcccccccccccccccc) +
           (r9 != 0x9999999999999999UL) + (r11 != 0x1111111111111111UL) +
           (r12 != 0x1212121212121212UL) + (r15 != 0x1515151515151515UL);
}

void test_main(void)
{
    unsigned int unfilled = 0, changed;
    long rc;

    /* Our image holds int3 (0xcc) in the page until the builder fills it. */
    for (unsigned int i = 0; i < 128; i++)
        unfilled += hypercall_page[i * 32] == 0xcc;
    check(!unfilled, "all 128 stubs filled (%u still hold the filler)",
          unfilled);

    changed = clobbered_regs(&rc);
    check_rc(rc, (4 << 16) | 17, "xen_version(XENVER_version) via stub 17");
    check(!changed, "RBX, RCX, R9, R11, R12 and R15 preserved across the stub "
                    "(%u changed)", changed);

    check_rc(hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, 0, 0, 0, 0),
             0, "console_io via stub 18");
}
