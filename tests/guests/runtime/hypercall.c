/*
 * The two ways a 64-bit PV kernel makes a hypercall (xen.h, "x86_64:
 * syscall"; linux-pv-abi.md 1.9): through a stub of the hypercall page, or
 * with `syscall` directly. Arguments go in RDI, RSI, RDX, R10, R8 and the
 * result comes back in RAX. The hypervisor may clobber the argument
 * registers, and `syscall` clobbers RCX and R11, so all are outputs here.
 */
#include "runtime.h"

extern uint8_t hypercall_page[4096];

#define HYPERCALL_STUB_SIZE 32

long hypercall(unsigned long nr, unsigned long a1, unsigned long a2,
               unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 asm("r10") = a4;
    register unsigned long r8 asm("r8") = a5;
    unsigned long stub = (unsigned long)hypercall_page +
                         nr * HYPERCALL_STUB_SIZE;
    long ret;

    if (nr >= sizeof(hypercall_page) / HYPERCALL_STUB_SIZE)
        test_error("hypercall %lu has no stub in the hypercall page", nr);

    asm volatile("call *%[stub]"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
                   "+r"(r8), [stub] "+r"(stub)
                 :
                 : "rcx", "r11", "r9", "memory");
    return ret;
}

long hypercall_syscall(unsigned long nr, unsigned long a1, unsigned long a2,
                       unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 asm("r10") = a4;
    register unsigned long r8 asm("r8") = a5;
    long ret = nr;

    asm volatile("syscall"
                 : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
                   "+r"(r8)
                 :
                 : "rcx", "r11", "r9", "memory");
    return ret;
}
