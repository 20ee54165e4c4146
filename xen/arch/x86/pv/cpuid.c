/*
 * The CPUID a PV guest sees through the forced-emulation prefix
 * (public/arch-x86/xen.h: XEN_EMULATE_PREFIX "ud2; .ascii \"xen\"" then
 * cpuid). Feature bits are the host's, filtered to what a PV guest can use
 * (Xen's 'A' features in cpufeatureset.h): no superpages or global pages
 * (the guest's tables are validated 4 KiB ones), nothing a ring-3 kernel
 * cannot use (SMEP, SMAP, FSGSBASE, PCID...), no XSAVE and what depends on
 * it (the hypervisor does not switch XSAVE state), plus the hypervisor
 * bit and Xen's leaves at 0x40000000 (public/arch-x86/cpuid.h).
 */
#include <asm/cpu.h>
#include <asm/time.h>
#include <xen/arch-x86/cpuid.h>
#include <xenolith/guest_access.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define BIT(n) (1U << (n))

/* Leaf 1 ECX: SSE3 PCLMULQDQ SSSE3 CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES RDRAND. */
#define L1_ECX_OK (BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | BIT(22) | \
                   BIT(23) | BIT(25) | BIT(30))
#define L1_ECX_HYPERVISOR BIT(31)
/* Leaf 1 EDX: FPU DE TSC MSR PAE CX8 SEP CMOV PAT CLFLUSH MMX FXSR SSE SSE2 SS HTT. */
#define L1_EDX_OK (BIT(0) | BIT(2) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(11) | BIT(15) | \
                   BIT(16) | BIT(19) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(27) | BIT(28))
/*
 * Leaf 1 EDX.APIC, for the hardware domain only, as Xen shows it: Linux's
 * Dom0 then parses the MADT and registers the IO-APICs, which places its
 * dynamic Xen IRQs above the GSIs instead of on the ISA IRQs.
 */
#define L1_EDX_APIC BIT(9)
/* Leaf 7 EBX: BMI1 BMI2 ERMS RDSEED ADX CLFLUSHOPT CLWB SHA. */
#define L7_EBX_OK (BIT(3) | BIT(8) | BIT(9) | BIT(18) | BIT(19) | BIT(23) | BIT(24) | BIT(29))
/* 0x80000001 ECX: LAHF_LM CMP_LEGACY LZCNT SSE4A MISALIGNSSE PREFETCHW. */
#define E1_ECX_OK (BIT(0) | BIT(1) | BIT(5) | BIT(6) | BIT(7) | BIT(8))
/* 0x80000001 EDX: FPU DE TSC MSR PAE CX8 SYSCALL CMOV PAT NX MMXEXT MMX FXSR FFXSR LM. */
#define E1_EDX_OK (BIT(0) | BIT(2) | BIT(4) | BIT(5) | BIT(6) | BIT(8) | BIT(11) | BIT(15) | \
                   BIT(16) | BIT(20) | BIT(22) | BIT(23) | BIT(24) | BIT(25) | BIT(29))

static void hypervisor_leaves(uint32_t idx, uint32_t sub, uint32_t r[4])
{
    const struct domain *d = current->domain;

    r[0] = r[1] = r[2] = r[3] = 0;
    switch (idx) {
    case 0:
        r[0] = 0x40000000 + XEN_CPUID_MAX_NUM_LEAVES;
        r[1] = XEN_CPUID_SIGNATURE_EBX;
        r[2] = XEN_CPUID_SIGNATURE_ECX;
        r[3] = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 1:
        r[0] = (4 << 16) | 17; /* the Xen version whose interface this is */
        break;
    case 2:
        r[0] = 1;          /* hypercall pages */
        r[1] = 0x40000000; /* MSR base (HVM only) */
        r[2] = XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD;
        break;
    case 3: /* time: native TSC, no virtual TSC */
        if (sub == 0) {
            r[0] = boot_cpu.invariant_tsc ? BIT(1) : 0;
            r[2] = (uint32_t)tsc_khz;
        } else if (sub == 2) {
            r[0] = (uint32_t)tsc_khz;
        }
        break;
    case 5: /* PV: machine address width, which keeps Linux on grant v1 when <= 44 */
        if (sub == 0) {
            uint64_t top = frame_table.nr << PAGE_SHIFT;

            r[1] = 64 - (uint32_t)__builtin_clzl(top ? top - 1 : 1);
        }
        break;
    }
    (void)d;
}

void pv_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    if (leaf >= 0x40000000 && leaf < 0x50000000) {
        hypervisor_leaves(leaf - 0x40000000, sub, r);
        return;
    }
    cpuid(leaf, sub, r);
    switch (leaf) {
    case 1:
        r[1] = (r[1] & 0x00ffffff) | ((current->vcpu_id * 2) << 24);
        r[2] = (r[2] & L1_ECX_OK) | L1_ECX_HYPERVISOR;
        r[3] &= L1_EDX_OK | (current->domain->is_privileged ? L1_EDX_APIC : 0);
        break;
    case 5: case 6: case 0xa: case 0xd:
        r[0] = r[1] = r[2] = r[3] = 0;
        break;
    case 7:
        if (sub == 0) {
            r[0] = 0;
            r[1] &= L7_EBX_OK;
            r[2] = r[3] = 0;
        } else {
            r[0] = r[1] = r[2] = r[3] = 0;
        }
        break;
    case 0x80000001:
        r[2] &= E1_ECX_OK;
        r[3] &= E1_EDX_OK;
        break;
    }
}

/* ud2; 'x' 'e' 'n'; cpuid */
static const uint8_t forced_cpuid[] = { 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2 };

bool pv_emulate_forced_cpuid(struct cpu_regs *r)
{
    uint8_t insn[sizeof(forced_cpuid)];
    uint32_t res[4];

    if (copy_from_guest(insn, r->rip, sizeof(insn)) || memcmp(insn, forced_cpuid, sizeof(insn)))
        return false;
    pv_cpuid((uint32_t)r->rax, (uint32_t)r->rcx, res);
    r->rax = res[0];
    r->rbx = res[1];
    r->rcx = res[2];
    r->rdx = res[3];
    r->rip += sizeof(forced_cpuid);
    return true;
}
