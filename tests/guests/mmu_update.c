/*
 * HYPERVISOR_mmu_update (xen.h "MMU-UPDATE REQUESTS") as Xen 4.17 answers
 * a 64-bit PV Dom0 (do_mmu_update, mod_l1_entry..mod_l4_entry,
 * xen/arch/x86/mm.c): the command in the low bits of ptr, the `done`
 * count, argument errors, and the hypervisor's own L4 slots.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "mmu_update: commands, done count, argument errors";

/* A scratch slot and the machine address of its L1 entry. */
struct slot {
    unsigned long va;
    uint64_t l1e;
};

static struct slot new_slot(void)
{
    struct slot s = { .va = (unsigned long)scratch_va() };

    s.l1e = pt_entry_maddr(s.va, 1);
    if (!s.l1e)
        test_error("no L1 entry for scratch slot %#lx", s.va);
    return s;
}

static uint64_t read_l1e(const struct slot *s)
{
    return pt_read(s->l1e >> PAGE_SHIFT, (s->l1e & (PAGE_SIZE - 1)) / 8);
}

static uint64_t rw(unsigned long mfn)
{
    return pte_make(mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
}

static void check_normal(void)
{
    struct slot s = new_slot();
    unsigned long mfn = alloc_zeroed_frame();
    unsigned int done = 0xdead;
    mmu_update_t req = { .ptr = s.l1e | MMU_NORMAL_PT_UPDATE, .val = rw(mfn) };
    uint64_t e;

    check_rc(hypercall_mmu_update(&req, 1, &done, DOMID_SELF), 0,
             "MMU_NORMAL_PT_UPDATE of an L1 entry");
    check_rc(done, 1, "  done");
    check_no_trap(probe_write(s.va, 0x1122334455667788UL),
                  "  write through the new mapping");
    check_eq(frame_read(mfn, 0), 0x1122334455667788UL,
             "  it reached the frame");
    e = read_l1e(&s);
    check_eq(pte_mfn(e), mfn, "  entry read back: mfn");
    check_eq(e & (PTE_P | PTE_RW), PTE_P | PTE_RW, "  entry read back: P, RW");
    /* The guest kernel runs in ring 3: Xen sets U on every entry it takes. */
    check_eq(e & PTE_US, PTE_US, "  _PAGE_USER forced (adjust_guest_l1e)");

    /* NO_TRANSLATE is the same update for a PV guest. */
    req.ptr = s.l1e | MMU_PT_UPDATE_NO_TRANSLATE;
    req.val = 0;
    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), 0,
             "MMU_PT_UPDATE_NO_TRANSLATE clearing it");
    check_eq(read_l1e(&s), 0, "  entry is 0");
    /* mmu_update flushes nothing for an L1 change: that is the guest's job. */
    check_rc(mmuext_one(MMUEXT_INVLPG_LOCAL, s.va, 0), 0, "  INVLPG_LOCAL");
    check_rc(probe_read(s.va, NULL), X86_EXC_PF, "  reading the VA faults");

    /* PRESERVE_AD ORs in the A and D bits already in the entry. */
    req.ptr = s.l1e;
    req.val = rw(mfn);
    hypercall_mmu_update(&req, 1, NULL, DOMID_SELF);
    req.ptr = s.l1e | MMU_PT_UPDATE_PRESERVE_AD;
    req.val = pte_make(mfn, PTE_P | PTE_RW);
    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), 0,
             "MMU_PT_UPDATE_PRESERVE_AD without A/D");
    check_eq(read_l1e(&s) & (PTE_A | PTE_D), PTE_A | PTE_D,
             "  A and D of the old entry kept");
    req.ptr = s.l1e | MMU_NORMAL_PT_UPDATE;
    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), 0,
             "MMU_NORMAL_PT_UPDATE without A/D");
    check_eq(read_l1e(&s) & (PTE_A | PTE_D), 0, "  A and D gone");
    unmap_va((void *)s.va);
}

