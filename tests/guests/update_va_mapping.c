/*
 * HYPERVISOR_update_va_mapping(va, pte, flags) (xen.h UVMF_*) as Xen 4.17
 * answers a 64-bit PV Dom0 (__do_update_va_mapping, map_guest_l1e,
 * xen/arch/x86/mm.c and pv/mm.c): the L1 entry is found through the
 * current tables, validated like an mmu_update, and the TLB flushed as
 * the flags ask.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "update_va_mapping: remaps, flush flags, bad addresses";

static long uvm(unsigned long va, uint64_t pte, unsigned long flags)
{
    return hypercall_update_va_mapping(va, pte, flags);
}

static void check_remap(void)
{
    static const struct {
        unsigned long flags;
        const char *name;
    } flush[] = {
        { UVMF_INVLPG | UVMF_LOCAL, "UVMF_INVLPG|UVMF_LOCAL" },
        { UVMF_TLB_FLUSH | UVMF_LOCAL, "UVMF_TLB_FLUSH|UVMF_LOCAL" },
        { UVMF_INVLPG | UVMF_ALL, "UVMF_INVLPG|UVMF_ALL" },
        { UVMF_TLB_FLUSH | UVMF_ALL, "UVMF_TLB_FLUSH|UVMF_ALL" },
    };
    static unsigned long vcpus = 1;
    unsigned long va = (unsigned long)scratch_va();
    uint64_t v;

    for (unsigned int i = 0; i < ARRAY_SIZE(flush); i++) {
        unsigned long mfn = alloc_frame();

        frame_write(mfn, 0, 0xf00 + i);
        check_rc(uvm(va, pte_make(mfn, PTE_KERNEL_RW), flush[i].flags), 0,
                 "map a frame with %s", flush[i].name);
        v = 0;
        check_no_trap(probe_read(va, &v), "  read through it");
        check_eq(v, 0xf00 + i, "  the new frame's word");
    }

    /* UVMF_MULTI: the flags carry a pointer to a vCPU bitmap. */
    {
        unsigned long mfn = alloc_frame();

        frame_write(mfn, 0, 0xabc);
        check_rc(uvm(va, pte_make(mfn, PTE_KERNEL_RW),
                     UVMF_INVLPG | UVMF_MULTI | (unsigned long)&vcpus), 0,
                 "map with UVMF_INVLPG|UVMF_MULTI and a mask of vCPU 0");
        probe_read(va, &v);
        check_eq(v, 0xabc, "  the new frame's word");
        /*
         * An unreadable mask fails the flush, after the entry was written
         * (vcpumask_to_pcpumask runs last).
         */
        check_rc(uvm(va, 0, UVMF_TLB_FLUSH | UVMF_MULTI | 0x1000), -XEN_EFAULT,
                 "unmap with UVMF_TLB_FLUSH|UVMF_MULTI and a mask at 0x1000");
        check_eq(pt_read_entry(va, 1), 0, "  the entry was written anyway");
    }

    check_rc(uvm(va, 0, UVMF_INVLPG | UVMF_LOCAL), 0, "unmap");
    check_rc(probe_read(va, NULL), X86_EXC_PF, "  reading it faults");
    check_eq(last_trap.cr2, va, "  at the address");

    /* The offset within the page does not matter. */
    {
        unsigned long mfn = alloc_frame();

        frame_write(mfn, 1, 0x5151);
        check_rc(uvm(va + 0x123, pte_make(mfn, PTE_KERNEL_RW), UVMF_INVLPG),
                 0, "map with an address that is not page aligned");
        probe_read(va + 8, &v);
        check_eq(v, 0x5151, "  the page is mapped");
    }
    unmap_va((void *)va);
}

/* The address must have an L1 in the current tables, outside Xen's range. */
static void check_bad_va(void)
{
    unsigned long mfn = alloc_frame();
    static const struct {
        unsigned long va;
        const char *what;
    } bad[] = {
        { 0x1000, "with no L3 (L4 slot 0 empty)" },
        { 0xffffffffc0000000UL, "with no L2 (L3 slot 511 empty)" },
        { VIRT_BASE + (64UL << 20), "with no L1 (L2 slot 32 empty)" },
        { HYPERVISOR_VIRT_START, "at HYPERVISOR_VIRT_START (the M2P)" },
        { 0xffff830000000000UL, "in the hypervisor's direct map" },
        { HYPERVISOR_VIRT_END - PAGE_SIZE, "at the hypervisor's last page" },
        { 0x0000800000000000UL, "non-canonical" },
        { 0x8000000000000000UL, "non-canonical" },
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
        check_rc(uvm(bad[i].va, pte_make(mfn, PTE_KERNEL_RW), UVMF_INVLPG),
                 -XEN_EINVAL, "va %#lx %s", bad[i].va, bad[i].what);
}

/* The new entry gets mmu_update's checks. */
static void check_bad_pte(void)
{
    unsigned long va = (unsigned long)scratch_va();
    uint64_t l1e = pt_entry_maddr(va, 1);
    unsigned long l1 = l1e >> PAGE_SHIFT, data = alloc_frame();

    check_rc(uvm(va, pte_make(l1, PTE_KERNEL_RW), UVMF_INVLPG), -XEN_EBUSY,
             "writable mapping of an L1 page table");
    check_eq(pt_read_entry(va, 1), 0, "  the entry is unchanged");
    check_rc(uvm(va, pte_make(l1, PTE_KERNEL_RO), UVMF_INVLPG), 0,
             "read-only mapping of the L1 page table");
    check_rc(uvm(va, pte_make(hypervisor_mfn(), PTE_KERNEL_RO), UVMF_INVLPG),
             -XEN_EBUSY, "mapping of a hypervisor frame");
    check_eq(pte_mfn(pt_read_entry(va, 1)), l1, "  the entry is unchanged");
    check_rc(uvm(va, pte_make(data, PTE_KERNEL_RW), UVMF_INVLPG), 0,
             "mapping of a frame of ours");
    unmap_va((void *)va);
}

void test_main(void)
{
    traps_init();
    check_remap();
    check_bad_va();
    check_bad_pte();
}
