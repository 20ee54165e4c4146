/*
 * CPUID policies for the toolstack, in the ABI's serialised form
 * (public/arch-x86/xen.h: xen_cpuid_leaf_t arrays): XEN_SYSCTL_get_cpu_policy
 * and get_cpu_featureset (the machine's and a PV guest's), and
 * XEN_DOMCTL_get/set_cpu_policy (a domain's). libxl reads the PV default,
 * adjusts it and sets it on every new domain.
 *
 * A PV guest's CPUID is Xenolith's fixed filter of the host's (pv/cpuid.c),
 * the same for every domain but for the hardware domain's APIC bit: a
 * policy set is checked for shape (leaves the ABI's serialisation allows)
 * and otherwise not applied, which is logged once (docs/decisions.md).
 * HVM policies: -EOPNOTSUPP, as a Xen built without HVM. MSR policies are
 * empty.
 */
#include <asm/cpu.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define MAX_LEAVES 160  /* more than the serialisation below ever writes */
#define MAX_BASIC 0xd   /* the basic leaves Xen 4.17's policy holds */
#define MAX_EXTD 0x80000008
#define NR_CACHE_SUB 5  /* leaf 4 subleaves */
#define NR_TOPO_SUB 2   /* leaf 0xb subleaves */
#define NR_XSTATE_SUB 2 /* leaf 0xd: 0 and 1 (no XSAVE for PV guests) */
#define L1_EDX_APIC (1U << 9)

struct serial {
    uint64_t buf;       /* guest handle */
    uint32_t room, n;
    long rc;
};

static void put_leaf(struct serial *s, uint32_t leaf, uint32_t sub, const uint32_t r[4])
{
    xen_cpuid_leaf_t l = { leaf, sub, r[0], r[1], r[2], r[3] };

    if (s->rc)
        return;
    if (s->n >= s->room)
        s->rc = -ENOBUFS;
    else if (copy_to_guest(s->buf + s->n * sizeof(l), &l, sizeof(l)))
        s->rc = -EFAULT;
    s->n++;
}

/* One leaf as the policy sees it: the host's (raw) or a PV guest's (not hardware: no APIC). */
static void leaf_of(bool raw, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    if (raw) {
        cpuid(leaf, sub, r);
        return;
    }
    pv_cpuid(leaf, sub, r);
    if (leaf == 1)
        r[3] &= ~L1_EDX_APIC;
}

static void serialise(struct serial *s, bool raw)
{
    uint32_t r[4], max_basic, max_extd;

    leaf_of(raw, 0, 0, r);
    max_basic = MIN(r[0], (uint32_t)MAX_BASIC);
    r[0] = max_basic;
    put_leaf(s, 0, XEN_CPUID_NO_SUBLEAF, r);
    for (uint32_t leaf = 1; leaf <= max_basic; leaf++) {
        unsigned subs = leaf == 4 ? NR_CACHE_SUB : leaf == 7 ? 1 : leaf == 0xb ? NR_TOPO_SUB
                        : leaf == 0xd ? NR_XSTATE_SUB : 0;

        if (!subs) {
            leaf_of(raw, leaf, 0, r);
            put_leaf(s, leaf, XEN_CPUID_NO_SUBLEAF, r);
            continue;
        }
        for (uint32_t sub = 0; sub < subs; sub++) {
            leaf_of(raw, leaf, sub, r);
            if (leaf == 7 && sub == 0)
                r[0] = 0; /* no subleaf beyond 0 */
            put_leaf(s, leaf, sub, r);
        }
    }
    leaf_of(raw, 0x80000000, 0, r);
    max_extd = MIN(r[0], (uint32_t)MAX_EXTD);
    r[0] = max_extd;
    put_leaf(s, 0x80000000, XEN_CPUID_NO_SUBLEAF, r);
    for (uint32_t leaf = 0x80000001; leaf <= max_extd; leaf++) {
        leaf_of(raw, leaf, 0, r);
        put_leaf(s, leaf, XEN_CPUID_NO_SUBLEAF, r);
    }
}

