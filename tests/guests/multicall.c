/*
 * HYPERVISOR_multicall(entries, nr) (xen.h struct multicall_entry) as
 * Xen 4.17 runs it (do_multicall, xen/common/multicall.c;
 * pv_do_multicall_call, xen/arch/x86/pv/hypercall.c): every entry runs in
 * order with its own result, the call itself fails only when the list
 * cannot be read or a result cannot be written, and a multicall inside a
 * multicall is refused.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "multicall: per-entry results, nesting, bad lists";

static multicall_entry_t calls[8];

static void set_call(unsigned int i, unsigned long op, unsigned long a0,
                     unsigned long a1, unsigned long a2)
{
    calls[i] = (multicall_entry_t){
        .op = op,
        .result = 0x5a5a5a5a,
        .args = { a0, a1, a2, 0, 0, 0 },
    };
}

static void check_results(void)
{
    unsigned long va = (unsigned long)scratch_va(), mfn = alloc_frame();
    uint64_t l1e = pt_entry_maddr(va, 1);
    static mmu_update_t bad_req;
    static multicall_entry_t inner[1];
    uint64_t v = 0;

    frame_write(mfn, 0, 0x3131);
    bad_req = (mmu_update_t){ l1e, pte_make(l1e >> PAGE_SHIFT, PTE_KERNEL_RW) };
    inner[0] = (multicall_entry_t){ .op = __HYPERVISOR_xen_version,
                                    .result = 0x5a5a5a5a };

    set_call(0, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    set_call(1, __HYPERVISOR_update_va_mapping, va,
             pte_make(mfn, PTE_KERNEL_RW), UVMF_INVLPG);
    set_call(2, __HYPERVISOR_mmu_update, (unsigned long)&bad_req, 1, 0);
    calls[2].args[3] = DOMID_SELF;
    set_call(3, 63, 0, 0, 0);                 /* no such hypercall */
    set_call(4, 1000, 0, 0, 0);               /* beyond every table */
    set_call(5, __HYPERVISOR_multicall, (unsigned long)inner, 1, 0);
    set_call(6, __HYPERVISOR_xen_version, XENVER_version, 0, 0);

    check_rc(hypercall_multicall(calls, 7), 0,
             "multicall of 7 entries, some failing");
    check_eq(calls[0].result, hypercall_xen_version(XENVER_version, 0),
             "  [0] xen_version(XENVER_version)");
    check_rc(calls[1].result, 0, "  [1] update_va_mapping");
    check_no_trap(probe_read(va, &v), "  its mapping is in place");
    check_eq(v, 0x3131, "  and maps the frame");
    check_rc(calls[2].result, -XEN_EBUSY,
             "  [2] mmu_update mapping an L1 writable");
    check_rc(calls[3].result, -XEN_ENOSYS, "  [3] hypercall 63");
    check_rc(calls[4].result, -XEN_ENOSYS, "  [4] hypercall 1000");
    /* "Multicall reentry is disallowed." */
    check_rc(calls[5].result, -XEN_EINVAL, "  [5] a nested multicall");
    check_eq(inner[0].result, 0x5a5a5a5a, "  the nested entry did not run");
    check_eq(calls[6].result, calls[0].result,
             "  [6] entries after the failures still run");

    check_rc(hypercall_multicall(calls, 0), 0, "multicall of 0 entries");
    unmap_va((void *)va);
}

static void check_bad_lists(void)
{
    unsigned long mfn = alloc_zeroed_frame();
    multicall_entry_t *ro;

    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_multicall((void *)bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "entries at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);

    /*
     * A list Xen can read but not write back to: the entry runs, storing
     * its result fails the multicall.
     */
    {
        unsigned long va = (unsigned long)scratch_va();
        unsigned long data = alloc_frame();

        ro = map_mfn(mfn, PTE_KERNEL_RW);
        ro[0] = (multicall_entry_t){
            .op = __HYPERVISOR_update_va_mapping,
            .result = 0x5a5a5a5a,
            .args = { va, pte_make(data, PTE_KERNEL_RW), UVMF_INVLPG },
        };
        unmap_va(ro);
        ro = map_mfn(mfn, PTE_KERNEL_RO);
        check_rc(hypercall_multicall(ro, 1), -XEN_EFAULT,
                 "entries in a read-only page");
        check_eq(ro[0].result, 0x5a5a5a5a, "  result not stored");
        check_eq(pte_mfn(pt_read_entry(va, 1)), data,
                 "  but the entry ran (its mapping is there)");
        unmap_va(ro);
        unmap_va((void *)va);
    }
}

void test_main(void)
{
    traps_init();
    check_results();
    check_bad_lists();
}
