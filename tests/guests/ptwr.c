/*
 * Writable page tables (linux-pv-abi.md 2.4 "Ptwr"): a guest kernel writes
 * straight into a live L1 through its read-only mapping, and Xen emulates
 * the write (pv_ro_page_fault and ptwr_emulated_update,
 * xen/arch/x86/pv/ro-page-fault.c): naturally aligned writes of any size
 * are merged into the 8-byte entry, validated like mmu_update, and
 * committed; anything it refuses is the guest's own #PF, with the entry
 * unchanged. Only L1s are emulated: a write to an L2 is a plain #PF.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "ptwr: direct writes to a live L1 (mov, xchg, lock and/btr/cmpxchg)";

#define WINDOW (VIRT_BASE + 64 * (2UL << 20))   /* L2 slot 64: ours to use */
#define ENTRY(i) (&l1[i])
#define PAGE(i) (WINDOW + (i) * PAGE_SIZE)

static volatile uint64_t *l1;         /* the L1, mapped read-only */
static unsigned long l1_mfn;
static unsigned long data[8];

/* Read the page's first word, after flushing its translation. */
static int read_page(unsigned int i, uint64_t *v)
{
    mmuext_one(MMUEXT_INVLPG_LOCAL, PAGE(i), 0);
    return probe_read(PAGE(i), v);
}

static void setup(void)
{
    uint64_t l2e = pt_entry_maddr(WINDOW, 2);

    for (unsigned int i = 0; i < ARRAY_SIZE(data); i++) {
        data[i] = alloc_frame();
        frame_write(data[i], 0, 0xd000 + i);
    }
    l1_mfn = alloc_zeroed_frame();
    if (!l2e || pt_read_entry(WINDOW, 2))
        test_error("L2 slot for %#lx is not free", WINDOW);
    /* Hooking it into our L2 makes it a live, validated L1. */
    if (mmu_update_one(l2e, pte_make(l1_mfn, PTE_TABLE)))
        test_error("cannot hook the L1 into the L2");
    l1 = map_mfn(l1_mfn, PTE_KERNEL_RO);
}

static void check_mov(void)
{
    uint64_t v = 0;

    check_no_trap(probe_write((unsigned long)ENTRY(1),
                              pte_make(data[1], PTE_KERNEL_RW)),
                  "mov of a valid entry into the L1");
    check_eq(pte_mfn(*ENTRY(1)), data[1], "  the entry holds it");
    check_eq(*ENTRY(1) & PTE_US, PTE_US, "  with _PAGE_USER added");
    check_no_trap(read_page(1, &v), "  the page it maps is readable");
    check_eq(v, 0xd001, "  and is the frame");

    /* A 4-byte store is merged into the entry's low half. */
    asm volatile(TRAP_EXPECT("movl %k[v], (%[p])")
                 :: [v] "r"((uint32_t)pte_make(data[3], PTE_KERNEL_RW)),
                    [p] "r"(ENTRY(3)) : "memory");
    check_eq(pte_mfn(*ENTRY(3)), data[3], "movl of an entry's low half");
    check_no_trap(read_page(3, &v), "  the page is mapped");
    check_eq(v, 0xd003, "  to the frame");
}

static void check_xchg(void)
{
    uint64_t old = *ENTRY(1), v = pte_make(data[2], PTE_KERNEL_RW);

    asm volatile(TRAP_EXPECT("xchg %[v], (%[p])")
                 : [v] "+r"(v) : [p] "r"(ENTRY(1)) : "memory");
    check_eq(v, old, "xchg returns the old entry");
    check_eq(pte_mfn(*ENTRY(1)), data[2], "  and stores the new one");
    read_page(1, &v);
    check_eq(v, 0xd002, "  the page is the new frame");
}

