/*
 * Privileged instructions of a PV guest kernel running in ring 3: the ones
 * Xen emulates on the #GP they raise (pv_emulate_privileged_op,
 * xen/arch/x86/pv/emul-priv-op.c), the forced-emulation CPUID prefix
 * (`ud2; .ascii "xen"; cpuid`, emul-inv-op.c) with Xen's own leaves
 * (cpuid_hypervisor_leaves, xen/arch/x86/traps.c) and PV policy, and the
 * rest, which the guest gets back as #GP. XEN_EMULATE_PREFIX comes from
 * arch-x86/xen.h.
 */
#include "traps.h"
#include "pagetable.h"

#include <xen/physdev.h>
#include <xen/arch-x86/cpuid.h>

const char test_title[] = "privops: forced CPUID, MSRs, control registers, I/O, cli/sti";


#define MSR_EFER           0xc0000080
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102
#define MSR_APIC_BASE      0x0000001b
#define MSR_PAT            0x00000277
#define MSR_UNKNOWN        0x12345678
#define EFER_LMA           (1UL << 10)

struct cpuid_regs {
    uint32_t a, b, c, d;
};

static struct cpuid_regs xen_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;

    asm volatile(TRAP_EXPECT(XEN_EMULATE_PREFIX "cpuid")
                 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
                 : "0"(leaf), "2"(subleaf) : "memory");
    return r;
}

static void check_cpuid(void)
{
    unsigned int before = trap_count;
    struct cpuid_regs r = xen_cpuid(0x40000000, 0);
    char sig[13];

    check_rc(trap_count - before, 0, "forced-emulation cpuid raises nothing");
    memcpy(sig, &r.b, 4);
    memcpy(sig + 4, &r.c, 4);
    memcpy(sig + 8, &r.d, 4);
    sig[12] = 0;
    check(!strcmp(sig, "XenVMMXenVMM"), "leaf 0x40000000 signature \"%s\"",
          sig);
    check(r.a >= 0x40000002 && r.a <= 0x400000ff,
          "leaf 0x40000000 EAX %#x: at least 0x40000002", r.a);

    r = xen_cpuid(0x40000001, 0);
    check_eq(r.a, hypercall_xen_version(XENVER_version, 0),
             "leaf 0x40000001 EAX is XENVER_version");
    r = xen_cpuid(0x40000002, 0);
    check_eq(r.a, 1, "leaf 0x40000002 EAX: one hypercall page");
    check_eq(r.b, 0x40000000, "leaf 0x40000002 EBX: the hypercall MSR base");
    check_eq(r.c & XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD,
             XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD,
             "leaf 0x40000002 ECX: MMU_PT_UPDATE_PRESERVE_AD");
    r = xen_cpuid(0x40000080, 0);
    check(!r.a && !r.b && !r.c && !r.d, "leaf 0x40000080 is all zero");

    /* The PV policy (linux-pv-abi.md 2.6, calculate_pv_max_policy). */
    r = xen_cpuid(1, 0);
    check_eq(r.c & (1U << 31), 1U << 31, "leaf 1 ECX: hypervisor bit");
    check_eq(r.d & (1U << 3), 0, "leaf 1 EDX: no PSE");
    check_eq(r.d & (1U << 13), 0, "leaf 1 EDX: no PGE");
    r = xen_cpuid(0x80000001, 0);
    check_eq(r.d & (1U << 26), 0, "leaf 0x80000001 EDX: no 1 GiB pages");
    r = xen_cpuid(7, 0);
    check_eq(r.b & ((1U << 7) | (1U << 20)), 0, "leaf 7 EBX: no SMEP, no SMAP");
}

