/*
 * The CPUID a PV kernel reads through the forced-emulation prefix
 * (public/arch-x86/xen.h XEN_EMULATE_PREFIX). Linux's Dom0 decides from
 * leaf 1 EDX.APIC whether to parse the MADT and register the IO-APICs
 * (arch/x86/kernel/apic/apic.c); without them its dynamic Xen IRQs start at
 * 0 and collide with the legacy ISA IRQs (rtc_cmos, i8042, the ACPI SCI).
 * Xen shows the hardware domain the host's APIC bit and hides it from
 * other PV guests; the hypervisor bit and Xen's leaves are there for all.
 */
#include "runtime.h"

const char test_title[] = "cpuid_policy: forced CPUID as the hardware domain sees it";

static void xen_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    asm volatile("ud2; .ascii \"xen\"; cpuid"
                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                 : "a"(leaf), "c"(sub));
}

void test_main(void)
{
    uint32_t r[4], h[4];

    xen_cpuid(1, 0, r);
    printf("  leaf 1: eax %#x ebx %#x ecx %#x edx %#x\n", r[0], r[1], r[2], r[3]);
    xen_cpuid(0x40000000, 0, h);
    printf("  leaf 0x40000000: eax %#x \"%.4s%.4s%.4s\"\n", h[0], (char *)&h[1],
           (char *)&h[2], (char *)&h[3]);

    /* QEMU's -cpu max has an APIC: the hardware domain sees it. */
    check(r[3] & (1U << 9), "leaf 1 EDX.APIC (bit 9) set for the hardware domain");
    check(r[2] & (1U << 31), "leaf 1 ECX.HYPERVISOR (bit 31) set");
    /* No x2APIC: a PV kernel cannot switch the APIC mode. */
    check(!(r[2] & (1U << 21)), "leaf 1 ECX.X2APIC (bit 21) clear");
    check(h[1] == 0x566e6558 && h[2] == 0x65584d4d && h[3] == 0x4d4d566e,
          "leaf 0x40000000 signature is XenVMMXenVMM");
}
