/*
 * Segment descriptors: the guest's GDT frames (set_gdt), single
 * descriptors (update_descriptor), segment bases (set_segment_base) and
 * the LDT (MMUEXT_SET_LDT). Each CPU's GDT is a window of 16 pages at
 * PERCPU_DT_VIRT_START: pages 0-13 show the running vCPU's GDT frames (or
 * zeros), page 14 holds the hypervisor's reserved selectors
 * (FIRST_RESERVED_GDT_PAGE), so the guest's selectors and Xen's flat ones
 * are valid together.
 */
#include <asm/cpu.h>
#include <xen/xen.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define GUEST_GDT_PAGES GDT_RESERVED_PAGE
#define GUEST_GDT_ENTRIES (GUEST_GDT_PAGES * 512) /* FIRST_RESERVED_GDT_ENTRY */
#define SEG_P (1U << 15)
#define SEG_S (1U << 12)
#define SEG_DPL (3U << 13)
#define SEG_TYPE (0xfU << 8)
#define SEG_TYPE_CALL_GATE (0xcU << 8)
#define DT_FLAGS (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)

static uint64_t dt_va(unsigned cpu, unsigned page)
{
    return PERCPU_DT_VIRT_START + ((uint64_t)cpu * PERCPU_DT_PAGES + page) * PAGE_SIZE;
}

#define LDT_FIRST_PAGE 16
#define LDT_PAGES 16

static uint64_t *reserved_gdt[NR_CPUS]; /* each CPU's page of Xen selectors */

/*
 * Builds this CPU's window: zeros below the reserved page at 14; the LDT
 * pages (16-31) start not present and are filled when the guest's LDT is
 * first touched (handle_ldt_fault).
 */
uint64_t percpu_gdt_init(unsigned cpu, void *reserved_page)
{
    reserved_gdt[cpu] = reserved_page;
    for (unsigned p = 0; p < PERCPU_DT_PAGES; p++)
        *idle_l1e(dt_va(cpu, p)) =
            p >= LDT_FIRST_PAGE ? 0
            : virt_to_maddr(p == GDT_RESERVED_PAGE ? reserved_page : zero_page) |
                  (p == GDT_RESERVED_PAGE ? DT_FLAGS : DT_FLAGS & ~_PAGE_RW);
    flush_tlb_local();
    return dt_va(cpu, 0);
}

/* Drops the LDT pages mapped for v on this CPU, with their references. */
static void invalidate_ldt(struct vcpu *v)
{
    unsigned cpu = smp_processor_id();

    for (unsigned p = 0; p < LDT_PAGES; p++) {
        if (!v->ldt_frames[p])
            continue;
        *idle_l1e(dt_va(cpu, LDT_FIRST_PAGE + p)) = 0;
        put_page_and_type(mfn_to_page(v->ldt_frames[p]));
        v->ldt_frames[p] = 0;
    }
    flush_tlb_local();
}

/* Points LDTR at this CPU's window, sized for v's LDT (a 64-bit LDT descriptor at 0xe050). */
static void load_ldt(struct vcpu *v)
{
    uint64_t *r = reserved_gdt[smp_processor_id()], base = dt_va(smp_processor_id(), LDT_FIRST_PAGE);
    uint64_t limit = (uint64_t)v->ldt_ents * 8 - 1;

    if (!v->ldt_ents) {
        __asm__ volatile("lldt %w0" ::"r"(0));
        return;
    }
    r[(LDT_SELECTOR & 0xff) / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x82UL << 40) |
                                   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    r[(LDT_SELECTOR & 0xff) / 8 + 1] = base >> 32;
    __asm__ volatile("lldt %w0" ::"r"(LDT_SELECTOR));
}

/*
 * A guest's use of an LDT selector faulted on the not-present window:
 * map the guest's LDT page there (typed as a descriptor page, so no
 * writable mapping of it remains) and retry. Returns false if the guest
 * page is not mapped or not usable; the guest then gets the #PF.
 */