static int rdmsr_probe(uint32_t msr, uint64_t *val)
{
    unsigned int before = trap_count;
    uint32_t lo = 0, hi = 0;

    asm volatile(TRAP_EXPECT("rdmsr")
                 : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *val = ((uint64_t)hi << 32) | lo;
    return trap_count != before ? (int)last_trap.vector : -1;
}

static int wrmsr_probe(uint32_t msr, uint64_t val)
{
    unsigned int before = trap_count;

    asm volatile(TRAP_EXPECT("wrmsr")
                 :: "a"((uint32_t)val), "d"((uint32_t)(val >> 32)), "c"(msr)
                 : "memory");
    return trap_count != before ? (int)last_trap.vector : -1;
}

static uint64_t fs_word = 0x5555aaaa, gs_word = 0x6666bbbb;

static void check_msrs(void)
{
    uint64_t v = 0;

    check_no_trap(wrmsr_probe(MSR_FS_BASE, (unsigned long)&fs_word),
                  "wrmsr FS_BASE");
    asm volatile("mov %%fs:0, %0" : "=r"(v));
    check_eq(v, fs_word, "  %%fs:0 reads through it");
    check_no_trap(rdmsr_probe(MSR_FS_BASE, &v), "rdmsr FS_BASE");
    check_eq(v, (unsigned long)&fs_word, "  value");

    check_no_trap(wrmsr_probe(MSR_GS_BASE, (unsigned long)&gs_word),
                  "wrmsr GS_BASE");
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    check_eq(v, gs_word, "  %%gs:0 reads through it");
    check_no_trap(rdmsr_probe(MSR_GS_BASE, &v), "rdmsr GS_BASE");
    check_eq(v, (unsigned long)&gs_word, "  value");

    check_no_trap(wrmsr_probe(MSR_SHADOW_GS_BASE, 0x123000),
                  "wrmsr SHADOW_GS_BASE");
    check_no_trap(rdmsr_probe(MSR_SHADOW_GS_BASE, &v), "rdmsr SHADOW_GS_BASE");
    check_eq(v, 0x123000, "  value (the user GS base)");

    check_rc(wrmsr_probe(MSR_FS_BASE, 0x0000800000000000UL), X86_EXC_GP,
             "wrmsr FS_BASE non-canonical");
    check_eq(last_trap.error, 0, "  #GP(0)");
    check_rc(rdmsr_probe(MSR_UNKNOWN, &v), X86_EXC_GP, "rdmsr of MSR %#x",
             MSR_UNKNOWN);
    check_eq(last_trap.error, 0, "  #GP(0)");
    check_rc(wrmsr_probe(MSR_UNKNOWN, 0), X86_EXC_GP, "wrmsr of MSR %#x",
             MSR_UNKNOWN);

    check_no_trap(rdmsr_probe(MSR_EFER, &v), "rdmsr EFER");
    check_eq(v & EFER_LMA, EFER_LMA, "  LMA set");
    check_no_trap(rdmsr_probe(MSR_APIC_BASE, &v), "rdmsr APIC_BASE");
    check_eq(v, 0xfee00900, "  enabled at 0xfee00000, BSP on vCPU 0");
    check_no_trap(rdmsr_probe(MSR_PAT, &v), "rdmsr PAT");
    check_eq(v, 0x0000050100070406UL, "  Xen's PAT (XEN_MSR_PAT)");
    wrmsr_probe(MSR_FS_BASE, 0);
}

static void check_crs(void)
{
    unsigned long cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0;
    unsigned int before = trap_count;

    asm volatile(TRAP_EXPECT("mov %%cr0, %[v]") : [v] "+r"(cr0) :: "memory");
    check_rc(trap_count - before, 0, "mov from CR0 is emulated");
    check_eq(cr0 & 0x80000011UL, 0x80000011UL, "  PE, ET and PG set (%#lx)",
             cr0);
    check_eq(cr0 & 8, 0, "  TS clear");
    hypercall_fpu_taskswitch(1);
    asm volatile(TRAP_EXPECT("mov %%cr0, %[v]") : [v] "+r"(cr0) :: "memory");
    check_eq(cr0 & 8, 8, "  TS set after fpu_taskswitch(1)");
    hypercall_fpu_taskswitch(0);
    asm volatile(TRAP_EXPECT("mov %%cr0, %[v]") : [v] "+r"(cr0) :: "memory");
    check_eq(cr0 & 8, 0, "  TS clear after fpu_taskswitch(0)");

    /* Writing CR0 may only change TS. */
    asm volatile(TRAP_EXPECT("mov %[v], %%cr0")
                 :: [v] "r"(cr0 & ~1UL) : "memory");
    check_rc(trap_count - before, 1, "mov to CR0 clearing PE raises");
    check_rc(last_trap.vector, X86_EXC_GP, "  vector");

    asm volatile(TRAP_EXPECT("mov %%cr3, %[v]") : [v] "+r"(cr3) :: "memory");
    check_eq(cr3, (unsigned long)pt_l4_mfn() << PAGE_SHIFT,
             "mov from CR3: our L4's mfn");

    probe_read(0x1230, NULL);
    asm volatile(TRAP_EXPECT("mov %%cr2, %[v]") : [v] "+r"(cr2) :: "memory");
    check_eq(cr2, 0x1230, "mov from CR2: the last #PF's address");

    before = trap_count;
    asm volatile(TRAP_EXPECT("mov %%cr4, %[v]") : [v] "+r"(cr4) :: "memory");
    check_rc(trap_count - before, 0, "mov from CR4 is emulated (%#lx)", cr4);
}

static int in8(unsigned int port, uint8_t *v)
{
    unsigned int before = trap_count;
    uint8_t r = 0;

    asm volatile(TRAP_EXPECT("inb %w[p], %[r]")
                 : [r] "+a"(r) : [p] "d"(port) : "memory");
    *v = r;
    return trap_count != before ? (int)last_trap.vector : -1;
}

static int in16(unsigned int port, uint16_t *v)
{
    unsigned int before = trap_count;
    uint16_t r = 0;

    asm volatile(TRAP_EXPECT("inw %w[p], %[r]")
                 : [r] "+a"(r) : [p] "d"(port) : "memory");
    *v = r;
    return trap_count != before ? (int)last_trap.vector : -1;
}

static int out8(unsigned int port, uint8_t v)
{
    unsigned int before = trap_count;

    asm volatile(TRAP_EXPECT("outb %[v], %w[p]")
                 :: [v] "a"(v), [p] "d"(port) : "memory");
    return trap_count != before ? (int)last_trap.vector : -1;
}

static long set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl s = { .iopl = iopl };

    return hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl,
                     (unsigned long)&s, 0, 0, 0);
}