static void check_lock_ops(void)
{
    uint64_t v, old;
    unsigned char cf;

    /* Linux's ptep_set_wrprotect: lock andb of the low byte. */
    asm volatile(TRAP_EXPECT("lock andb $~2, (%[p])")
                 :: [p] "r"(ENTRY(1)) : "memory");
    check_eq(*ENTRY(1) & PTE_RW, 0, "lock andb $~_PAGE_RW clears RW");
    check_no_trap(read_page(1, &v), "  the page is still readable");
    check_rc(probe_write(PAGE(1), 1), X86_EXC_PF, "  but writing it faults");
    check_eq(last_trap.error, PFEC_PRESENT | PFEC_WRITE, "  error code");

    /* ptep_test_and_clear_young: lock btr, immediate and register forms. */
    asm volatile(TRAP_EXPECT("lock btrq $5, (%[p])") "setc %[cf]"
                 : [cf] "=r"(cf) : [p] "r"(ENTRY(1)) : "memory", "cc");
    check_eq(*ENTRY(1) & PTE_A, 0, "lock btrq $5 (Accessed) clears A");
    check_eq(cf, 1, "  CF is the old bit");
    v = 6;
    asm volatile(TRAP_EXPECT("lock btr %[b], (%[p])") "setc %[cf]"
                 : [cf] "=r"(cf) : [b] "r"(v), [p] "r"(ENTRY(1))
                 : "memory", "cc");
    check_eq(*ENTRY(1) & PTE_D, 0, "lock btr %%reg (Dirty) clears D");
    check_eq(cf, 1, "  CF is the old bit");

    /* lock cmpxchg: succeeds with the right old value, else leaves it. */
    old = *ENTRY(1);
    v = pte_make(data[4], PTE_KERNEL_RW);
    {
        uint64_t expect = old;

        asm volatile(TRAP_EXPECT("lock cmpxchg %[n], (%[p])")
                     : "+a"(expect) : [n] "r"(v), [p] "r"(ENTRY(1))
                     : "memory", "cc");
        check_eq(pte_mfn(*ENTRY(1)), data[4],
                 "lock cmpxchg with the current value stores");
        read_page(1, &v);
        check_eq(v, 0xd004, "  the page is the new frame");

        expect = old;                   /* stale now */
        v = pte_make(data[5], PTE_KERNEL_RW);
        asm volatile(TRAP_EXPECT("lock cmpxchg %[n], (%[p])")
                     : "+a"(expect) : [n] "r"(v), [p] "r"(ENTRY(1))
                     : "memory", "cc");
        check_eq(pte_mfn(*ENTRY(1)), data[4],
                 "lock cmpxchg with a stale value leaves the entry");
        check_eq(expect, *ENTRY(1), "  and returns the current one in RAX");
    }
}

/* What Xen refuses becomes the guest's #PF at the store; nothing changes. */
static void check_refused(void)
{
    const struct trap_record *t = &last_trap;
    uint64_t v;

    check_rc(probe_write((unsigned long)ENTRY(2),
                         pte_make(l1_mfn, PTE_KERNEL_RW)), X86_EXC_PF,
             "mov of a writable mapping of the L1 itself");
    check_eq(t->error, PFEC_PRESENT | PFEC_WRITE, "  error code");
    check_eq(t->cr2, (unsigned long)ENTRY(2), "  cr2 is the entry");
    check_eq(*ENTRY(2), 0, "  the entry is unchanged");

    v = pte_make(hypervisor_mfn(), PTE_KERNEL_RO);
    asm volatile(TRAP_EXPECT("xchg %[v], (%[p])")
                 : [v] "+r"(v) : [p] "r"(ENTRY(2)) : "memory");
    check_rc(t->vector, X86_EXC_PF, "xchg of a mapping of a hypervisor frame");
    check_eq(*ENTRY(2), 0, "  the entry is unchanged");

    {
        uint64_t expect = *ENTRY(1);

        v = pte_make(l1_mfn, PTE_KERNEL_RW);
        asm volatile(TRAP_EXPECT("lock cmpxchg %[n], (%[p])")
                     : "+a"(expect) : [n] "r"(v), [p] "r"(ENTRY(1))
                     : "memory", "cc");
        check_rc(t->vector, X86_EXC_PF,
                 "lock cmpxchg of a writable mapping of the L1");
        check_eq(pte_mfn(*ENTRY(1)), data[4], "  the entry is unchanged");
    }

    /* Only naturally aligned stores within the entry are emulated. */
    check_rc(probe_write((unsigned long)ENTRY(5) + 4, 0), X86_EXC_PF,
             "8-byte store straddling two entries");
    check_eq(*ENTRY(5), 0, "  the entries are unchanged");

    /* L2s are never emulated (pv_ro_page_fault looks for an L1). */
    {
        uint64_t l2e = pt_entry_maddr(WINDOW, 2);
        unsigned long pfn = mfn_to_pfn(l2e >> PAGE_SHIFT);
        unsigned long l2va = VIRT_BASE + (pfn << PAGE_SHIFT) +
                             (l2e & (PAGE_SIZE - 1));

        v = *(volatile uint64_t *)l2va;
        check_rc(probe_write(l2va, v), X86_EXC_PF,
                 "mov into our L2 (the same value)");
        check_eq(t->error, PFEC_PRESENT | PFEC_WRITE, "  error code");
    }
}

void test_main(void)
{
    traps_init();
    setup();
    check_mov();
    check_xchg();
    check_lock_ops();
    check_refused();
}
