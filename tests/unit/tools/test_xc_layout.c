/*
 * libxc's PV layout: the order and alignment rules of public/xen.h's
 * start-of-day layout, page tables walked like the MMU would over a fake
 * guest memory, the p2m, start_info and vCPU 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool_harness.h"
#include "xc_pv_layout.h"

#define ERRLEN 256
#define VBASE 0xffffffff80000000ull
#define KSTART 0xffffffff81000000ull
#define KEND (KSTART + (6ull << 20) + 0x3000) /* 6 MiB and a bit */
#define MFN_BASE 0x40000ul                    /* fake MFNs: pfn + MFN_BASE, reversed */

struct fake {
    struct xc_pv_layout lay;
    xen_pfn_t *p2m;
    uint8_t *mem;
};

/* MFNs deliberately not in pfn order, so a pfn/mfn mix-up shows. */
static xen_pfn_t fake_mfn(unsigned long nr, unsigned long pfn)
{
    return MFN_BASE + (nr - 1 - pfn);
}

static unsigned long fake_pfn(unsigned long nr, uint64_t mfn)
{
    return nr - 1 - (unsigned long)(mfn - MFN_BASE);
}

static int fake_build(struct fake *f, uint64_t rd_len, bool rd_unmapped, unsigned long nr)
{
    char err[ERRLEN];
    int rc = xc_pv_layout_compute(VBASE, KSTART, KEND, rd_len, rd_unmapped, nr, &f->lay, err,
                                  sizeof(err));

    if (rc)
        return rc;
    f->p2m = malloc(nr * sizeof(*f->p2m));
    for (unsigned long i = 0; i < nr; i++)
        f->p2m[i] = fake_mfn(nr, i);
    f->mem = calloc(f->lay.region_pages, 4096);
    xc_pv_write_p2m(&f->lay, f->p2m, f->mem);
    xc_pv_build_pagetables(&f->lay, f->p2m, f->mem);
    return 0;
}

static void fake_free(struct fake *f)
{
    free(f->p2m);
    free(f->mem);
}

/* The MMU's walk, from the L4 pfn; 0 if not present. */
static uint64_t walk(const struct fake *f, uint64_t va)
{
    unsigned long nr = f->lay.nr_pages, pfn = f->lay.pt_pfn;
    uint64_t e = 0;

    for (int shift = 39; shift >= 12; shift -= 9) {
        if (pfn >= f->lay.region_pages)
            return 0;
        e = ((uint64_t *)(f->mem + pfn * 4096))[(va >> shift) & 511];
        if (!(e & XC_PTE_P))
            return 0;
        pfn = fake_pfn(nr, (e & XC_PTE_MFN_MASK) >> 12);
    }
    return e;
}

static void test_order(void)
{
    struct xc_pv_layout l;
    char err[ERRLEN];
    unsigned long nr = 65536; /* 256 MiB */

    CU_ASSERT_EQUAL_FATAL(xc_pv_layout_compute(VBASE, KSTART, KEND, 0, true, nr, &l, err,
                                               sizeof(err)), 0);
    CU_ASSERT_EQUAL(l.kernel_pfn, 0x1000);
    CU_ASSERT_EQUAL(l.kernel_end_pfn, 0x1000 + 0x600 + 3);
    CU_ASSERT_EQUAL(l.p2m_pfn, l.kernel_end_pfn);
    CU_ASSERT_EQUAL(l.p2m_pages, nr * 8 / 4096);
    CU_ASSERT_EQUAL(l.start_info_pfn, l.p2m_pfn + l.p2m_pages);
    CU_ASSERT_EQUAL(l.store_pfn, l.start_info_pfn + 1);
    CU_ASSERT_EQUAL(l.console_pfn, l.store_pfn + 1);
    CU_ASSERT_EQUAL(l.pt_pfn, l.console_pfn + 1);
    CU_ASSERT_EQUAL(l.stack_pfn, l.pt_pfn + l.nr_pt);
    CU_ASSERT_EQUAL(l.nr_l3, 1);
    CU_ASSERT_EQUAL(l.nr_l2, 1);
    CU_ASSERT_EQUAL(l.nr_l1, (l.virt_end - VBASE) >> 21);
    CU_ASSERT_EQUAL(l.nr_pt, 3 + l.nr_l1);
    CU_ASSERT_EQUAL(l.virt_end % (4 << 20), 0);
    CU_ASSERT_TRUE(l.virt_end - xc_pv_va(&l, l.stack_pfn + 1) >= 512 * 1024);
    /* The smallest such end: 4 MiB less would break the slack rule. */
    CU_ASSERT_TRUE((int64_t)(l.virt_end - (4 << 20) - xc_pv_va(&l, l.stack_pfn + 1)) < 512 * 1024);
    CU_ASSERT_EQUAL(l.region_pages, (l.virt_end - VBASE) >> 12);
    /* Linux keeps one L2: the region must stay below 0xffffffffc0000000. */
    CU_ASSERT_TRUE(l.virt_end <= 0xffffffffc0000000ull);
    /* The builder maps only what it writes: through the page tables, not the stack and slack. */
    CU_ASSERT_EQUAL(xc_pv_written_pages(&l), l.pt_pfn + l.nr_pt);
    CU_ASSERT_EQUAL(xc_pv_written_pages(&l), l.stack_pfn);
    CU_ASSERT_TRUE(xc_pv_written_pages(&l) > l.start_info_pfn);
    CU_ASSERT_TRUE(xc_pv_written_pages(&l) + 128 < l.region_pages); /* >= 512 KiB of slack unmapped */
}

