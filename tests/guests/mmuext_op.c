/*
 * HYPERVISOR_mmuext_op (xen.h "MMU EXTENDED OPERATIONS") as Xen 4.17
 * answers a 64-bit PV Dom0 (do_mmuext_op, xen/arch/x86/mm.c): pinning and
 * unpinning L1-L4 tables, base pointers, TLB and cache flushes, SET_LDT,
 * CLEAR_PAGE and COPY_PAGE, unknown commands and argument errors.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "mmuext_op: pins, base pointers, flushes, LDT, page ops";

static long op1(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    return mmuext_one(cmd, arg1, arg2);
}

/* An empty table frame, valid as any level. */
static unsigned long empty_table(void)
{
    return alloc_zeroed_frame();
}

static void check_pins(void)
{
    unsigned long t[4], data, mapped;
    void *va;

    for (unsigned int level = 1; level <= 4; level++) {
        t[level - 1] = empty_table();
        check_rc(pin_table(level, t[level - 1]), 0, "PIN_L%u_TABLE of an "
                 "empty frame", level);
        check_rc(pin_table(level, t[level - 1]), -XEN_EINVAL,
                 "  pinning it again");
    }
    /* A frame has one type at a time: an L1 cannot be pinned as an L2. */
    check_rc(pin_table(2, t[0]), -XEN_EINVAL, "PIN_L2_TABLE of a pinned L1");
    /* A page table may not be mapped writable, but read-only it may. */
    va = scratch_va();
    check_rc(hypercall_update_va_mapping((unsigned long)va,
                                         pte_make(t[0], PTE_KERNEL_RW),
                                         UVMF_INVLPG),
             -XEN_EBUSY, "writable mapping of the pinned L1");
    check_rc(hypercall_update_va_mapping((unsigned long)va,
                                         pte_make(t[0], PTE_KERNEL_RO),
                                         UVMF_INVLPG),
             0, "read-only mapping of the pinned L1");
    hypercall_update_va_mapping((unsigned long)va, 0, UVMF_INVLPG);

    for (unsigned int level = 1; level <= 4; level++) {
        check_rc(unpin_table(t[level - 1]), 0, "UNPIN_TABLE of the L%u",
                 level);
        check_rc(unpin_table(t[level - 1]), -XEN_EINVAL,
                 "  unpinning it again");
    }
    /* Unpinned and unused, the frame is plain memory again. */
    check_rc(hypercall_update_va_mapping((unsigned long)va,
                                         pte_make(t[0], PTE_KERNEL_RW),
                                         UVMF_INVLPG),
             0, "writable mapping of the unpinned L1");

    /* Typed writable (mapped RW right now): no page table. */
    check_rc(pin_table(1, t[0]), -XEN_EINVAL,
             "PIN_L1_TABLE of a frame mapped writable");
    unmap_va(va);

    data = hypervisor_mfn();
    for (unsigned int level = 1; level <= 4; level++)
        check_rc(pin_table(level, data), -XEN_EINVAL,
                 "PIN_L%u_TABLE of a hypervisor frame", level);
    check_rc(unpin_table(data), -XEN_EINVAL, "UNPIN_TABLE of a hypervisor "
             "frame");

    /* An L2 whose entry names a frame that is mapped writable. */
    mapped = alloc_zeroed_frame();
    va = map_mfn(mapped, PTE_KERNEL_RW);
    {
        struct pt_slot s = { 0, pte_make(mapped, PTE_TABLE) };
        unsigned long l2 = pt_build(&s, 1);

        check_rc(pin_table(2, l2), -XEN_EINVAL,
                 "PIN_L2_TABLE naming an L1 that is mapped writable");
        unmap_va(va);
        check_rc(pin_table(2, l2), 0, "  the same once it is unmapped");
        check_rc(unpin_table(l2), 0, "  unpin");
    }
}

/*
 * NEW_BASEPTR to a copy of our L4 (Xen fills its own slots when it
 * validates it), and back; NEW_USER_BASEPTR.
 */
