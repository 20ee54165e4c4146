/*
 * Direct paging must never give a guest a mapping it may not have
 * (get_page_from_l1e, get_page_from_l2e..l4e, _get_page_type and the
 * linear page-table rules, xen/arch/x86/mm.c): frames of the hypervisor
 * or of nobody, I/O memory outside what Dom0 was granted
 * (dom0_setup_permissions, xen/arch/x86/dom0_build.c), writable mappings
 * of page tables, and tables that map themselves or each other.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "mmu_isolation: mappings a guest must not get";

static unsigned long va;
static uint64_t l1e;

static long map(unsigned long mfn, uint64_t flags)
{
    return mmu_update_one(l1e, pte_make(mfn, flags));
}

static void check_foreign(void)
{
    unsigned long mfn = hypervisor_mfn(), freed = alloc_frame();
    uint64_t before = pt_read_entry(va, 1);
    struct xen_memory_reservation r = {
        .nr_extents = 1,
        .extent_order = 0,
        .domid = DOMID_SELF,
    };

    check_rc(map(mfn, PTE_KERNEL_RO), -XEN_EBUSY,
             "read-only mapping of hypervisor frame %#lx", mfn);
    check_rc(map(mfn, PTE_KERNEL_RW), -XEN_EBUSY,
             "writable mapping of the hypervisor frame");

    /* A frame we gave back belongs to nobody (or to someone else). */
    set_xen_guest_handle(r.extent_start, &freed);
    check_rc(hypercall_memory_op(XENMEM_decrease_reservation, &r), 1,
             "XENMEM_decrease_reservation of mfn %#lx", freed);
    check_rc(map(freed, PTE_KERNEL_RO), -XEN_EBUSY,
             "read-only mapping of the frame we gave back");
    check_eq(pt_read_entry(va, 1), before, "  the entry is unchanged");
}

/*
 * Dom0 may map I/O memory it was granted, which Xen makes uncacheable
 * unless the entry asks otherwise (the PAGE_CACHE_ATTRS switch in
 * get_page_from_l1e), but not the local APIC or the MSI range, and the
 * I/O APIC only read-only (it is in mmio_ro_ranges, so Xen drops RW);
 * an mfn beyond the physical address width is invalid.
 */
static void check_io(void)
{
    uint64_t e;

    /* The first MiB is I/O to Xen (arch_init_memory); 0xb8: VGA text. */
    check_rc(map(0xb8, PTE_KERNEL_RW), 0,
             "mapping of VGA text memory (mfn 0xb8)");
    e = pt_read_entry(va, 1);
    check_eq(e & (PTE_PCD | PTE_PWT), PTE_PCD | PTE_PWT,
             "  made uncacheable (PCD|PWT)");
    check_rc(map(0xfee00, PTE_KERNEL_RW), -XEN_EPERM,
             "mapping of the local APIC (mfn 0xfee00)");
    check_rc(map(0xfec00, PTE_KERNEL_RW), 0,
             "writable mapping of the I/O APIC (mfn 0xfec00)");
    e = pt_read_entry(va, 1);
    check_eq(e & (PTE_RW | PTE_PCD | PTE_PWT), PTE_PCD | PTE_PWT,
             "  made read-only and uncacheable");
    /* PADDR_MASK >> PAGE_SHIFT, "INVALID_MFN?" in get_page_from_l1e. */
    check_rc(map(0xffffffffffUL, PTE_KERNEL_RO), -XEN_EINVAL,
             "mapping of mfn 0xffffffffff");
    map(0, 0);
}

/* Every level of our own tables: read-only yes, writable never. */
static void check_tables(void)
{
    static const char *const name[] = { "", "L1", "L2", "L3", "L4" };

    for (unsigned int level = 1; level <= 4; level++) {
        uint64_t e = pt_entry_maddr(start_info->pt_base, level);
        unsigned long mfn = e >> PAGE_SHIFT;

        check_rc(map(mfn, PTE_KERNEL_RW), -XEN_EBUSY,
                 "writable mapping of our live %s (mfn %#lx)", name[level],
                 mfn);
        check_rc(map(mfn, PTE_KERNEL_RO), 0,
                 "read-only mapping of our live %s", name[level]);
    }
    map(0, 0);
}