static void test_ramdisk_placement(void)
{
    struct xc_pv_layout m, u;
    char err[ERRLEN];
    const uint64_t rd = (5ull << 20) + 100;

    CU_ASSERT_EQUAL_FATAL(xc_pv_layout_compute(VBASE, KSTART, KEND, rd, false, 65536, &m, err,
                                               sizeof(err)), 0);
    CU_ASSERT_TRUE(m.ramdisk_mapped);
    CU_ASSERT_EQUAL(m.ramdisk_pfn, m.kernel_end_pfn);
    CU_ASSERT_EQUAL(m.ramdisk_pages, 1281);
    CU_ASSERT_EQUAL(m.p2m_pfn, m.ramdisk_pfn + 1281);
    CU_ASSERT_EQUAL_FATAL(xc_pv_layout_compute(VBASE, KSTART, KEND, rd, true, 65536, &u, err,
                                               sizeof(err)), 0);
    CU_ASSERT_FALSE(u.ramdisk_mapped);
    CU_ASSERT_EQUAL(u.p2m_pfn, u.kernel_end_pfn);
    CU_ASSERT_EQUAL(u.ramdisk_pfn, u.region_pages);
}

static void test_too_small(void)
{
    struct xc_pv_layout l;
    char err[ERRLEN];

    CU_ASSERT_EQUAL(xc_pv_layout_compute(VBASE, KSTART, KEND, 0, true, 4096, &l, err,
                                         sizeof(err)), -ENOMEM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "domain has 4096"));
    /* Room for the region but not for the unmapped ramdisk after it. */
    CU_ASSERT_EQUAL(xc_pv_layout_compute(VBASE, KSTART, KEND, 64ull << 20, true, 8192, &l, err,
                                         sizeof(err)), -ENOMEM);
    CU_ASSERT_EQUAL(xc_pv_layout_compute(VBASE + 4096, KSTART, KEND, 0, true, 65536, &l, err,
                                         sizeof(err)), -EINVAL);
    CU_ASSERT_EQUAL(xc_pv_layout_compute(VBASE, VBASE - 4096, KEND, 0, true, 65536, &l, err,
                                         sizeof(err)), -EINVAL);
}

