/*
 * Privileged instructions a PV kernel still executes in ring 3, which
 * therefore raise #GP(0): port I/O (checked against the virtual IOPL and
 * the domain's ports; a port the domain may not use reads as all ones and
 * drops writes, as on Xen), MSRs (FS/GS bases and what Linux reads),
 * control and debug registers, wbinvd, clts and hlt. Anything else keeps
 * its #GP.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/time.h>
#include <xen/sched.h>
#include <xen/xen.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define EFER_VISIBLE ((1UL << 0) | (1UL << 8) | (1UL << 10) | (1UL << 11)) /* SCE LME LMA NXE */
#define XEN_MSR_PAT 0x0000050100070406UL
#define MSR_TSC 0x10

struct insn {
    uint8_t bytes[16];
    unsigned len, pos;
    bool opsize16, rex_w, rep;
    uint8_t rex;
};

/* Reads the instruction at rip; a fetch that crosses into an unmapped page gets what there is. */
static bool fetch(struct insn *in, uint64_t rip)
{
    unsigned n = sizeof(in->bytes);
    unsigned to_page_end = PAGE_SIZE - (rip & (PAGE_SIZE - 1));

    memset(in, 0, sizeof(*in));
    if (copy_from_guest(in->bytes, rip, n) &&
        (to_page_end >= n || copy_from_guest(in->bytes, rip, n = to_page_end)))
        return false;
    in->len = n;
    return true;
}

static int next(struct insn *in)
{
    return in->pos < in->len ? in->bytes[in->pos++] : -1;
}

static int prefixes(struct insn *in)
{
    for (;;) {
        int b = next(in);

        switch (b) {
        case 0x66: in->opsize16 = true; break;
        case 0xf3: case 0xf2: in->rep = true; break;
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: case 0x67: case 0xf0:
            break;
        default:
            if (b >= 0x40 && b <= 0x4f) {
                in->rex = (uint8_t)b;
                in->rex_w = b & 8;
                b = next(in);
            }
            return b;
        }
    }
}

/*
 * Ports the hypervisor keeps, as Xen's dom0_setup_permissions denies them:
 * the PICs, the PIT and its gate, the ACPI PM timer (the FADT's 4 bytes,
 * which time.c may calibrate against), and its serial port. An access is
 * refused if any byte of it falls on one (Xen: ioports_access_permitted
 * over port..port+size-1).
 */
static bool port_is_hypervisors(uint16_t port, unsigned size)
{
    static const struct {
        uint16_t first, last;
    } kept[] = { { 0x20, 0x21 }, { 0xa0, 0xa1 }, { 0x40, 0x43 }, { 0x61, 0x61 }, { 0x3f8, 0x3ff } };
    unsigned last = port + size - 1, pm = refclock_pm_timer_port();

    for (unsigned i = 0; i < ARRAY_SIZE(kept); i++)
        if (port <= kept[i].last && last >= kept[i].first)
            return true;
    return pm && port <= pm + 3 && last >= pm;
}

static bool iopl_ok(const struct vcpu *v)
{
    return v->iopl >= (v->kernel_mode ? 1u : 3u);
}

static uint32_t pci_cf8;

static uint32_t port_in(struct vcpu *v, uint16_t port, unsigned size)
{
    uint32_t v32 = 0;

    if (!v->domain->is_hardware || port_is_hypervisors(port, size))
        return size == 4 ? ~0U : (1U << (size * 8)) - 1;
    if (port >= 0xcf8 && port <= 0xcff) {
        if (port == 0xcf8 && size == 4)
            return pci_cf8;
        if (port < 0xcfc || !(pci_cf8 & 0x80000000))
            return size == 4 ? ~0U : (1U << (size * 8)) - 1;
        outl(0xcf8, pci_cf8);
    }
    switch (size) {
    case 1: v32 = inb(port); break;
    case 2: __asm__ volatile("inw %1, %w0" : "=a"(v32) : "Nd"(port)); v32 &= 0xffff; break;
    case 4: __asm__ volatile("inl %1, %0" : "=a"(v32) : "Nd"(port)); break;
    }
    return v32;
}

static void port_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    if (!v->domain->is_hardware || port_is_hypervisors(port, size))
        return;
    if (port >= 0xcf8 && port <= 0xcff) {
        if (port == 0xcf8 && size == 4) {
            pci_cf8 = val;
            return;
        }
        if (port < 0xcfc || !(pci_cf8 & 0x80000000))
            return;
        outl(0xcf8, pci_cf8);
    }
    switch (size) {
    case 1: outb(port, (uint8_t)val); break;
    case 2: outw(port, (uint16_t)val); break;
    case 4: outl(port, val); break;
    }
}

static bool emulate_io(struct cpu_regs *r, struct insn *in, int op)
{
    struct vcpu *v = current;
    unsigned size = (op & 1) ? (in->opsize16 ? 2 : 4) : 1;
    uint16_t port;
    int imm;

    if (!iopl_ok(v))
        return false;
    if (op == 0xe4 || op == 0xe5 || op == 0xe6 || op == 0xe7) {
        if ((imm = next(in)) < 0)
            return false;
        port = (uint16_t)imm;
    } else {
        port = (uint16_t)r->rdx;
    }
    if (op == 0xe4 || op == 0xe5 || op == 0xec || op == 0xed) {
        uint32_t val = port_in(v, port, size);

        if (size == 4)
            r->rax = val; /* a 32-bit result zero-extends */
        else
            r->rax = (r->rax & ~((1UL << (size * 8)) - 1)) | val;
    } else {
        port_out(v, port, size, (uint32_t)r->rax);
    }
    return true;
}