/* An L1 whose entry 0 maps the L1 itself. */
static void check_self_map(void)
{
    unsigned long t = alloc_zeroed_frame();

    frame_write(t, 0, pte_make(t, PTE_KERNEL_RW));
    check_rc(pin_table(1, t), -XEN_EBUSY,
             "pin an L1 that maps itself writable");
    frame_write(t, 0, pte_make(t, PTE_KERNEL_RO));
    check_rc(pin_table(1, t), 0, "pin an L1 that maps itself read-only");
    check_rc(unpin_table(t), 0, "  unpin it");
}

/*
 * A chain L4 -> L3 -> L2 -> L1 whose L1 maps the L4: writable, the L4
 * could then be rewritten behind Xen's back; read-only it is harmless.
 */
static void check_loop(void)
{
    unsigned long l4 = alloc_zeroed_frame(), l3, l2, l1;
    struct pt_slot s;

    s = (struct pt_slot){ 1, pte_make(l4, PTE_KERNEL_RW) };
    l1 = pt_build(&s, 1);
    s = (struct pt_slot){ 0, pte_make(l1, PTE_TABLE) };
    l2 = pt_build(&s, 1);
    s = (struct pt_slot){ 0, pte_make(l2, PTE_TABLE) };
    l3 = pt_build(&s, 1);
    frame_write(l4, 0, pte_make(l3, PTE_TABLE));

    check_rc(pin_table(4, l4), -XEN_EBUSY,
             "pin an L4 whose L1 maps the L4 writable");
    frame_write(l1, 1, pte_make(l4, PTE_KERNEL_RO));
    check_rc(pin_table(4, l4), 0, "pin it with the L4 mapped read-only");
    check_rc(unpin_table(l4), 0, "  unpin it");
}

/*
 * Linear page tables (get_l2_linear_pagetable, "pv-linear-pt", on by
 * default): an L2 entry may point back at its own L2, read-only.
 */
static void check_linear(void)
{
    unsigned long l2 = alloc_zeroed_frame();

    frame_write(l2, 5, pte_make(l2, PTE_P | PTE_RW | PTE_US | PTE_A));
    check_rc(pin_table(2, l2), -XEN_EINVAL,
             "pin an L2 with a writable entry pointing at itself");
    frame_write(l2, 5, pte_make(l2, PTE_P | PTE_US | PTE_A));
    check_rc(pin_table(2, l2), 0,
             "pin an L2 with a read-only entry pointing at itself");
    check_rc(unpin_table(l2), 0, "  unpin it");
}

/* An entry must name a table of the next level down. */
static void check_levels(void)
{
    unsigned long l1 = alloc_zeroed_frame();
    uint64_t l3e = pt_entry_maddr(0xffffffffc0000000UL, 3);

    check_rc(pin_table(1, l1), 0, "pin an empty L1");
    check_rc(mmu_update_one(l3e, pte_make(l1, PTE_TABLE)), -XEN_EINVAL,
             "an L3 entry naming the pinned L1");
    check_rc(mmu_update_one(pt_entry_maddr(0, 4), pte_make(l1, PTE_TABLE)),
             -XEN_EINVAL, "an L4 entry naming the pinned L1");
    check_eq(pt_read_entry(0xffffffffc0000000UL, 3), 0,
             "  the L3 entry is unchanged");
    check_rc(unpin_table(l1), 0, "  unpin it");
}

void test_main(void)
{
    traps_init();
    va = (unsigned long)scratch_va();
    l1e = pt_entry_maddr(va, 1);
    check_foreign();
    check_io();
    check_tables();
    check_self_map();
    check_loop();
    check_linear();
    check_levels();
}