/* Null handles ask for the sizes; otherwise the leaves, and no MSRs. */
static long policy_out(uint32_t *nr_leaves, uint32_t *nr_msrs, uint64_t leaves, uint64_t msrs,
                       bool raw)
{
    struct serial s = { leaves, *nr_leaves, 0, 0 };

    if (!leaves && !msrs) {
        *nr_leaves = MAX_LEAVES;
        *nr_msrs = 2;
        return 0;
    }
    if (leaves) {
        serialise(&s, raw);
        if (s.rc)
            return s.rc;
        *nr_leaves = s.n;
    }
    *nr_msrs = 0;
    return 0;
}

long sysctl_cpu_policy(struct xen_sysctl_cpu_policy *cp)
{
    if (cp->_rsvd)
        return -EINVAL;
    switch (cp->index) {
    case XEN_SYSCTL_cpu_policy_raw:
    case XEN_SYSCTL_cpu_policy_host:
    case XEN_SYSCTL_cpu_policy_pv_max:
    case XEN_SYSCTL_cpu_policy_pv_default:
        return policy_out(&cp->nr_leaves, &cp->nr_msrs, (uint64_t)cp->leaves.p,
                          (uint64_t)cp->msrs.p, cp->index <= XEN_SYSCTL_cpu_policy_host);
    case XEN_SYSCTL_cpu_policy_hvm_max:
    case XEN_SYSCTL_cpu_policy_hvm_default:
        return -EOPNOTSUPP;
    }
    return -EINVAL;
}

/* Featureset words 0-7 as physinfo's hw_cap (sysctl.c); more words are 0. */
void hw_caps(uint32_t cap[8]);

long sysctl_cpu_featureset(struct xen_sysctl_cpu_featureset *fs)
{
    uint32_t words[8] = { 0 }, n;

    if (fs->index == XEN_SYSCTL_cpu_featureset_hvm || fs->index == XEN_SYSCTL_cpu_featureset_hvm_max)
        return -EOPNOTSUPP;
    if (fs->index > XEN_SYSCTL_cpu_featureset_hvm_max)
        return -EINVAL;
    hw_caps(words);
    n = MIN(fs->nr_features, (uint32_t)ARRAY_SIZE(words));
    if (fs->features.p && copy_to_guest((uint64_t)fs->features.p, words, n * sizeof(words[0])))
        return -EFAULT;
    fs->nr_features = n;
    return 0;
}

long domctl_get_cpu_policy(struct xen_domctl_cpu_policy *cp)
{
    return policy_out(&cp->nr_leaves, &cp->nr_msrs, (uint64_t)cp->leaves.p, (uint64_t)cp->msrs.p,
                      false);
}

/* Checked for shape as Xen's deserialiser does (err_leaf/err_subleaf name the culprit), not applied. */
long domctl_set_cpu_policy(struct domain *d, struct xen_domctl_cpu_policy *cp)
{
    static bool logged;

    if (cp->nr_leaves > MAX_LEAVES)
        return -E2BIG;
    for (uint32_t i = 0; i < cp->nr_leaves; i++) {
        xen_cpuid_leaf_t l;
        bool ok;

        if (copy_from_guest(&l, (uint64_t)cp->leaves.p + i * sizeof(l), sizeof(l)))
            return -EFAULT;
        ok = (l.leaf <= MAX_BASIC || (l.leaf >= 0x40000000 && l.leaf < 0x40010000) ||
              (l.leaf >= 0x80000000 && l.leaf <= 0x80000021)) &&
             (l.subleaf == XEN_CPUID_NO_SUBLEAF || l.leaf == 4 || l.leaf == 7 || l.leaf == 0xb ||
              l.leaf == 0xd);
        if (!ok) {
            cp->err_leaf = l.leaf;
            cp->err_subleaf = l.subleaf;
            return -ERANGE;
        }
    }
    if (!logged) {
        logged = true;
        printk("d%u: CPUID policy from the toolstack accepted, not applied: PV guests see "
               "Xenolith's fixed policy\n", d->domain_id);
    }
    return 0;
}
