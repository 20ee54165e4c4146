/*
 * XENMEM_exchange (memory.h, struct xen_memory_exchange) as Xen 4.17's
 * memory_exchange (xen/common/memory.c) answers a 64-bit PV Dom0: frames
 * traded for a machine-contiguous extent below an address limit, as
 * Linux's xen_create_contiguous_region does for swiotlb, and back; and the
 * refusals, which must leave our memory as it was.
 *
 * PV: in.extent_start holds MFNs; out.extent_start holds the GPFN each new
 * extent's M2P entries are to name, and receives the extent's MFN.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "memory_op XENMEM_exchange: contiguous extents, refusals";

static const unsigned long *const m2p =
    (const unsigned long *)MACH2PHYS_VIRT_START;

static long exchange(xen_pfn_t *in, unsigned long nr_in, unsigned int in_order,
                     xen_pfn_t *out, unsigned long nr_out,
                     unsigned int out_order, unsigned int bits,
                     unsigned long *done)
{
    struct xen_memory_exchange x = {
        .in = { .nr_extents = nr_in, .extent_order = in_order,
                .domid = DOMID_SELF },
        .out = { .nr_extents = nr_out, .extent_order = out_order,
                 .mem_flags = XENMEMF_address_bits(bits),
                 .domid = DOMID_SELF },
    };
    long rc;

    set_xen_guest_handle(x.in.extent_start, in);
    set_xen_guest_handle(x.out.extent_start, out);
    rc = hypercall_memory_op(XENMEM_exchange, &x);
    *done = x.nr_exchanged;
    return rc;
}

static long current_reservation(void)
{
    struct xen_memory_domain d = { .domid = DOMID_SELF };

    return hypercall_memory_op(XENMEM_current_reservation, &d);
}

/* A frame is ours when we may map it; a freed one maps as -EBUSY (get_page_from_l1e). */
static long map_ro(unsigned long mfn)
{
    unsigned long va = (unsigned long)scratch_va();
    long rc = hypercall_update_va_mapping(va, pte_make(mfn, PTE_KERNEL_RO),
                                          UVMF_INVLPG);

    unmap_va((void *)va);
    return rc;
}

/* Our p2m follows the exchange, as Linux's does. */
static void set_p2m(unsigned long pfn, unsigned long mfn, unsigned long n)
{
    unsigned long *p2m = (unsigned long *)start_info->mfn_list;

    for (unsigned long k = 0; k < n; k++)
        p2m[pfn + k] = mfn + k;
}

static unsigned long pfn;    /* the 4 pfns traded back and forth start here */
static xen_pfn_t extent;     /* their order-2 extent's mfn */

/* 4 single frames for one order-2 extent below 4 GiB. */
static void check_to_contiguous(void)
{
    xen_pfn_t in[4], out[1];
    unsigned long done;
    long cur = current_reservation();

    for (int i = 3; i >= 0; i--)
        in[i] = alloc_frame(); /* top down: in[0] has the lowest pfn */
    pfn = mfn_to_pfn(in[0]);
    for (int i = 0; i < 4; i++)
        check_eq(mfn_to_pfn(in[i]), pfn + i, "in[%d] = mfn %#lx, pfn %#lx", i,
                 (unsigned long)in[i], pfn + i);
    out[0] = pfn;
    check_rc(exchange(in, 4, 0, out, 1, 2, 32, &done), 0,
             "XENMEM_exchange 4 x order 0 for 1 x order 2, address_bits 32");
    check_eq(done, 4, "  nr_exchanged");
    extent = out[0];
    check((extent & 3) == 0, "  extent mfn %#lx is aligned to its size",
          (unsigned long)extent);
    check(extent + 3 < (1UL << (32 - PAGE_SHIFT)), "  and lies below 4 GiB");
    for (int k = 0; k < 4; k++)
        check_eq(m2p[extent + k], pfn + k, "  M2P of mfn %#lx",
                 (unsigned long)extent + k);
    check_rc(current_reservation(), cur, "  current reservation unchanged");
    for (int i = 0; i < 4; i++)
        check_rc(map_ro(in[i]), -XEN_EBUSY, "  old mfn %#lx is no longer ours",
                 (unsigned long)in[i]);
    set_p2m(pfn, extent, 4);
    for (int k = 0; k < 4; k++) {
        frame_write(extent + k, 7, 0x5a5a0000 + k);
        check_eq(frame_read(extent + k, 7), 0x5a5a0000 + k,
                 "  new mfn %#lx is writable once mapped",
                 (unsigned long)extent + k);
    }
}

