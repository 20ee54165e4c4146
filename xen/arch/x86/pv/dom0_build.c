/*
 * The Dom0 builder: a 64-bit PV kernel from boot module 1 with its Xen ELF
 * notes, the initrd from module 2, laid out as public/xen.h's "start of day
 * memory layout" says and as Xen's own Dom0 builder does, so that a kernel
 * made for Xen cannot tell the difference at entry:
 *
 *   VIRT_BASE: kernel | initrd (unless MOD_START_PFN) | p2m list (unless
 *   INIT_P2M) | start_info | page tables | boot stack | padding to 4 MiB
 *   (>= 512 KiB)
 *
 * pfn N is mapped at VIRT_BASE + N pages; all RAM pages after the region
 * are unmapped, except the p2m list when the kernel gives INIT_P2M. The
 * pfns after the region: an unmapped initrd, then with INIT_P2M the p2m
 * list's pages and the page tables that map it at the note's address
 * (start_info's first_p2m_pfn and nr_p2m_frames).
 */
#include <asm/bootinfo.h>
#include <asm/page.h>
#include <asm/time.h>
#include <xen/features.h>
#include <xenolith/bzimage.h>
#include <xenolith/cmdline.h>
#include <xenolith/dom0.h>
#include <xenolith/elf.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>
#include <xenolith/xz.h>

/* Guest kernel and user both run in ring 3: every level carries _PAGE_USER. */
#define L1_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_USER)
#define LN_PROT (L1_PROT | _PAGE_DIRTY)
#define MAX_EXTENTS 64

/* dom0_mem=[min:<size>,][max:<size>,][<size>]; a negative size means "all but". */
static int64_t dom0_mem_amount, dom0_mem_min, dom0_mem_max;

static int parse_signed_size(const char *s, const char **end, int64_t *v)
{
    uint64_t b;
    bool neg = *s == '-';

    if (parse_size(s + neg, end, &b) || b > INT64_MAX)
        return -1;
    *v = neg ? -(int64_t)b : (int64_t)b;
    return 0;
}

