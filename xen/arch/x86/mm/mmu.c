/*
 * The PV page-table hypercalls (public/xen.h): mmu_update, update_va_mapping
 * and mmuext_op. Every update goes through mod_entry(), which validates
 * the new entry and moves references; batches stop at the first failure
 * and report how many requests completed.
 */
#include <asm/cpu.h>
#include <asm/smp.h>
#include <xen/xen.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>

#define MMU_CMD_MASK 7

static bool xen_l4_slot(uint64_t maddr)
{
    unsigned slot = (maddr & (PAGE_SIZE - 1)) / sizeof(pte_t);

    return slot >= XEN_L4_SLOT_FIRST && slot <= XEN_L4_SLOT_LAST;
}

/*
 * The domain whose frames foreigndom names (public/xen.h, mmu_update and
 * mmuext_op: "foreigndom"). DOMID_SELF is the caller; its own id is
 * refused (-ESRCH, as Xen's get_pg_owner); another domain only for a
 * privileged caller (-EPERM, Xen's XSM_TARGET check), -ESRCH if none.
 */
static struct domain *pg_owner(uint64_t foreigndom, long *rc)
{
    struct domain *curr = current->domain, *d;

    if ((domid_t)foreigndom == DOMID_SELF || ((domid_t)foreigndom == DOMID_IO && curr->is_privileged))
        return curr;
    if ((domid_t)foreigndom == curr->domain_id || (domid_t)foreigndom >= DOMID_FIRST_RESERVED ||
        !(d = domain_by_id((domid_t)foreigndom))) {
        *rc = -ESRCH;
        return NULL;
    }
    if (!curr->is_privileged) {
        *rc = -EPERM;
        return NULL;
    }
    return d;
}

/*
 * One MMU_NORMAL_PT_UPDATE / MMU_PT_UPDATE_PRESERVE_AD request. The table
 * (or plain page) written is always the caller's own (d); an L1 entry may
 * map frames of pg (the foreign domain, or d).
 */
static long pt_update(struct domain *d, struct domain *pg, uint64_t ptr, uint64_t val,
                      bool preserve_ad)
{
    struct page_info *tp = mfn_to_page(ptr >> PAGE_SHIFT);
    pte_t *slot = (pte_t *)((uint8_t *)mfn_to_virt(ptr >> PAGE_SHIFT) + (ptr & (PAGE_SIZE - 1)));
    long rc;

    if (!get_page(tp, d))
        return -EINVAL;
    if (tp->type >= PGT_l1 && tp->type <= PGT_l4 && tp->type_count) {
        unsigned level = tp->type - PGT_l1 + 1;

        if (level == 4 && xen_l4_slot(ptr))
            rc = -EINVAL; /* the hypervisor's own slots */
        else
            rc = mod_entry_foreign(slot, level, val, d, pg, preserve_ad);
    } else if (!get_page_type(tp, PGT_writable)) {
        /* Not a live table: plain memory of the guest's, written as asked. */
        *slot = val;
        put_page_type(tp);
        rc = 0;
    } else {
        rc = -EINVAL; /* a descriptor page, or a table being torn down */
    }
    put_page(tp);
    return rc;
}

/* MMU_MACHPHYS_UPDATE: the frame must be the foreign domain's (or the caller's). */
static long machphys_update(struct domain *d, uint64_t ptr, uint64_t pfn)
{
    struct page_info *pg = mfn_to_page(ptr >> PAGE_SHIFT);

    if (!get_page(pg, d))
        return -EINVAL;
    set_m2p(ptr >> PAGE_SHIFT, pfn);
    put_page(pg);
    return 0;
}

static void report_done(uint64_t pdone, unsigned done)
{
    if (pdone)
        copy_to_guest(pdone, &done, sizeof(done)); /* as Xen: a bad pointer here is ignored */
}

static long do_mmu_update_locked(uint64_t ureqs, uint64_t count, uint64_t pdone, uint64_t foreigndom)
{
    long rc = 0;
    struct domain *d = pg_owner(foreigndom, &rc);
    unsigned i;

    if (!d)
        return rc;
    for (i = 0; i < (unsigned)count; i++) {
        mmu_update_t req;

        if (copy_from_guest(&req, ureqs + (uint64_t)i * sizeof(req), sizeof(req))) {
            rc = -EFAULT;
            break;
        }
        switch (req.ptr & MMU_CMD_MASK) {
        case MMU_NORMAL_PT_UPDATE:
        case MMU_PT_UPDATE_NO_TRANSLATE:
            rc = pt_update(current->domain, d, req.ptr & ~(uint64_t)MMU_CMD_MASK, req.val, false);
            break;
        case MMU_PT_UPDATE_PRESERVE_AD:
            rc = pt_update(current->domain, d, req.ptr & ~(uint64_t)MMU_CMD_MASK, req.val, true);
            break;
        case MMU_MACHPHYS_UPDATE:
            rc = machphys_update(d, req.ptr & ~(uint64_t)MMU_CMD_MASK, req.val);
            break;
        default:
            rc = -ENOSYS;
            break;
        }
        if (rc)
            break;
    }
    report_done(pdone, i);
    return rc;
}

/* The L1 entry mapping va in the tables now loaded, or NULL. */
static void invlpg(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

/*
 * UVMF_* flush requests (public/xen.h): a vCPU mask is honoured by
 * flushing every CPU that runs the domain, as the entries live in its tables.
 */
static long uvmf_flush(uint64_t va, uint64_t flags)
{
    uint64_t target = flags & ~(uint64_t)UVMF_FLUSHTYPE_MASK;
    uint64_t mask;

    if (target != UVMF_LOCAL && target != UVMF_ALL &&
        copy_from_guest(&mask, target, sizeof(mask)))
        return -EFAULT;
    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
        if (target == UVMF_LOCAL)
            flush_tlb_local();
        else
            flush_tlb_domain(current->domain);
        break;
    case UVMF_INVLPG:
        if (target == UVMF_LOCAL)
            invlpg(va);
        else
            flush_tlb_domain(current->domain);
        break;
    }
    return 0;
}