/* And back: one order-2 extent for 4 single frames (one in, 4 out per chunk). */
static void check_to_singles(void)
{
    xen_pfn_t in[1] = { extent }, out[4];
    unsigned long done;
    long cur = current_reservation();

    for (int k = 0; k < 4; k++)
        out[k] = pfn + k;
    check_rc(exchange(in, 1, 2, out, 4, 0, 0, &done), 0,
             "XENMEM_exchange 1 x order 2 for 4 x order 0, no address limit");
    check_eq(done, 1, "  nr_exchanged");
    for (int k = 0; k < 4; k++)
        check_eq(m2p[out[k]], pfn + k, "  M2P of new mfn %#lx",
                 (unsigned long)out[k]);
    check_rc(current_reservation(), cur, "  current reservation unchanged");
    check_rc(map_ro(extent), -XEN_EBUSY, "  the extent is no longer ours");
    for (int k = 0; k < 4; k++)
        set_p2m(pfn + k, out[k], 1);
}

static void check_bad_arguments(void)
{
    xen_pfn_t in[4], out[4];
    unsigned long done;
    struct xen_memory_exchange x = { .nr_exchanged = 0 };

    in[0] = alloc_frame();
    out[0] = mfn_to_pfn(in[0]);
    check_rc(exchange(in, 3, 0, out, 1, 2, 0, &done), -XEN_EINVAL,
             "3 x order 0 for 1 x order 2 (sizes differ)");
    check_eq(done, 0, "  nr_exchanged");
    check_rc(exchange(in, 1, 30, out, 1, 30, 0, &done), -XEN_EPERM,
             "order 30 extents");

    x.in.nr_extents = x.out.nr_extents = 1;
    x.in.domid = DOMID_SELF;
    x.out.domid = 0x1234;
    set_xen_guest_handle(x.in.extent_start, in);
    set_xen_guest_handle(x.out.extent_start, out);
    check_rc(hypercall_memory_op(XENMEM_exchange, &x), -XEN_EINVAL,
             "in.domid != out.domid");
    x.out.domid = DOMID_SELF;
    x.nr_exchanged = 2;
    check_rc(hypercall_memory_op(XENMEM_exchange, &x), -XEN_EINVAL,
             "nr_exchanged beyond in.nr_extents");
    check_rc(hypercall_memory_op(XENMEM_exchange | (1 << 6), &x), -XEN_EINVAL,
             "a start extent in cmd");

    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_memory_op(XENMEM_exchange, (void *)bad_ptrs[i].addr),
                 -XEN_EFAULT, "the argument at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    check_rc(exchange((xen_pfn_t *)0x1000, 1, 0, out, 1, 0, 0, &done),
             -XEN_EFAULT, "the in list at 0x1000");
    check_eq(done, 0, "  nr_exchanged");
    check_rc(map_ro(in[0]), 0, "  mfn %#lx still ours", (unsigned long)in[0]);
}

/* Frames Xen's steal_page refuses: all -EINVAL, and nothing changes. */
static void check_refused_frames(void)
{
    xen_pfn_t in[2], out[2];
    unsigned long done, a = alloc_frame(), pa = mfn_to_pfn(a);
    unsigned long t = alloc_zeroed_frame();
    long cur = current_reservation();
    uint64_t *va;

    in[0] = hypervisor_mfn();
    out[0] = pa;
    check_rc(exchange(in, 1, 0, out, 1, 0, 0, &done), -XEN_EINVAL,
             "a hypervisor frame");
    check_eq(done, 0, "  nr_exchanged");

    in[0] = in[1] = a;
    check_rc(exchange(in, 2, 0, out, 1, 1, 0, &done), -XEN_EINVAL,
             "the same frame twice in one chunk");
    check_rc(map_ro(a), 0, "  mfn %#lx still ours", a);

    check_rc(pin_table(1, t), 0, "pin an L1 (mfn %#lx)", t);
    in[0] = t;
    check_rc(exchange(in, 1, 0, out, 1, 0, 0, &done), -XEN_EINVAL,
             "a pinned page table");
    check_rc(unpin_table(t), 0, "  it can still be unpinned");

    va = map_mfn(a, PTE_KERNEL_RW);
    va[3] = 0x1234;
    in[0] = a;
    check_rc(exchange(in, 1, 0, out, 1, 0, 0, &done), -XEN_EINVAL,
             "a frame we map");
    check_eq(va[3], 0x1234, "  the mapping still works");
    unmap_va(va);
    check_rc(current_reservation(), cur, "  current reservation unchanged");

    /* The first chunk is done and stays done when the second is refused. */
    in[0] = a;
    in[1] = hypervisor_mfn();
    out[0] = pa;
    out[1] = 0x5555;
    check_rc(exchange(in, 2, 0, out, 2, 0, 0, &done), -XEN_EINVAL,
             "2 chunks, the second a hypervisor frame");
    check_eq(done, 1, "  nr_exchanged: the first chunk");
    check_eq(m2p[out[0]], pa, "  first new mfn %#lx has the pfn",
             (unsigned long)out[0]);
    check_eq(out[1], 0x5555, "  the second out entry untouched");
    check_rc(map_ro(a), -XEN_EBUSY, "  the first old frame is gone");
    check_rc(current_reservation(), cur, "  current reservation unchanged");
}

void test_main(void)
{
    traps_init();
    check_to_contiguous();
    check_to_singles();
    check_bad_arguments();
    check_refused_frames();
}