/* Requests run in order and stop at the first failure; done counts them. */
static void check_batch(void)
{
    struct slot s[4];
    unsigned long mfn[4];
    mmu_update_t req[5];
    unsigned int done = 0xdead;

    for (unsigned int i = 0; i < 4; i++) {
        s[i] = new_slot();
        mfn[i] = alloc_zeroed_frame();
        frame_write(mfn[i], 0, 0x100 + i);
    }
    req[0] = (mmu_update_t){ s[0].l1e, rw(mfn[0]) };
    req[1] = (mmu_update_t){ s[1].l1e, rw(mfn[1]) };
    req[2] = (mmu_update_t){ s[2].l1e, rw(mfn[2]) };
    /* A writable mapping of one of our own L1 tables: refused. */
    req[3] = (mmu_update_t){ s[3].l1e, rw(s[0].l1e >> PAGE_SHIFT) };
    req[4] = (mmu_update_t){ s[3].l1e, rw(mfn[3]) };

    check_rc(hypercall_mmu_update(req, 5, &done, DOMID_SELF), -XEN_EBUSY,
             "batch of 5 whose 4th maps an L1 writable");
    check_rc(done, 3, "  done");
    for (unsigned int i = 0; i < 3; i++) {
        uint64_t v = 0;

        probe_read(s[i].va, &v);
        check_eq(v, 0x100 + i, "  request %u took effect", i);
    }
    check_eq(read_l1e(&s[3]), 0, "  request 5 did not run");

    done = 0xdead;
    check_rc(hypercall_mmu_update(req, 0, &done, DOMID_SELF), 0, "count 0");
    check_rc(done, 0, "  done");

    /*
     * A count beyond the readable list: the requests that can be read run,
     * the first unreadable one fails the call (__copy_from_guest).
     */
    {
        mmu_update_t *page = scratch_va(), *last;
        void *hole = scratch_va();

        if ((unsigned long)hole != (unsigned long)page + PAGE_SIZE)
            test_error("scratch slots are not consecutive");
        hypercall_update_va_mapping((unsigned long)hole, 0, UVMF_INVLPG);
        hypercall_update_va_mapping((unsigned long)page,
                                    rw(alloc_zeroed_frame()), UVMF_INVLPG);
        last = page + PAGE_SIZE / sizeof(*page) - 1;
        *last = (mmu_update_t){ s[3].l1e, rw(mfn[3]) };
        done = 0xdead;
        check_rc(hypercall_mmu_update(last, 2, &done, DOMID_SELF), -XEN_EFAULT,
                 "2 requests, the second in an unmapped page");
        check_rc(done, 1, "  done");
        check_eq(pte_mfn(read_l1e(&s[3])), mfn[3], "  the first took effect");
        unmap_va(page);
        unmap_va(hole);
    }
    for (unsigned int i = 0; i < 4; i++)
        unmap_va((void *)s[i].va);
}

static void check_bad_args(void)
{
    struct slot s = new_slot();
    unsigned long mfn = alloc_zeroed_frame();
    mmu_update_t req = { s.l1e, rw(mfn) };
    unsigned int done;

    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        done = 0xdead;
        check_rc(hypercall_mmu_update((void *)bad_ptrs[i].addr, 1, &done,
                                      DOMID_SELF),
                 -XEN_EFAULT, "requests at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    }

    /* Xen ignores a failure to write done (copy_to_guest's result unused). */
    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        req.val = i & 1 ? 0 : rw(mfn);
        check_rc(hypercall_mmu_update(&req, 1, (void *)bad_ptrs[i].addr,
                                      DOMID_SELF),
                 0, "done at %s %#lx", bad_ptrs[i].what, bad_ptrs[i].addr);
    }

    /* The command is ptr & (sizeof(l1_pgentry_t) - 1): 4-7 are unknown. */
    for (unsigned int cmd = 4; cmd < 8; cmd++) {
        req.ptr = s.l1e | cmd;
        check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), -XEN_ENOSYS,
                 "command %u", cmd);
    }
    req.ptr = s.l1e;

    /* foreigndom naming ourselves by number is refused (get_pg_owner). */
    check_rc(hypercall_mmu_update(&req, 1, NULL, 0), -XEN_ESRCH,
             "foreigndom 0 (our own id rather than DOMID_SELF)");
    check_rc(hypercall_mmu_update(&req, 1, NULL, 0x1234), -XEN_ESRCH,
             "foreigndom 0x1234 (no such domain)");

    /* ptr in a frame that is not ours. */
    req.ptr = (uint64_t)hypervisor_mfn() << PAGE_SHIFT;
    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), -XEN_EINVAL,
             "ptr in a hypervisor frame");
    unmap_va((void *)s.va);
}

