/*
 * HYPERVISOR_memory_op (memory.h) as Xen 4.17 answers a 64-bit PV Dom0
 * (do_memory_op, xen/common/memory.c; arch_memory_op, xen/arch/x86/mm.c;
 * subarch_memory_op, xen/arch/x86/x86_64/mm.c): the read-only queries,
 * the memory maps, and giving frames back and getting them again.
 *
 * The reservation ops return how many extents they processed, never an
 * error: even an unreadable argument gives 0 (start_extent).
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "memory_op: queries, memory maps, reservation round trips";

#define INVALID_M2P ~0UL

/*
 * do_memory_op takes a continuation's start extent from cmd's bits 6 and
 * up (MEMOP_EXTENT_SHIFT, xen/include/xen/hypercall.h: not public).
 */
#define MEMOP_EXTENT_SHIFT 6

/* An E820 entry as Xen stores it (packed, 20 bytes). */
struct e820entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));
#define E820_RAM 1

static const unsigned long *const m2p =
    (const unsigned long *)MACH2PHYS_VIRT_START;

static long memop(unsigned long cmd, void *arg)
{
    return hypercall_memory_op(cmd, arg);
}

static long reservation(unsigned int cmd, domid_t dom)
{
    struct xen_memory_domain d = { .domid = dom };

    return memop(cmd, &d);
}

static long extents(unsigned int cmd, xen_pfn_t *list, unsigned int nr,
                    unsigned int order)
{
    struct xen_memory_reservation r = {
        .nr_extents = nr,
        .extent_order = order,
        .domid = DOMID_SELF,
    };

    set_xen_guest_handle(r.extent_start, list);
    return memop(cmd, &r);
}

static unsigned long max_page;