static void test_pagetables(void)
{
    struct fake f;
    unsigned long bad = 0;

    CU_ASSERT_EQUAL_FATAL(fake_build(&f, 0, true, 65536), 0);
    for (unsigned long pfn = 0; pfn < f.lay.region_pages; pfn++) {
        uint64_t e = walk(&f, xc_pv_va(&f.lay, pfn));
        bool pt = pfn >= f.lay.pt_pfn && pfn < f.lay.pt_pfn + f.lay.nr_pt;

        if (!(e & XC_PTE_P) || (e & XC_PTE_MFN_MASK) >> 12 != f.p2m[pfn] ||
            !!(e & XC_PTE_RW) == pt)
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(walk(&f, f.lay.virt_end), 0);
    CU_ASSERT_EQUAL(walk(&f, VBASE - 4096), 0);
    CU_ASSERT_EQUAL(walk(&f, 0), 0);
    /* Upper levels carry P|RW|A|D|U; leaves P|A(|RW). */
    uint64_t l4e = ((uint64_t *)(f.mem + f.lay.pt_pfn * 4096))[511];
    CU_ASSERT_EQUAL(l4e & 0xfff, XC_PTE_P | XC_PTE_RW | XC_PTE_USER | XC_PTE_A | XC_PTE_D);
    CU_ASSERT_EQUAL(walk(&f, KSTART) & 0xfff, XC_PTE_P | XC_PTE_RW | XC_PTE_A);
    CU_ASSERT_EQUAL(xc_pv_l4_mfn(&f.lay, f.p2m), f.p2m[f.lay.pt_pfn]);
    fake_free(&f);
}

static void test_p2m_list(void)
{
    struct fake f;
    const unsigned long *list;

    CU_ASSERT_EQUAL_FATAL(fake_build(&f, 0, true, 40000), 0);
    list = (const unsigned long *)(f.mem + f.lay.p2m_pfn * 4096);
    CU_ASSERT_EQUAL(list[0], fake_mfn(40000, 0));
    CU_ASSERT_EQUAL(list[39999], fake_mfn(40000, 39999));
    CU_ASSERT_EQUAL(f.lay.p2m_pages, (40000 * 8 + 4095) / 4096);
    fake_free(&f);
}

static void test_start_info(void)
{
    struct fake f;
    start_info_t si;
    struct xc_pv_start st = {.shared_info_mfn = 0x1234, .store_evtchn = 1, .console_evtchn = 2,
                             .cmdline = "console=hvc0 root=/dev/ram0"};

    CU_ASSERT_EQUAL_FATAL(fake_build(&f, 3 << 20, true, 65536), 0);
    xc_pv_fill_start_info(&si, &f.lay, f.p2m, &st);
    CU_ASSERT_STRING_EQUAL(si.magic, "xen-3.0-x86_64");
    CU_ASSERT_EQUAL(si.nr_pages, 65536);
    CU_ASSERT_EQUAL(si.shared_info, 0x1234000);
    CU_ASSERT_EQUAL(si.flags, SIF_MOD_START_PFN);
    CU_ASSERT_EQUAL(si.store_mfn, f.p2m[f.lay.store_pfn]);
    CU_ASSERT_EQUAL(si.store_evtchn, 1);
    CU_ASSERT_EQUAL(si.console.domU.mfn, f.p2m[f.lay.console_pfn]);
    CU_ASSERT_EQUAL(si.console.domU.evtchn, 2);
    CU_ASSERT_EQUAL(si.pt_base, xc_pv_va(&f.lay, f.lay.pt_pfn));
    CU_ASSERT_EQUAL(si.nr_pt_frames, f.lay.nr_pt);
    CU_ASSERT_EQUAL(si.mfn_list, xc_pv_va(&f.lay, f.lay.p2m_pfn));
    CU_ASSERT_EQUAL(si.mod_start, f.lay.region_pages);
    CU_ASSERT_EQUAL(si.mod_len, 3 << 20);
    CU_ASSERT_STRING_EQUAL((char *)si.cmd_line, st.cmdline);
    CU_ASSERT_EQUAL(si.first_p2m_pfn, 0);
    fake_free(&f);
}

static void test_vcpu_context(void)
{
    struct xc_pv_layout l;
    vcpu_guest_context_t c;
    char err[ERRLEN];

    CU_ASSERT_EQUAL_FATAL(xc_pv_layout_compute(VBASE, KSTART, KEND, 0, true, 65536, &l, err,
                                               sizeof(err)), 0);
    xc_pv_vcpu_context(&c, &l, KSTART + 0x40, 0xabcde);
    CU_ASSERT_EQUAL(c.flags, VGCF_in_kernel | VGCF_online);
    CU_ASSERT_EQUAL(c.user_regs.rip, KSTART + 0x40);
    CU_ASSERT_EQUAL(c.user_regs.rsp, xc_pv_va(&l, l.stack_pfn + 1));
    CU_ASSERT_EQUAL(c.user_regs.rsi, xc_pv_va(&l, l.start_info_pfn));
    CU_ASSERT_EQUAL(c.user_regs.cs, 0xe033);
    CU_ASSERT_EQUAL(c.user_regs.ss, 0xe02b);
    CU_ASSERT_EQUAL(c.user_regs.ds, 0);
    CU_ASSERT_EQUAL(c.kernel_ss, 0xe02b);
    CU_ASSERT_EQUAL(c.kernel_sp, c.user_regs.rsp);
    CU_ASSERT_EQUAL(c.ctrlreg[3], 0xabcdeull << 12);
    CU_ASSERT_EQUAL(c.event_callback_eip, 0);
}

static void suite(void)
{
    CU_pSuite s = CU_add_suite("libxc PV layout", NULL, NULL);

    CU_add_test(s, "region order, 4 MiB end, 512 KiB slack", test_order);
    CU_add_test(s, "ramdisk mapped or after the region", test_ramdisk_placement);
    CU_add_test(s, "too little memory or bad addresses", test_too_small);
    CU_add_test(s, "page tables map the region, tables read-only", test_pagetables);
    CU_add_test(s, "p2m list", test_p2m_list);
    CU_add_test(s, "start_info fields", test_start_info);
    CU_add_test(s, "vCPU 0 registers", test_vcpu_context);
}
TOOL_TEST_SUITE(suite);