/*
 * Port I/O needs the virtual IOPL (PHYSDEVOP_set_iopl, guest_io_okay): the
 * kernel counts as ring 1. Ports Dom0 was not granted (the PIT, the PICs,
 * dom0_setup_permissions) then read as all ones and ignore writes.
 */
static void check_io(void)
{
    uint8_t b;
    uint16_t w;

    check_rc(set_iopl(0), 0, "PHYSDEVOP_set_iopl(0)");
    check_rc(in8(0x80, &b), X86_EXC_GP, "inb 0x80 at IOPL 0 raises");
    check_eq(last_trap.error, 0, "  #GP(0)");
    check_rc(out8(0x80, 0), X86_EXC_GP, "outb 0x80 at IOPL 0 raises");

    check_rc(set_iopl(1), 0, "PHYSDEVOP_set_iopl(1)");
    check_no_trap(in8(0x80, &b), "inb 0x80 (granted) at IOPL 1");
    check_no_trap(out8(0x80, 0x42), "outb 0x80 at IOPL 1");
    check_no_trap(in8(0x40, &b), "inb 0x40 (the PIT, not granted) at IOPL 1");
    check_eq(b, 0xff, "  reads as all ones");
    check_no_trap(in16(0x40, &w), "inw 0x40");
    check_eq(w, 0xffff, "  reads as all ones");
    check_no_trap(in8(0x40, &b), "inb 0x40 again");
    check_eq(b, 0xff, "  still all ones (not the running counter)");
    check_no_trap(out8(0x21, 0xff),
                  "outb 0x21 (the PIC, not granted) is dropped");

    check_rc(set_iopl(4), -XEN_EINVAL, "PHYSDEVOP_set_iopl(4)");
    check_rc(set_iopl(3), 0, "PHYSDEVOP_set_iopl(3)");
    check_no_trap(in8(0x80, &b), "inb 0x80 at IOPL 3");
}

/*
 * cli/sti with enough IOPL are skipped (emul-priv-op.c validate(): "Fast &
 * loose will do for us") and do not touch the upcall mask; without, #GP.
 */
static void check_cli_sti(void)
{
    struct vcpu_info *vi = vcpu0_info();
    uint8_t mask = vi->evtchn_upcall_mask;

    set_iopl(1);
    check_no_trap(trap_probe("cli"), "cli at IOPL 1 is skipped");
    check_eq(vi->evtchn_upcall_mask, mask, "  upcall mask unchanged");
    check_no_trap(trap_probe("sti"), "sti at IOPL 1 is skipped");
    check_eq(vi->evtchn_upcall_mask, mask, "  upcall mask unchanged");
    set_iopl(0);
    check_rc(trap_probe("cli"), X86_EXC_GP, "cli at IOPL 0 raises");
    check_rc(trap_probe("sti"), X86_EXC_GP, "sti at IOPL 0 raises");
}

static void check_others(void)
{
    check_no_trap(trap_probe("wbinvd"), "wbinvd is emulated");
    {
        unsigned int before = trap_count;
        uint32_t lo, hi;

        asm volatile(TRAP_EXPECT("rdtsc") : "=a"(lo), "=d"(hi) :: "memory");
        check_rc(trap_count - before, 0, "rdtsc runs (%#lx)",
                 ((unsigned long)hi << 32) | lo);
    }
    check_rc(trap_probe("lgdt (%%rsp)"), X86_EXC_GP, "lgdt raises");
    /* Last: a hypervisor that blocks the vCPU on it never comes back. */
    check_rc(trap_probe("hlt"), X86_EXC_GP, "hlt raises");
    check_eq(last_trap.error, 0, "  #GP(0)");
}

void test_main(void)
{
    traps_init();
    check_cpuid();
    check_msrs();
    check_crs();
    check_io();
    check_cli_sti();
    check_others();
}