static void check_queries(void)
{
    struct xen_machphys_mapping map;
    long cur;

    max_page = memop(XENMEM_maximum_ram_page, NULL);
    check((long)max_page > 0, "XENMEM_maximum_ram_page = %#lx", max_page);
    check(pfn_to_mfn(start_info->nr_pages - 1) < max_page &&
          pfn_to_mfn(0) < max_page, "  above every mfn of ours");
    /* Only the reservation ops take a start extent in cmd's upper bits. */
    check_rc(memop(XENMEM_maximum_ram_page | (1 << MEMOP_EXTENT_SHIFT), NULL),
             -XEN_EINVAL, "XENMEM_maximum_ram_page with a start extent");

    cur = reservation(XENMEM_current_reservation, DOMID_SELF);
    check_rc(cur, start_info->nr_pages,
             "XENMEM_current_reservation = start_info.nr_pages");
    check(reservation(XENMEM_maximum_reservation, DOMID_SELF) >= cur,
          "XENMEM_maximum_reservation >= current");
    check_rc(reservation(XENMEM_current_reservation, 0), cur,
             "XENMEM_current_reservation of domain 0 by number");
    check_rc(reservation(XENMEM_current_reservation, 0x1234), -XEN_ESRCH,
             "XENMEM_current_reservation of domain 0x1234");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(memop(XENMEM_current_reservation, (void *)bad_ptrs[i].addr),
                 -XEN_EFAULT, "XENMEM_current_reservation at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);

    /* A PV guest declares its pfn count in shared_info.arch.max_pfn. */
    shared_info->arch.max_pfn = 0;
    check_rc(reservation(XENMEM_maximum_gpfn, DOMID_SELF), 0,
             "XENMEM_maximum_gpfn with arch.max_pfn 0");
    shared_info->arch.max_pfn = start_info->nr_pages;
    check_rc(reservation(XENMEM_maximum_gpfn, DOMID_SELF),
             start_info->nr_pages - 1,
             "XENMEM_maximum_gpfn with arch.max_pfn = nr_pages");

    memset(&map, 0, sizeof(map));
    check_rc(memop(XENMEM_machphys_mapping, &map), 0,
             "XENMEM_machphys_mapping");
    check_eq(map.v_start, MACH2PHYS_VIRT_START, "  v_start");
    check_eq(map.v_end, MACH2PHYS_VIRT_END, "  v_end");
    check_eq(map.max_mfn, max_page - 1, "  max_mfn (Dom0: max_page - 1)");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(memop(XENMEM_machphys_mapping, (void *)bad_ptrs[i].addr),
                 -XEN_EFAULT, "XENMEM_machphys_mapping at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);
}

/* The frames behind the M2P, one per 2 MiB of it. */
static void check_mfn_list(void)
{
    static xen_pfn_t mfns[64];
    struct xen_machphys_mfn_list l = { .max_extents = ARRAY_SIZE(mfns) };
    unsigned long want = (max_page * 8 + (2UL << 20) - 1) >> 21;

    set_xen_guest_handle(l.extent_start, mfns);
    check_rc(memop(XENMEM_machphys_mfn_list, &l), 0,
             "XENMEM_machphys_mfn_list");
    check_rc(l.nr_extents, want, "  one extent per 2 MiB of M2P");
    check(mfns[0] != 0, "  first extent mfn %#lx", mfns[0]);
    l.max_extents = 0;
    check_rc(memop(XENMEM_machphys_mfn_list, &l), 0, "  with max_extents 0");
    check_rc(l.nr_extents, 0, "  nr_extents");
    l.max_extents = 1;
    set_xen_guest_handle(l.extent_start, (xen_pfn_t *)0x1000);
    check_rc(memop(XENMEM_machphys_mfn_list, &l), -XEN_EFAULT,
             "  with the list at 0x1000");
}

static void check_maps(void)
{
    static struct e820entry e[128];
    struct xen_memory_map map = { .nr_entries = 0 };
    unsigned int n;
    bool first = false, last = false;
    unsigned long lo = pfn_to_mfn(0), hi = pfn_to_mfn(start_info->nr_pages - 1);

    /* No buffer: just the count. */
    set_xen_guest_handle(map.buffer, NULL);
    check_rc(memop(XENMEM_machine_memory_map, &map), 0,
             "XENMEM_machine_memory_map without a buffer");
    n = map.nr_entries;
    check(n > 0 && n <= ARRAY_SIZE(e), "  %u entries", n);

    /* Room for the host's map plus one is required (e820.nr_map + 1). */
    map.nr_entries = 1;
    set_xen_guest_handle(map.buffer, e);
    check_rc(memop(XENMEM_machine_memory_map, &map), -XEN_EINVAL,
             "XENMEM_machine_memory_map into 1 entry");

    map.nr_entries = ARRAY_SIZE(e);
    check_rc(memop(XENMEM_machine_memory_map, &map), 0,
             "XENMEM_machine_memory_map into 128 entries");
    check_rc(map.nr_entries, n, "  the same count");
    for (unsigned int i = 0; i < map.nr_entries && i < ARRAY_SIZE(e); i++) {
        unsigned long s = e[i].addr >> PAGE_SHIFT;
        unsigned long end = (e[i].addr + e[i].size) >> PAGE_SHIFT;

        printf("  %#014lx-%#014lx type %u\n", (unsigned long)e[i].addr,
               (unsigned long)(e[i].addr + e[i].size), e[i].type);
        if (e[i].type == E820_RAM) {
            first |= lo >= s && lo < end;
            last |= hi >= s && hi < end;
        }
        if (i && e[i].addr < e[i - 1].addr + e[i - 1].size)
            test_fail("entry %u overlaps or is out of order", i);
    }
    check(first && last, "  our first and last frames lie in RAM entries");
    map.nr_entries = ARRAY_SIZE(e);
    set_xen_guest_handle(map.buffer, (void *)0x1000);
    check_rc(memop(XENMEM_machine_memory_map, &map), -XEN_EFAULT,
             "XENMEM_machine_memory_map into 0x1000");

    /* A PV Dom0 has no pseudo-physical map of its own (nr_e820 == 0). */
    map.nr_entries = ARRAY_SIZE(e);
    set_xen_guest_handle(map.buffer, e);
    check_rc(memop(XENMEM_memory_map, &map), -XEN_ENOSYS, "XENMEM_memory_map");
}

static void check_round_trip(void)
{
    long cur = reservation(XENMEM_current_reservation, DOMID_SELF);
    unsigned long a = alloc_frame(), pfn = mfn_to_pfn(a);
    xen_pfn_t list[2];
    unsigned long *p2m = (unsigned long *)start_info->mfn_list;

    list[0] = a;
    check_rc(extents(XENMEM_decrease_reservation, list, 1, 0), 1,
             "XENMEM_decrease_reservation of mfn %#lx", a);
    check_rc(reservation(XENMEM_current_reservation, DOMID_SELF), cur - 1,
             "  current reservation one less");
    check_eq(m2p[a], INVALID_M2P, "  its M2P entry is invalid");
    check_rc(extents(XENMEM_decrease_reservation, list, 1, 0), 0,
             "  giving it back again does nothing");

    /* PV: the list holds pfns in, and the new mfns out. */
    list[0] = pfn;
    check_rc(extents(XENMEM_populate_physmap, list, 1, 0), 1,
             "XENMEM_populate_physmap of pfn %#lx", pfn);
    check_eq(m2p[list[0]], pfn, "  new mfn %#lx has M2P entry pfn",
             (unsigned long)list[0]);
    check_rc(reservation(XENMEM_current_reservation, DOMID_SELF), cur,
             "  current reservation back");
    p2m[pfn] = list[0];
    frame_write(list[0], 0, 0x4242);
    check_eq(frame_read(list[0], 0), 0x4242, "  the new frame is ours");

    /* increase_reservation: frames, no pfns; the list may be NULL. */
    list[0] = alloc_frame();
    extents(XENMEM_decrease_reservation, list, 1, 0);
    check_rc(extents(XENMEM_increase_reservation, NULL, 1, 0), 1,
             "XENMEM_increase_reservation of 1 with no list");
    check_rc(reservation(XENMEM_current_reservation, DOMID_SELF), cur,
             "  current reservation back");

    /* Arguments Xen cannot use: 0 extents done, never an error. */
    check_rc(extents(XENMEM_decrease_reservation, (xen_pfn_t *)0x1000, 1, 0), 0,
             "XENMEM_decrease_reservation with the list at 0x1000");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(memop(XENMEM_decrease_reservation, (void *)bad_ptrs[i].addr),
                 0, "XENMEM_decrease_reservation at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);
    list[0] = hypervisor_mfn();
    check_rc(extents(XENMEM_decrease_reservation, list, 1, 0), 0,
             "XENMEM_decrease_reservation of a hypervisor frame");
    list[0] = pfn;
    check_rc(extents(XENMEM_populate_physmap, list, 1, 40), 0,
             "XENMEM_populate_physmap of order 40");
}

/*
 * Giving back a frame that is pinned as a page table: Xen drops the
 * allocation reference (guest_remove_page), and the frame is freed, and
 * leaves the reservation, when its last reference goes: the pin.
 */
static void check_free_pinned(void)
{
    long cur = reservation(XENMEM_current_reservation, DOMID_SELF);
    xen_pfn_t t = alloc_zeroed_frame();
    unsigned long va = (unsigned long)scratch_va();

    check_rc(pin_table(1, t), 0, "pin an L1 (mfn %#lx)", (unsigned long)t);
    check_rc(extents(XENMEM_decrease_reservation, &t, 1, 0), 1,
             "XENMEM_decrease_reservation of the pinned L1");
    check_rc(reservation(XENMEM_current_reservation, DOMID_SELF), cur,
             "  current reservation unchanged while it is pinned");
    check_rc(unpin_table(t), 0, "  it can still be unpinned");
    check_rc(reservation(XENMEM_current_reservation, DOMID_SELF), cur - 1,
             "  current reservation one less once unpinned");
    check_rc(hypercall_update_va_mapping(va, pte_make(t, PTE_KERNEL_RO),
                                         UVMF_INVLPG),
             -XEN_EBUSY, "  and then it is gone: mapping it fails");
    unmap_va((void *)va);
}

void test_main(void)
{
    traps_init();
    check_queries();
    check_mfn_list();
    check_maps();
    check_round_trip();
    check_free_pinned();
}