/*
 * A frame of ours that is no page table is plain memory to mmu_update:
 * the value is stored (the PGT_writable_page case of do_mmu_update).
 */
static void check_plain_frame(void)
{
    unsigned long mfn = alloc_zeroed_frame();
    mmu_update_t req = { ((uint64_t)mfn << PAGE_SHIFT) + 8, 0xabcdef };

    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), 0,
             "MMU_NORMAL_PT_UPDATE into a frame that is not a page table");
    check_eq(frame_read(mfn, 1), 0xabcdef, "  stored as is");
}

/* The M2P entry of one of our frames (MMU_MACHPHYS_UPDATE). */
static void check_machphys(void)
{
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    unsigned long mfn = alloc_frame(), pfn = mfn_to_pfn(mfn);
    mmu_update_t req = { ((uint64_t)mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                         0x12345 };

    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), 0,
             "MMU_MACHPHYS_UPDATE of our mfn %#lx", mfn);
    check_eq(m2p[mfn], 0x12345, "  M2P entry");
    req.val = pfn;
    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), 0,
             "MMU_MACHPHYS_UPDATE back to pfn %#lx", pfn);
    check_eq(m2p[mfn], pfn, "  M2P entry");

    req.ptr = ((uint64_t)hypervisor_mfn() << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
    check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), -XEN_EINVAL,
             "MMU_MACHPHYS_UPDATE of a hypervisor frame");
}

/* L4 slots 256-271 belong to Xen (is_guest_l4_slot, mod_l4_entry). */
static void check_xen_slots(void)
{
    uint64_t l4 = (uint64_t)pt_l4_mfn() << PAGE_SHIFT;
    const uint64_t *l4va = (const uint64_t *)start_info->pt_base;
    unsigned int refused = 0;

    for (unsigned int slot = 256; slot < 272; slot++) {
        uint64_t old = l4va[slot];
        /* The same value: refused all the same, and harmless if taken. */
        mmu_update_t req = { l4 + slot * 8, old };
        long rc = hypercall_mmu_update(&req, 1, NULL, DOMID_SELF);

        if (rc == -XEN_EINVAL)
            refused++;
        else
            test_fail("L4 slot %u (entry %#lx): rc %ld", slot,
                      (unsigned long)old, rc);
    }
    check_rc(refused, 16, "updates of L4 slots 256-271 refused with -EINVAL");

    {
        mmu_update_t req = { l4 + 272 * 8, 0 };

        check_rc(hypercall_mmu_update(&req, 1, NULL, DOMID_SELF), 0,
                 "update of L4 slot 272 (the guest's again)");
    }
}

/* Leaf flags that an L2/L3 entry may not carry (L2_DISALLOW_MASK: PSE). */
static void check_superpage(void)
{
    uint64_t l2e = pt_entry_maddr(VIRT_BASE + (64UL << 20), 2);
    uint64_t l3e = pt_entry_maddr(0xffffffffc0000000UL, 3);

    if (!l2e || !l3e)
        test_error("no L2/L3 for the superpage probes");
    check_rc(mmu_update_one(l2e, pte_make(0, PTE_P | PTE_RW | PTE_PSE)),
             -XEN_EINVAL, "L2 entry with PSE");
    check_rc(mmu_update_one(l3e, pte_make(0, PTE_P | PTE_RW | PTE_PSE)),
             -XEN_EINVAL, "L3 entry with PSE");
}

void test_main(void)
{
    traps_init();
    check_normal();
    check_batch();
    check_bad_args();
    check_plain_frame();
    check_machphys();
    check_xen_slots();
    check_superpage();
}