static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE: *val = rdmsr(MSR_FS_BASE); return true;
    case MSR_GS_BASE: *val = rdmsr(MSR_GS_BASE); return true;
    case MSR_KERNEL_GS_BASE: *val = rdmsr(MSR_KERNEL_GS_BASE); return true;
    case MSR_EFER: *val = rdmsr(MSR_EFER) & EFER_VISIBLE; return true;
    case MSR_PAT: *val = XEN_MSR_PAT; return true;
    case MSR_TSC: *val = rdtsc(); return true;
    case MSR_APIC_BASE:
        /* What Xen shows a PV guest: enabled at the default base, BSP for vCPU 0. */
        *val = 0xfee00000UL | (1UL << 11) | (v->vcpu_id ? 0 : 1UL << 8);
        return true;
    }
    (void)v;
    return false;
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
        if (!is_canonical(val))
            return false;
        wrmsr(msr, val);
        if (msr == MSR_KERNEL_GS_BASE)
            v->gs_base_user = val;
        return true;
    case MSR_PAT:
        return val == XEN_MSR_PAT;
    case MSR_EFER:
        return (val & EFER_VISIBLE) == (rdmsr(MSR_EFER) & EFER_VISIBLE);
    }
    return false;
}

/* mov to/from CRn: modrm.reg is the control register, modrm.rm (+REX.B) the GPR. */
static bool emulate_cr(struct cpu_regs *r, struct vcpu *v, bool to_cr, int modrm, uint8_t rex)
{
    unsigned cr = (modrm >> 3) & 7;
    uint64_t *g = regs_gpr(r, (modrm & 7) | ((rex & 1) << 3));
    uint64_t cr0 = (read_cr0() & ~CR0_TS) | (v->cr0_ts ? CR0_TS : 0);

    if ((modrm >> 6) != 3)
        return false;
    if (!to_cr) {
        switch (cr) {
        case 0: *g = cr0; return true;
        case 2: *g = v->vcpu_info->arch.cr2; return true;
        case 3: *g = (v->kernel_mode ? v->guest_table : v->guest_table_user) << PAGE_SHIFT; return true;
        case 4: *g = v->cr4; return true;
        }
        return false;
    }
    switch (cr) {
    case 0:
        if ((*g ^ cr0) & ~CR0_TS)
            return false; /* only TS may change */
        do_fpu_taskswitch(*g & CR0_TS);
        return true;
    case 2:
        v->vcpu_info->arch.cr2 = *g;
        return true;
    case 4:
        /* The guest's view only; the hypervisor's CR4 stays as it is. */
        v->cr4 = (*g & (CR4_OSFXSR | CR4_OSXMMEXCPT | (1UL << 2) /* TSD */ | (1UL << 3) /* DE */)) |
                 CR4_PAE;
        return true;
    }
    return false;
}

static bool emulate_0f(struct cpu_regs *r, struct insn *in)
{
    struct vcpu *v = current;
    int op = next(in), modrm;
    uint64_t val;

    switch (op) {
    case 0x06: /* clts */
        do_fpu_taskswitch(0);
        return true;
    case 0x08: /* invd */
    case 0x09: /* wbinvd: only the hardware domain's cache flush matters */
        if (v->domain->is_hardware)
            __asm__ volatile("wbinvd" ::: "memory");
        return true;
    case 0x20:
    case 0x22:
        if ((modrm = next(in)) < 0)
            return false;
        return emulate_cr(r, v, op == 0x22, modrm, in->rex);
    case 0x21:
    case 0x23:
        if ((modrm = next(in)) < 0 || (modrm >> 6) != 3)
            return false;
        if (op == 0x21) {
            long dr = do_get_debugreg((modrm >> 3) & 7);

            *regs_gpr(r, (modrm & 7) | ((in->rex & 1) << 3)) = (uint64_t)dr;
            return true;
        }
        return do_set_debugreg((modrm >> 3) & 7, *regs_gpr(r, (modrm & 7) | ((in->rex & 1) << 3))) == 0;
    case 0x30: /* wrmsr */
        return write_msr(v, (uint32_t)r->rcx, (r->rdx << 32) | (uint32_t)r->rax);
    case 0x32: /* rdmsr */
        if (!read_msr(v, (uint32_t)r->rcx, &val))
            return false;
        r->rax = (uint32_t)val;
        r->rdx = val >> 32;
        return true;
    }
    return false;
}

bool pv_emulate_privileged(struct cpu_regs *r)
{
    struct vcpu *v = current;
    struct insn in;
    int op;

    if (!fetch(&in, r->rip))
        return false;
    op = prefixes(&in);
    switch (op) {
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
        if (!emulate_io(r, &in, op))
            return false;
        break;
    case 0xfa: /* cli */
    case 0xfb: /* sti */
        /*
         * Skipped, as Xen does: the virtual IF is the event mask, and a
         * following popf could not restore it (Linux's unpatched
         * this_cpu_cmpxchg16b_emu does "pushf; cli; ...; popf" early on).
         */
        if (!iopl_ok(v))
            return false;
        break;
    case 0x0f:
        if (!v->kernel_mode || !emulate_0f(r, &in))
            return false;
        break;
    default:
        return false;
    }
    r->rip += in.pos;
    return true;
}