bool handle_ldt_fault(struct vcpu *v, uint64_t addr)
{
    unsigned cpu = smp_processor_id();
    uint64_t window = dt_va(cpu, LDT_FIRST_PAGE), off = addr - window, gva, mfn;
    pte_t *t, e = 0;
    bool ok = false;

    if (addr < window || off >= LDT_PAGES * PAGE_SIZE || off >= (uint64_t)v->ldt_ents * 8)
        return false;
    gva = v->ldt_base + (off & ~(uint64_t)(PAGE_SIZE - 1));
    mm_lock();
    t = maddr_to_virt(read_cr3() & PADDR_MASK);
    for (int shift = L4_SHIFT; shift >= L1_SHIFT; shift -= 9) {
        e = t[PT_INDEX(gva, shift)];
        if (!(e & _PAGE_PRESENT) || (shift > L1_SHIFT && (e & _PAGE_PSE)))
            break;
        if (shift == L1_SHIFT) {
            mfn = (e & PADDR_MASK) >> PAGE_SHIFT;
            if (!get_page_and_type(mfn_to_page(mfn), v->domain, PGT_seg_desc)) {
                v->ldt_frames[off >> PAGE_SHIFT] = mfn;
                *idle_l1e(addr & ~(uint64_t)(PAGE_SIZE - 1)) = (mfn << PAGE_SHIFT) | DT_FLAGS;
                ok = true;
            }
            break;
        }
        t = maddr_to_virt(e & PADDR_MASK);
    }
    mm_unlock();
    return ok;
}

static void map_guest_gdt(unsigned cpu, const struct vcpu *v)
{
    for (unsigned p = 0; p < GUEST_GDT_PAGES; p++)
        *idle_l1e(dt_va(cpu, p)) = p < ROUNDUP(v->gdt_ents, 512) / 512
                                       ? (v->gdt_frames[p] << PAGE_SHIFT) | DT_FLAGS
                                       : virt_to_maddr(zero_page) | (DT_FLAGS & ~_PAGE_RW);
    flush_tlb_local();
}

void pv_load_descriptor_tables(struct vcpu *v)
{
    map_guest_gdt(smp_processor_id(), v);
    load_ldt(v);
}

/* Before v leaves this CPU: its LDT pages here go (they are mapped again on use). */
void pv_unload_descriptor_tables(struct vcpu *v)
{
    invalidate_ldt(v);
}

/*
 * Xen's check_descriptor for 64-bit PV: not-present descriptors and code
 * or data segments pass with their DPL raised to 3 (the guest kernel's
 * ring); of system descriptors only call gates pass, with DPL 0 so that
 * using one faults into the hypervisor, their target checked.
 */
static bool check_descriptor(uint64_t *desc)
{
    uint32_t a = (uint32_t)*desc, b = (uint32_t)(*desc >> 32), cs, dpl;

    if (!(b & SEG_P))
        return true;
    dpl = 3;
    b = (b & ~SEG_DPL) | (dpl << 13);
    if (!(b & SEG_S))
        goto system;
    *desc = ((uint64_t)b << 32) | a;
    return true;
system:
    if (!(b & SEG_TYPE))
        return true; /* type 0: the second half of a call gate */
    if ((b & SEG_TYPE) != SEG_TYPE_CALL_GATE)
        return false;
    cs = a >> 16;
    /* The target may not be a hypervisor selector, other than the flat kernel CS. */
    if ((cs >> 3) >= GUEST_GDT_ENTRIES && (cs >> 3) < GUEST_GDT_ENTRIES + 512 &&
        cs != FLAT_KERNEL_CS)
        return false;
    b &= ~SEG_DPL;
    cs = (cs & ~3U) | dpl;
    a = (a & 0xffff) | (cs << 16);
    if (b & 0xff)
        return false;
    *desc = ((uint64_t)b << 32) | a;
    return true;
}

/* Validation of a PGT_seg_desc page: all 512 descriptors, fixed up in place. */
int validate_descriptor_page(uint64_t *descs)
{
    for (unsigned i = 0; i < 512; i++)
        if (!check_descriptor(&descs[i]))
            return -EINVAL;
    return 0;
}

static void put_gdt(struct vcpu *v)
{
    for (unsigned p = 0; p < ROUNDUP(v->gdt_ents, 512) / 512; p++)
        put_page_and_type(mfn_to_page(v->gdt_frames[p]));
    v->gdt_ents = 0;
}