static void check_baseptr(void)
{
    const uint64_t *cur = (const uint64_t *)start_info->pt_base;
    unsigned long old = pt_l4_mfn(), copy, l1 = empty_table();
    struct pt_slot slots[512];
    unsigned int n = 0;

    for (unsigned int i = 0; i < 512; i++)
        if ((i < 256 || i > 271) && cur[i])
            slots[n++] = (struct pt_slot){ i, cur[i] };
    copy = pt_build(slots, n);

    check_rc(op1(MMUEXT_NEW_BASEPTR, old, 0), 0,
             "NEW_BASEPTR to the current L4");
    check_rc(op1(MMUEXT_NEW_BASEPTR, copy, 0), 0,
             "NEW_BASEPTR to a copy of the L4");
    check(frame_read(copy, 256) != 0,
          "  Xen filled its slot 256 in the copy");
    check_rc(op1(MMUEXT_NEW_BASEPTR, old, 0), 0, "NEW_BASEPTR back");
    check_rc(pin_table(1, l1), 0, "pin an L1");
    check_rc(op1(MMUEXT_NEW_BASEPTR, l1, 0), -XEN_EINVAL,
             "NEW_BASEPTR to an L1");
    check_rc(op1(MMUEXT_NEW_BASEPTR, hypervisor_mfn(), 0), -XEN_EINVAL,
             "NEW_BASEPTR to a hypervisor frame");
    check_rc(op1(MMUEXT_NEW_USER_BASEPTR, l1, 0), -XEN_EINVAL,
             "NEW_USER_BASEPTR to an L1");
    check_rc(op1(MMUEXT_NEW_USER_BASEPTR, copy, 0), 0,
             "NEW_USER_BASEPTR to the copy");
    check_rc(op1(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0,
             "NEW_USER_BASEPTR 0 (none)");
    unpin_table(l1);
}

static void check_flushes(void)
{
    unsigned long vcpus = 1;
    struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_MULTI };

    check_rc(op1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0, "TLB_FLUSH_LOCAL");
    check_rc(op1(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0, "TLB_FLUSH_ALL");
    check_rc(op1(MMUEXT_INVLPG_LOCAL, start_info->pt_base, 0), 0,
             "INVLPG_LOCAL");
    check_rc(op1(MMUEXT_INVLPG_ALL, start_info->pt_base, 0), 0,
             "INVLPG_ALL");
    /* An address in the hypervisor's range is simply not flushed. */
    check_rc(op1(MMUEXT_INVLPG_ALL, HYPERVISOR_VIRT_START, 0), 0,
             "INVLPG_ALL of a hypervisor address");

    set_xen_guest_handle(op.arg2.vcpumask, (void *)&vcpus);
    check_rc(hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0,
             "TLB_FLUSH_MULTI for vCPU 0");
    op.cmd = MMUEXT_INVLPG_MULTI;
    op.arg1.linear_addr = start_info->pt_base;
    check_rc(hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), 0,
             "INVLPG_MULTI for vCPU 0");
    /* An unreadable vCPU mask is -EINVAL (vcpumask_to_pcpumask fails). */
    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        set_xen_guest_handle(op.arg2.vcpumask, (void *)bad_ptrs[i].addr);
        check_rc(hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL,
                 "INVLPG_MULTI with the mask at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    }

    /* Dom0 may flush caches (cache_flush_permitted: it has I/O memory). */
    check_rc(op1(MMUEXT_FLUSH_CACHE, 0, 0), 0, "FLUSH_CACHE");
    check_rc(op1(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), 0, "FLUSH_CACHE_GLOBAL");
}

static void check_ldt(void)
{
    unsigned long page = (unsigned long)scratch_va();

    check_rc(op1(MMUEXT_SET_LDT, 0, 0), 0, "SET_LDT with 0 entries");
    check_rc(op1(MMUEXT_SET_LDT, 0x1234, 0), 0,
             "SET_LDT with 0 entries ignores the address");
    check_rc(op1(MMUEXT_SET_LDT, page, 8192), 0, "SET_LDT with 8192 entries");
    check_rc(op1(MMUEXT_SET_LDT, page, 8193), -XEN_EINVAL,
             "SET_LDT with 8193 entries");
    check_rc(op1(MMUEXT_SET_LDT, page + 8, 1), -XEN_EINVAL,
             "SET_LDT at an address that is not page aligned");
    check_rc(op1(MMUEXT_SET_LDT, HYPERVISOR_VIRT_START, 1), -XEN_EINVAL,
             "SET_LDT in the hypervisor's range");
    check_rc(op1(MMUEXT_SET_LDT, 0, 0), 0, "SET_LDT back to none");
}

static void check_page_ops(void)
{
    unsigned long a = alloc_frame(), b = alloc_frame(), l1 = empty_table();

    frame_write(a, 7, 0x7777);
    frame_write(b, 7, 0x1234);
    check_rc(op1(MMUEXT_COPY_PAGE, b, a), 0, "COPY_PAGE a -> b");
    check_eq(frame_read(b, 7), 0x7777, "  b holds a's words");
    check_rc(op1(MMUEXT_CLEAR_PAGE, b, 0), 0, "CLEAR_PAGE b");
    check_eq(frame_read(b, 7), 0, "  b is zero");

    check_rc(pin_table(1, l1), 0, "pin an L1");
    check_rc(op1(MMUEXT_CLEAR_PAGE, l1, 0), -XEN_EINVAL,
             "CLEAR_PAGE of the pinned L1 (it cannot become writable)");
    check_rc(op1(MMUEXT_COPY_PAGE, l1, a), -XEN_EINVAL,
             "COPY_PAGE to the pinned L1");
    check_rc(op1(MMUEXT_COPY_PAGE, b, l1), 0, "COPY_PAGE from the pinned L1");
    unpin_table(l1);
    check_rc(op1(MMUEXT_CLEAR_PAGE, hypervisor_mfn(), 0), -XEN_EINVAL,
             "CLEAR_PAGE of a hypervisor frame");
    check_rc(op1(MMUEXT_COPY_PAGE, b, hypervisor_mfn()), -XEN_EINVAL,
             "COPY_PAGE from a hypervisor frame");
}

static void check_bad_args(void)
{
    static const unsigned int unknown[] = { 14, 21, 22, 0xffffffff };
    struct mmuext_op ops[3] = {
        { .cmd = MMUEXT_TLB_FLUSH_LOCAL },
        { .cmd = MMUEXT_TLB_FLUSH_LOCAL },
        { .cmd = 14 },
    };
    unsigned int done = 0xdead;

    for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++)
        check_rc(op1(unknown[i], 0, 0), -XEN_ENOSYS, "command %#x",
                 unknown[i]);
    check_rc(op1(MMUEXT_MARK_SUPER, 0, 0), -XEN_EOPNOTSUPP, "MARK_SUPER");
    check_rc(op1(MMUEXT_UNMARK_SUPER, 0, 0), -XEN_EOPNOTSUPP, "UNMARK_SUPER");

    check_rc(hypercall_mmuext_op(ops, 3, &done, DOMID_SELF), -XEN_ENOSYS,
             "batch of two flushes and an unknown command");
    check_rc(done, 2, "  done");

    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_mmuext_op((void *)bad_ptrs[i].addr, 1, NULL,
                                     DOMID_SELF),
                 -XEN_EFAULT, "ops at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    check_rc(hypercall_mmuext_op(ops, 1, NULL, 0), -XEN_ESRCH,
             "foreigndom 0 (our own id rather than DOMID_SELF)");
    done = 0xdead;
    check_rc(hypercall_mmuext_op(ops, 0, &done, DOMID_SELF), 0, "count 0");
    check_rc(done, 0, "  done");
}

void test_main(void)
{
    traps_init();
    check_pins();
    check_baseptr();
    check_flushes();
    check_ldt();
    check_page_ops();
    check_bad_args();
}