static long do_update_va_mapping_locked(uint64_t va, uint64_t val, uint64_t flags)
{
    struct domain *d = current->domain;
    uint64_t l1_mfn;
    pte_t *e;
    long rc;

    if (!guest_range_ok(va, 1))
        return -EINVAL;
    e = loaded_l1e(va);
    if (!e)
        return -EINVAL;
    l1_mfn = virt_to_maddr(e) >> PAGE_SHIFT;
    rc = pt_update(d, d, (l1_mfn << PAGE_SHIFT) | ((uint64_t)e & (PAGE_SIZE - 1)), val, false);
    if (rc)
        return rc;
    return uvmf_flush(va, flags);
}

/* MMUEXT_NEW_BASEPTR / NEW_USER_BASEPTR: the new table holds an L4 type ref. */
static long new_baseptr(struct vcpu *v, uint64_t mfn, bool user)
{
    uint64_t *slot = user ? &v->guest_table_user : &v->guest_table;
    int rc;

    if (mfn) {
        rc = get_page_and_type(mfn_to_page(mfn), v->domain, PGT_l4);
        if (rc)
            return -EINVAL;
    } else if (!user) {
        return -EINVAL;
    }
    if (*slot)
        put_page_and_type(mfn_to_page(*slot));
    *slot = mfn;
    if (user == !v->kernel_mode && mfn) {
        v->cr3 = mfn << PAGE_SHIFT;
        load_cr3(v->cr3, v->domain);
    }
    return 0;
}

static long clear_or_copy_page(struct domain *d, uint64_t dst, uint64_t src, bool copy)
{
    struct page_info *pd = mfn_to_page(dst), *ps = copy ? mfn_to_page(src) : NULL;
    long rc = -EINVAL;

    if (get_page_and_type(pd, d, PGT_writable))
        return -EINVAL;
    if (!copy) {
        memset(mfn_to_virt(dst), 0, PAGE_SIZE);
        rc = 0;
    } else if (get_page(ps, d)) {
        memcpy(mfn_to_virt(dst), mfn_to_virt(src), PAGE_SIZE);
        put_page(ps);
        rc = 0;
    }
    put_page_and_type(pd);
    return rc;
}

long pv_set_ldt(struct vcpu *v, uint64_t base, unsigned ents); /* pv/descriptors.c */

/*
 * d is foreigndom's domain: pins name its tables (a toolstack pins the
 * tables it built for a new guest, validated as that guest's). Every
 * other op acts on the caller only: with a foreign domain -EPERM, as Xen.
 */
static long one_mmuext(struct vcpu *v, struct domain *d, const struct mmuext_op *op)
{
    if (d != v->domain && op->cmd > MMUEXT_PIN_L4_TABLE && op->cmd != MMUEXT_UNPIN_TABLE)
        return -EPERM;
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pin_table(d, op->arg1.mfn, pt_type_of_level(op->cmd - MMUEXT_PIN_L1_TABLE + 1));
    case MMUEXT_UNPIN_TABLE:
        return unpin_table(d, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return new_baseptr(v, op->arg1.mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return new_baseptr(v, op->arg1.mfn, true);
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_local();
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI: {
        xen_ulong_t mask;

        if (copy_from_guest(&mask, (uint64_t)op->arg2.vcpumask.p, sizeof(mask)))
            return -EINVAL;
        flush_tlb_domain(v->domain); /* a vCPU mask: every CPU that runs the domain */
        return 0;
    }
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_ALL:
        flush_tlb_domain(v->domain);
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        if (guest_range_ok(op->arg1.linear_addr, 1))
            invlpg(op->arg1.linear_addr);
        return 0;
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        if (!d->is_hardware)
            return -EACCES;
        __asm__ volatile("wbinvd" ::: "memory");
        return 0;
    case MMUEXT_SET_LDT:
        return pv_set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
        return clear_or_copy_page(d, op->arg1.mfn, 0, false);
    case MMUEXT_COPY_PAGE:
        return clear_or_copy_page(d, op->arg1.mfn, op->arg2.src_mfn, true);
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -EOPNOTSUPP; /* as Xen 4.17: superpage tracking is gone */
    }
    return -ENOSYS;
}

static long do_mmuext_op_locked(uint64_t uops, uint64_t count, uint64_t pdone, uint64_t foreigndom)
{
    long rc = 0;
    struct domain *d = pg_owner(foreigndom, &rc);
    unsigned i;

    if (!d)
        return rc;
    for (i = 0; i < (unsigned)count; i++) {
        struct mmuext_op op;

        if (copy_from_guest(&op, uops + (uint64_t)i * sizeof(op), sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        rc = one_mmuext(current, d, &op);
        if (rc)
            break;
    }
    report_done(pdone, i);
    return rc;
}

long do_mmu_update(uint64_t ureqs, uint64_t count, uint64_t pdone, uint64_t foreigndom)
{
    return MM_LOCKED(do_mmu_update_locked(ureqs, count, pdone, foreigndom));
}

long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags)
{
    return MM_LOCKED(do_update_va_mapping_locked(va, val, flags));
}

long do_mmuext_op(uint64_t uops, uint64_t count, uint64_t pdone, uint64_t foreigndom)
{
    return MM_LOCKED(do_mmuext_op_locked(uops, count, pdone, foreigndom));
}
