/*
 * The machine-to-phys table: one 64-bit entry per machine frame, mapped
 * read-only for every PV guest (kernel and user) at MACH2PHYS_VIRT_START
 * (xen-x86_64.h), in L4 slot 256 which every guest L4 shares. Entries of
 * frames no domain owns read as INVALID (all ones).
 */
#include <xen/memory.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>

static uint64_t *m2p;
static uint64_t m2p_first_mfn, m2p_frames;
uint64_t m2p_nr_entries;

void m2p_init(void)
{
    uint64_t bytes = ROUNDUP(frame_table.nr * sizeof(uint64_t), 1UL << L2_SHIFT);

    m2p_frames = bytes >> PAGE_SHIFT;
    m2p_first_mfn = frames_alloc(&frame_table, m2p_frames, FRAME_XEN, 0);
    if (m2p_first_mfn == INVALID_MFN)
        panic("no memory for the machine-to-phys table (%lu KiB)", (unsigned long)(bytes >> 10));
    m2p = mfn_to_virt(m2p_first_mfn);
    memset(m2p, 0xff, bytes);
    m2p_nr_entries = bytes / sizeof(uint64_t);
    map_range(M2P_VIRT_START, m2p_first_mfn << PAGE_SHIFT, bytes,
              _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX);
    printk("M2P: %lu entries at %#lx (read-only to guests)\n",
           (unsigned long)m2p_nr_entries, (unsigned long)M2P_VIRT_START);
}

void set_m2p(uint64_t mfn, uint64_t pfn)
{
    if (mfn < m2p_nr_entries)
        m2p[mfn] = pfn;
}

uint64_t get_m2p(uint64_t mfn)
{
    return mfn < m2p_nr_entries ? m2p[mfn] : ~0UL;
}

/* XENMEM_machphys_mapping: where the table is and how far it reaches. */
long m2p_mapping(uint64_t arg)
{
    /* As Xen: the whole M2P area, and the highest frame of the machine. */
    struct xen_machphys_mapping map = {
        .v_start = MACH2PHYS_VIRT_START,
        .v_end = MACH2PHYS_VIRT_END,
        .max_mfn = frame_table.nr - 1,
    };

    return copy_to_guest(arg, &map, sizeof(map));
}

/* XENMEM_machphys_mfn_list: the table's frames, one per 2 MiB extent. */
long m2p_mfn_list(uint64_t arg)
{
    struct xen_machphys_mfn_list l;
    unsigned i;

    if (copy_from_guest(&l, arg, sizeof(l)))
        return -EFAULT;
    for (i = 0; i < l.max_extents && i < m2p_frames / 512; i++) {
        xen_pfn_t mfn = m2p_first_mfn + (uint64_t)i * 512;

        if (copy_to_guest((uint64_t)l.extent_start.p + i * sizeof(mfn), &mfn, sizeof(mfn)))
            return -EFAULT;
    }
    l.nr_extents = i;
    return copy_to_guest(arg + offsetof(struct xen_machphys_mfn_list, nr_extents),
                         &l.nr_extents, sizeof(l.nr_extents));
}