/* Installs v's GDT frames, each typed as a descriptor page while in use. */
long pv_set_gdt(struct vcpu *v, const xen_ulong_t *frames, unsigned entries)
{
    unsigned n = (entries + 511) / 512, i;

    if (entries > GUEST_GDT_ENTRIES)
        return -EINVAL;
    for (i = 0; i < n; i++)
        if (get_page_and_type(mfn_to_page(frames[i]), v->domain, PGT_seg_desc))
            break;
    if (i < n) {
        while (i--)
            put_page_and_type(mfn_to_page(frames[i]));
        return -EINVAL;
    }
    put_gdt(v);
    for (i = 0; i < n; i++)
        v->gdt_frames[i] = frames[i];
    v->gdt_ents = entries;
    if (v == current)
        map_guest_gdt(smp_processor_id(), v);
    return 0;
}

static long do_set_gdt_locked(uint64_t frame_list, uint64_t entries)
{
    unsigned n = ((unsigned)entries + 511) / 512;
    xen_ulong_t frames[GUEST_GDT_PAGES];

    if ((unsigned)entries > GUEST_GDT_ENTRIES)
        return -EINVAL;
    if (copy_from_guest(frames, frame_list, n * sizeof(frames[0])))
        return -EFAULT;
    return pv_set_gdt(current, frames, (unsigned)entries);
}

static long do_update_descriptor_locked(uint64_t maddr, uint64_t desc)
{
    struct domain *d = current->domain;
    struct page_info *pg = mfn_to_page(maddr >> PAGE_SHIFT);
    long rc = -EINVAL;

    if ((maddr & 7) || !check_descriptor(&desc) || !get_page(pg, d))
        return -EINVAL;
    if (pg->type == PGT_seg_desc && pg->type_count ? !get_page_type(pg, PGT_seg_desc)
                                                   : !get_page_type(pg, PGT_writable)) {
        *(volatile uint64_t *)((uint8_t *)mfn_to_virt(maddr >> PAGE_SHIFT) +
                               (maddr & (PAGE_SIZE - 1))) = desc;
        put_page_type(pg);
        rc = 0;
    }
    put_page(pg);
    return rc;
}

/* Loads a user GS selector without losing the kernel's GS base; a bad one becomes null. */
static void load_user_gs(uint16_t sel)
{
    __asm__ volatile("swapgs\n"
                     "1: mov %w0, %%gs\n"
                     "2: swapgs\n"
                     ".section .fixup, \"ax\"\n"
                     "3: xor %k0, %k0\n"
                     "   jmp 1b\n"
                     ".previous\n"
                     ".section .ex_table, \"a\"\n"
                     ".quad 1b, 3b\n"
                     ".previous"
                     : "+r"(sel)::"memory");
}

long do_set_segment_base(uint64_t which, uint64_t base)
{
    struct vcpu *v = current;

    switch ((unsigned)which) {
    case SEGBASE_FS:
        if (!is_canonical(base))
            return -EINVAL;
        wrmsr(MSR_FS_BASE, base);
        return 0;
    case SEGBASE_GS_USER:
        if (!is_canonical(base))
            return -EINVAL;
        v->gs_base_user = base;
        wrmsr(MSR_KERNEL_GS_BASE, base); /* the inactive base in kernel mode */
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!is_canonical(base))
            return -EINVAL;
        wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_USER_SEL:
        load_user_gs((uint16_t)base);
        return 0;
    }
    return -EINVAL;
}

/*
 * MMUEXT_SET_LDT: the LDT's pages are mapped lazily, on first use
 * (handle_ldt_fault), as on Xen, so they need not be mapped yet.
 * Called under the mm lock.
 */
long pv_set_ldt(struct vcpu *v, uint64_t base, unsigned ents)
{
    /* With no entries the address does not matter (Xen ignores it too). */
    if (ents > 8192 || (ents && ((base & (PAGE_SIZE - 1)) || !guest_range_ok(base, (uint64_t)ents * 8))))
        return -EINVAL;
    invalidate_ldt(v);
    v->ldt_base = base;
    v->ldt_ents = ents;
    load_ldt(v);
    return 0;
}

long do_set_gdt(uint64_t frame_list, uint64_t entries)
{
    return MM_LOCKED(do_set_gdt_locked(frame_list, entries));
}

long do_update_descriptor(uint64_t maddr, uint64_t desc)
{
    return MM_LOCKED(do_update_descriptor_locked(maddr, desc));
}