static int parse_dom0_mem(const char *s)
{
    while (*s) {
        int64_t *dst = &dom0_mem_amount;

        if (!strncmp(s, "min:", 4))
            dst = &dom0_mem_min, s += 4;
        else if (!strncmp(s, "max:", 4))
            dst = &dom0_mem_max, s += 4;
        if (parse_signed_size(s, &s, dst))
            return -1;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return 0;
}
PARAM_CUSTOM("dom0_mem", parse_dom0_mem);

static unsigned opt_dom0_max_vcpus = 1;
PARAM_UINT("dom0_max_vcpus", opt_dom0_max_vcpus);

struct layout {
    uint64_t v_start, v_end, vkern_start, vkern_end, vinitrd_start, vinitrd_end;
    uint64_t vphysmap_start, vphysmap_end, vstartinfo_start, vstartinfo_end;
    uint64_t vpt_start, vpt_end, vstack_start, vstack_end;
    uint64_t nr_pt_pages;
    /*
     * With INIT_P2M: the list's pages are pfns p2m_first.. (p2m_pages of
     * them, mapping vphysmap_start rounded down to a page), its tables
     * follow; p2m_frames counts both (at most that many before they are
     * built, exactly that many after).
     */
    bool p2m_outside;
    uint64_t p2m_first, p2m_pages, p2m_frames;
};

struct dom0_build {
    struct domain *d;
    struct elf_kernel k;
    struct layout l;
    uint64_t nr_pages;
    const uint8_t *initrd;
    uint64_t initrd_len;
    uint64_t ext_first[MAX_EXTENTS], ext_count[MAX_EXTENTS];
    unsigned nr_ext;
};

static uint64_t pages_to_mb(uint64_t p)
{
    return p >> (20 - PAGE_SHIFT);
}

static uint64_t resolve_size(int64_t v, uint64_t avail)
{
    uint64_t pages = (uint64_t)(v < 0 ? -v : v) >> PAGE_SHIFT;

    if (v >= 0)
        return pages;
    return pages < avail ? avail - pages : 0;
}

/* As Xen: all free memory but 1/16 of it (at most 128 MiB) unless told. */
static uint64_t dom0_pages(void)
{
    uint64_t avail = frame_table.counts[FRAME_FREE];
    uint64_t pages;

    if (dom0_mem_amount)
        pages = resolve_size(dom0_mem_amount, avail);
    else
        pages = avail - MIN(avail / 16, (128UL << 20) >> PAGE_SHIFT);
    if (dom0_mem_min)
        pages = MAX(pages, resolve_size(dom0_mem_min, avail));
    if (dom0_mem_max)
        pages = MIN(pages, resolve_size(dom0_mem_max, avail));
    return MIN(pages, avail);
}

static uint64_t nr_tables(uint64_t s, uint64_t e, unsigned shift)
{
    return ((e - 1) >> shift) - (s >> shift) + 1;
}

static uint64_t initrd_pages_after_region(const struct dom0_build *b)
{
    return b->k.unmapped_initrd ? (b->initrd_len + PAGE_SIZE - 1) >> PAGE_SHIFT : 0;
}

/*
 * INIT_P2M (public/elfnote.h): the p2m list at the note's address instead
 * of inside the region, as Xen's Dom0 builder places it. Its frames come
 * after the region and the unmapped initrd. The table count is exact
 * unless the list shares an L3 or L2 with the region (check_kernel
 * refuses an overlap), then an upper bound.
 */
static void place_p2m_outside(struct dom0_build *b)
{
    struct layout *l = &b->l;
    uint64_t s, e;

    l->p2m_outside = true;
    l->vphysmap_start = b->k.p2m_base;
    l->vphysmap_end = l->vphysmap_start + b->nr_pages * sizeof(uint64_t);
    if (l->vphysmap_end < l->vphysmap_start)
        return; /* check_kernel refuses it */
    s = ROUNDDOWN(l->vphysmap_start, PAGE_SIZE);
    e = ROUNDUP(l->vphysmap_end, PAGE_SIZE);
    l->p2m_pages = (e - s) >> PAGE_SHIFT;
    l->p2m_frames = l->p2m_pages + nr_tables(s, e, L4_SHIFT) + nr_tables(s, e, L3_SHIFT) +
                    nr_tables(s, e, L2_SHIFT);
}

static uint64_t va_pfn(const struct dom0_build *b, uint64_t va)
{
    return (va - b->l.v_start) >> PAGE_SHIFT;
}

/* Xen's search: the fewest table pages that map the region they end up in. */
static void compute_layout(struct dom0_build *b)
{
    struct layout *l = &b->l;

    l->v_start = b->k.virt_base;
    l->vkern_start = b->k.virt_kstart;
    l->vkern_end = b->k.virt_kend;
    l->vinitrd_start = l->vinitrd_end = ROUNDUP(l->vkern_end, PAGE_SIZE);
    if (!b->k.unmapped_initrd)
        l->vinitrd_end += b->initrd_len;
    l->vphysmap_start = ROUNDUP(l->vinitrd_end, PAGE_SIZE);
    l->vphysmap_end = l->vphysmap_start;
    if (b->k.p2m_base == ELF_UNSET)
        l->vphysmap_end += b->nr_pages * sizeof(uint64_t);
    l->vstartinfo_start = ROUNDUP(l->vphysmap_end, PAGE_SIZE);
    l->vstartinfo_end = l->vstartinfo_start + sizeof(start_info_t) +
                        sizeof(struct dom0_vga_console_info);
    l->vpt_start = ROUNDUP(l->vstartinfo_end, PAGE_SIZE);
    for (l->nr_pt_pages = 2;; l->nr_pt_pages++) {
        l->vpt_end = l->vpt_start + l->nr_pt_pages * PAGE_SIZE;
        l->vstack_start = l->vpt_end;
        l->vstack_end = l->vstack_start + PAGE_SIZE;
        l->v_end = ROUNDUP(l->vstack_end, 4UL << 20);
        if (l->v_end - l->vstack_end < (512UL << 10))
            l->v_end += 4UL << 20;
        if (1 + nr_tables(l->v_start, l->v_end, L4_SHIFT) +
                nr_tables(l->v_start, l->v_end, L3_SHIFT) +
                nr_tables(l->v_start, l->v_end, L2_SHIFT) <=
            l->nr_pt_pages)
            break;
    }
    l->p2m_first = va_pfn(b, l->v_end) + initrd_pages_after_region(b);
    if (b->k.p2m_base != ELF_UNSET)
        place_p2m_outside(b);
}

static uint64_t pfn_to_mfn(const struct dom0_build *b, uint64_t pfn)
{
    for (unsigned i = 0; i < b->nr_ext; i++) {
        if (pfn < b->ext_count[i])
            return b->ext_first[i] + pfn;
        pfn -= b->ext_count[i];
    }
    panic("Dom0 pfn %#lx beyond its memory", (unsigned long)pfn);
}

static void *pfn_va(const struct dom0_build *b, uint64_t pfn)
{
    return mfn_to_virt(pfn_to_mfn(b, pfn));
}

/* Largest contiguous runs first, so the region is usually one extent. */
static bool allocate_memory(struct dom0_build *b)
{
    uint64_t left = b->nr_pages, chunk = left;

    while (left) {
        uint64_t mfn;

        chunk = MIN(chunk, left);
        mfn = alloc_domain_frames(b->d, chunk);
        if (mfn == INVALID_MFN) {
            if (chunk == 1 || b->nr_ext == MAX_EXTENTS)
                return false;
            chunk /= 2;
            continue;
        }
        if (b->nr_ext == MAX_EXTENTS)
            return false;
        b->ext_first[b->nr_ext] = mfn;
        b->ext_count[b->nr_ext++] = chunk;
        left -= chunk;
    }
    b->d->nr_pages = b->d->max_pages = b->nr_pages;
    return true;
}

static pte_t *next_table(struct dom0_build *b, pte_t *e, uint64_t *next_pt)
{
    if (!(*e & _PAGE_PRESENT))
        *e = (pfn_to_mfn(b, (*next_pt)++) << PAGE_SHIFT) | LN_PROT;
    return maddr_to_virt(*e & PADDR_MASK);
}

/* Maps the region with 4 KiB pages; the tables themselves read-only. */
static uint64_t build_page_tables(struct dom0_build *b)
{
    const struct layout *l = &b->l;
    uint64_t pt_first = va_pfn(b, l->vpt_start), next_pt = pt_first + 1;
    pte_t *l4 = pfn_va(b, pt_first);

    for (uint64_t va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        pte_t *l3 = next_table(b, &l4[PT_INDEX(va, L4_SHIFT)], &next_pt);
        pte_t *l2 = next_table(b, &l3[PT_INDEX(va, L3_SHIFT)], &next_pt);
        pte_t *l1 = next_table(b, &l2[PT_INDEX(va, L2_SHIFT)], &next_pt);
        uint64_t pfn = va_pfn(b, va);
        uint64_t flags = L1_PROT;

        if (pfn >= pt_first && pfn < pt_first + l->nr_pt_pages)
            flags &= ~_PAGE_RW;
        l1[PT_INDEX(va, L1_SHIFT)] = (pfn_to_mfn(b, pfn) << PAGE_SHIFT) | flags;
    }
    ASSERT(next_pt - pt_first <= l->nr_pt_pages);
    for (unsigned s = XEN_L4_SLOT_FIRST; s <= XEN_L4_SLOT_LAST; s++)
        l4[s] = idle_pg_table[s];
    return pfn_to_mfn(b, pt_first) << PAGE_SHIFT;
}

/*
 * INIT_P2M: the list's pages at its address, writable, through tables of
 * its own under the initial L4 (Linux copies that L4 entry into its own
 * and frees the whole subtree later: xen_cleanmfnmap). The tables are not
 * mapped anywhere; pinning the L4 types them.
 */
static void map_p2m_outside(struct dom0_build *b)
{
    struct layout *l = &b->l;
    pte_t *l4 = pfn_va(b, va_pfn(b, l->vpt_start));
    uint64_t pfn = l->p2m_first, next_pt = l->p2m_first + l->p2m_pages;
    uint64_t va = ROUNDDOWN(l->vphysmap_start, PAGE_SIZE);

    for (; va < l->vphysmap_end; va += PAGE_SIZE, pfn++) {
        pte_t *l3 = next_table(b, &l4[PT_INDEX(va, L4_SHIFT)], &next_pt);
        pte_t *l2 = next_table(b, &l3[PT_INDEX(va, L3_SHIFT)], &next_pt);
        pte_t *l1 = next_table(b, &l2[PT_INDEX(va, L2_SHIFT)], &next_pt);

        l1[PT_INDEX(va, L1_SHIFT)] = (pfn_to_mfn(b, pfn) << PAGE_SHIFT) | L1_PROT;
    }
    ASSERT(next_pt - l->p2m_first <= l->p2m_frames);
    l->p2m_frames = next_pt - l->p2m_first;
}

/* The pfn behind va in Dom0's initial mappings: the region, or the p2m list's own. */
static uint64_t mapped_pfn(const struct dom0_build *b, uint64_t va)
{
    const struct layout *l = &b->l;

    if (l->p2m_outside && va >= l->vphysmap_start && va < l->vphysmap_end)
        return l->p2m_first + ((va - ROUNDDOWN(l->vphysmap_start, PAGE_SIZE)) >> PAGE_SHIFT);
    return va_pfn(b, va);
}

static void copy_to_region(struct dom0_build *b, uint64_t va, const uint8_t *src, uint64_t len)
{
    while (len) {
        uint64_t off = va & (PAGE_SIZE - 1);
        uint64_t n = MIN(len, PAGE_SIZE - off);

        memcpy((uint8_t *)pfn_va(b, mapped_pfn(b, va)) + off, src, n);
        va += n;
        src += n;
        len -= n;
    }
}

static int load_segment(void *ctx, uint64_t vaddr, const uint8_t *src,
                        uint64_t filesz, uint64_t memsz)
{
    (void)memsz; /* the rest of the segment is already zero */
    copy_to_region(ctx, vaddr, src, filesz);
    return 0;
}

static void copy_to_pfns(struct dom0_build *b, uint64_t pfn, const uint8_t *src, uint64_t len)
{
    for (; len; pfn++) {
        uint64_t n = MIN(len, (uint64_t)PAGE_SIZE);

        memcpy(pfn_va(b, pfn), src, n);
        src += n;
        len -= n;
    }
}

/* Both directions: the guest's p2m list and the hypervisor's M2P. */
static void write_p2m(struct dom0_build *b)
{
    uint64_t va = b->l.vphysmap_start;

    for (uint64_t pfn = 0; pfn < b->nr_pages; pfn++, va += sizeof(uint64_t)) {
        uint64_t mfn = pfn_to_mfn(b, pfn);

        copy_to_region(b, va, (const uint8_t *)&mfn, sizeof(mfn));
        set_m2p(mfn, pfn);
    }
}

/*
 * The initial tables become live the way a guest's would: pinning the L4
 * validates the whole tree (every mapping takes its references, page-table
 * frames become typed and so unwritable), and the base pointer holds a
 * type reference of its own (Linux unpins this L4 while it is still loaded).
 */
static void make_tables_live(struct dom0_build *b, struct vcpu *v, uint64_t l4_mfn)
{
    int rc = pin_table(b->d, l4_mfn, PGT_l4);

    if (!rc)
        rc = get_page_and_type(mfn_to_page(l4_mfn), b->d, PGT_l4);
    if (rc)
        panic("Dom0's initial page tables do not validate (%d)", rc);
    v->guest_table = l4_mfn;
    v->kernel_mode = true;
}

static void write_start_info(struct dom0_build *b, const char *cmdline)
{
    start_info_t *si = pfn_va(b, va_pfn(b, b->l.vstartinfo_start));

    memset(si, 0, PAGE_SIZE);
    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = b->nr_pages;
    si->shared_info = virt_to_maddr(b->d->shared_info);
    si->flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
    si->pt_base = b->l.vpt_start;
    si->nr_pt_frames = b->l.nr_pt_pages;
    si->mfn_list = b->l.vphysmap_start;
    if (b->l.p2m_outside) {
        si->first_p2m_pfn = b->l.p2m_first;
        si->nr_p2m_frames = b->l.p2m_frames;
    }
    if (b->initrd_len) {
        if (b->k.unmapped_initrd) {
            si->flags |= SIF_MOD_START_PFN;
            si->mod_start = va_pfn(b, b->l.v_end);
        } else {
            si->mod_start = b->l.vinitrd_start;
        }
        si->mod_len = b->initrd_len;
    }
    strlcpy((char *)si->cmd_line, cmdline, sizeof(si->cmd_line));
}

static void show_layout(const struct dom0_build *b)
{
    const struct layout *l = &b->l;

    printk("VIRTUAL MEMORY ARRANGEMENT:\n");
    printk(" Loaded kernel: %016lx->%016lx\n", (unsigned long)l->vkern_start, (unsigned long)l->vkern_end);
    if (b->initrd_len && !b->k.unmapped_initrd)
        printk(" Init. ramdisk: %016lx->%016lx\n", (unsigned long)l->vinitrd_start, (unsigned long)l->vinitrd_end);
    printk(" Phys-Mach map: %016lx->%016lx\n", (unsigned long)l->vphysmap_start, (unsigned long)l->vphysmap_end);
    printk(" Start info:    %016lx->%016lx\n", (unsigned long)l->vstartinfo_start, (unsigned long)l->vstartinfo_end);
    printk(" Page tables:   %016lx->%016lx\n", (unsigned long)l->vpt_start, (unsigned long)l->vpt_end);
    printk(" Boot stack:    %016lx->%016lx\n", (unsigned long)l->vstack_start, (unsigned long)l->vstack_end);
    printk(" TOTAL:         %016lx->%016lx\n", (unsigned long)l->v_start, (unsigned long)l->v_end);
    printk(" ENTRY ADDRESS: %016lx\n", (unsigned long)b->k.entry);
}

/* Reasons a kernel cannot be Dom0; NULL when it can. */
static const char *check_kernel(const struct dom0_build *b)
{
    const struct elf_kernel *k = &b->k;
    const struct layout *l = &b->l;

    /* Only checked when the note exists, as Xen does (SUPPORTED_FEATURES). */
    if (k->has_supported_features_note && !(k->features_supported & (1U << XENFEAT_dom0)))
        return "the kernel does not support Dom0 operation (no XENFEAT_dom0 in SUPPORTED_FEATURES)";
    if (k->hypercall_page != ELF_UNSET &&
        (k->hypercall_page < l->v_start || k->hypercall_page >= l->v_end ||
         (k->hypercall_page & (PAGE_SIZE - 1))))
        return "HYPERCALL_PAGE note outside the kernel's mapping or not page aligned";
    if (l->v_end < l->v_start ||
        (l->v_start < HYPERVISOR_VIRT_END && l->v_end > HYPERVISOR_VIRT_START))
        return "the kernel's mapping overlaps the hypervisor's area";
    if (l->p2m_outside) {
        uint64_t s = l->vphysmap_start, e = l->vphysmap_end;

        /* Its tables must not land in the hypervisor's L4 slots. */
        if (e < s || !is_canonical(s) || !is_canonical(e - 1) ||
            (s >> 47) != ((e - 1) >> 47) ||
            (s < HYPERVISOR_VIRT_END && e > HYPERVISOR_VIRT_START))
            return "INIT_P2M: the p2m list would not be canonical or would overlap the "
                   "hypervisor's area";
        /* Xen panics on the same overlap ("P->M table overlaps initial mapping"). */
        if (l->v_start <= e && s <= l->v_end)
            return "INIT_P2M: the p2m list would overlap the kernel's initial mapping";
    }
    if (l->p2m_first + l->p2m_frames > b->nr_pages)
        return "dom0_mem is too small for the kernel's initial mapping";
    return NULL;
}

/*
 * Module 1 as Xen takes it: an ELF, or a bzImage whose XZ payload is
 * decompressed into hypervisor pages (freed once the kernel is loaded).
 */
static const void *kernel_image(const struct boot_module *m, size_t *size, void **scratch,
                                unsigned *scratch_pages)
{
    const void *img = maddr_to_virt(m->start), *payload;
    size_t len = m->end - m->start, plen, xz_len, out_size, out_len;
    struct xz_dec *xz;
    const char *err;
    uint8_t *out;

    *size = len;
    *scratch = NULL;
    if (is_elf(img, len) || bzimage_payload(img, len, &payload, &plen))
        return img;
    if (strcmp(bzimage_payload_format(payload, plen), "xz"))
        panic("Dom0 kernel (module 1): a bzImage with a %s payload; only xz is supported",
              bzimage_payload_format(payload, plen));
    if (bzimage_xz_sizes(payload, plen, &xz_len, &out_size, &err))
        panic("Dom0 kernel (module 1): %s", err);
    *scratch_pages = (unsigned)((out_size + PAGE_SIZE - 1) >> PAGE_SHIFT);
    out = alloc_xen_pages(*scratch_pages);
    xz = alloc_xen_pages((sizeof(*xz) + PAGE_SIZE - 1) >> PAGE_SHIFT);
    if (!out || !xz)
        panic("Dom0 kernel (module 1): no memory to decompress %lu MiB",
              (unsigned long)(out_size >> 20));
    printk(" Dom0 kernel: bzImage, decompressing %lu KiB of xz into %lu KiB\n",
           (unsigned long)(xz_len >> 10), (unsigned long)(out_size >> 10));
    if (xz_decompress(xz, payload, xz_len, out, out_size, &out_len, &err))
        panic("Dom0 kernel (module 1): xz: %s", err);
    free_xen_pages(xz, (sizeof(*xz) + PAGE_SIZE - 1) >> PAGE_SHIFT);
    *scratch = out;
    *size = out_len;
    return out;
}

struct vcpu *dom0_construct(void)
{
    void *scratch;
    unsigned scratch_pages = 0;
    const void *image;
    size_t image_size;
    static struct dom0_build b;
    const struct boot_module *kmod = &boot_info.modules[0];
    char err[160];
    const char *why;
    struct vcpu *v;

    printk("*** Building a PV Dom0 ***\n");
    if (boot_info.nr_modules < 1)
        panic("Dom0 kernel not specified: the boot loader gave no module 1");
    image = kernel_image(kmod, &image_size, &scratch, &scratch_pages);
    if (elf_kernel_parse(&b.k, image, image_size, err, sizeof(err)))
        panic("Dom0 kernel (module 1): %s", err);
    if (boot_info.nr_modules > 1) {
        b.initrd = maddr_to_virt(boot_info.modules[1].start);
        b.initrd_len = boot_info.modules[1].end - boot_info.modules[1].start;
    }
    printk(" Dom0 kernel: 64-bit, lsb, paddr %#lx -> %#lx, GUEST_OS '%s', LOADER '%s'\n",
           (unsigned long)b.k.pstart, (unsigned long)b.k.pend, b.k.guest_os, b.k.loader);
    b.d = domain_create(0, true, opt_dom0_max_vcpus);
    if (!b.d)
        panic("no memory for Dom0's domain structure");
    b.nr_pages = dom0_pages();
    compute_layout(&b);
    why = check_kernel(&b);
    if (why)
        panic("Dom0 kernel (module 1): %s", why);
    if (!allocate_memory(&b))
        panic("not enough RAM for Dom0 (%lu MiB)", (unsigned long)pages_to_mb(b.nr_pages));
    printk(" Dom0 memory: %lu MiB in %u extent(s), first mfn %#lx\n",
           (unsigned long)pages_to_mb(b.nr_pages), b.nr_ext, (unsigned long)b.ext_first[0]);
    show_layout(&b);

    v = b.d->vcpu[0];
    v->cr3 = build_page_tables(&b);
    if (b.l.p2m_outside)
        map_p2m_outside(&b);
    elf_kernel_for_each_segment(&b.k, load_segment, &b);
    if (scratch)
        free_xen_pages(scratch, scratch_pages);
    if (b.k.hypercall_page != ELF_UNSET)
        hypercall_page_fill(pfn_va(&b, va_pfn(&b, b.k.hypercall_page)));
    if (b.initrd_len) {
        if (b.k.unmapped_initrd)
            copy_to_pfns(&b, va_pfn(&b, b.l.v_end), b.initrd, b.initrd_len);
        else
            copy_to_region(&b, b.l.vinitrd_start, b.initrd, b.initrd_len);
    }
    write_p2m(&b);
    make_tables_live(&b, v, v->cr3 >> PAGE_SHIFT);
    write_start_info(&b, kmod->cmdline[0] ? cmdline_cook(kmod->cmdline, boot_info.multiboot_version) : "");

    /* Events stay masked until the guest is ready (public/xen.h: vcpu_info). */
    for (unsigned i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        b.d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    pvclock_fill(&v->vcpu_info->time);
    wallclock_fill(b.d->shared_info);

    for (unsigned m = 0; m < boot_info.nr_modules; m++)
        frames_release(&frame_table, boot_info.modules[m].start >> PAGE_SHIFT,
                       (boot_info.modules[m].end - boot_info.modules[m].start + PAGE_SIZE - 1) >> PAGE_SHIFT,
                       FRAME_MODULE);

    /* The register state of public/xen.h "start of day" for x86_64. */
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = b.k.entry;
    v->regs.rsp = b.l.vstack_end;
    v->regs.rsi = b.l.vstartinfo_start;
    v->regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v->regs.cs = GUEST_CS64;
    v->regs.ss = GUEST_DS;
    v->kernel_ss = FLAT_KERNEL_SS;
    v->kernel_sp = b.l.vstack_end;
    v->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    v->initialised = true;
    v->up = true;
    printk("Dom%u has maximum %u VCPUs\n", b.d->domain_id, b.d->max_vcpus);
    printk("*** Entering Dom0 ***\n");
    return v;
}
