/*
 * Dom0 as netback and blkback use the hypervisor (Linux 6.1's
 * drivers/net/xen-netback, drivers/block/xen-blkback), against a child
 * DomU (runtime/toolstack.c) that granted us NR_GRANTS of its frames:
 *
 *  - GNTTABOP_map_grant_ref of all of them in one call, GNTMAP_host_map
 *    into our own page tables by virtual address (as gnttab_map_refs does
 *    for a backend's pages), then unmapped in batches; GTF_reading and
 *    GTF_writing in the child's entries while they are mapped, GTF_writing
 *    going with the last writable mapping and GTF_reading with the last;
 *  - many mappings at once: NR_DEVICE_MAPS device mappings spread over the
 *    grants (more handles than a fixed maptrack of a few pages holds; Xen
 *    counts an entry's device readers in 8 bits, so not all of one grant),
 *    batches longer than a continuation's chunk, directly and in a multicall;
 *  - GNTTABOP_unmap_and_replace (Linux stopped using it in 3.19; Xen 4.17 has it);
 *  - GNTTABOP_copy in batches both ways with partial pages (netback's tx
 *    path copies from the frontend's grefs to local frames, its rx path
 *    from local frames to the frontend's grefs); a write to a read-only
 *    grant and a range past the page refused per op;
 *  - an interdomain event channel under load: NR_ECHOES round trips with
 *    the child, which answers each event (CHILD_ECHO);
 *  - the child destroyed while we still map some of its grants: it stays,
 *    dying, our mappings still show its data, a copy from its grants is
 *    GNTST_bad_domain, the unmaps all succeed (a
 *    backend tears down after the frontend is gone), and then the domain
 *    is gone.
 */
#include "gnttab.h"
#include "toolstack.h"

const char test_title[] = "gnttab_backend: a backend's grant maps, copies and events with a DomU";

#define NR_GRANTS 48        /* refs FIRST_REF.., the child's pfns CHILD_PFN_GRANTS.. */
#define FIRST_REF 8         /* 0-7 are the toolstack's (GNTTAB_NR_RESERVED_ENTRIES) */
#define RO_REF (FIRST_REF + NR_GRANTS) /* one more, read-only, of pfn CHILD_PFN_GRANTS */
#define NR_DEVICE_MAPS 1000
#define MC_MAPS 300         /* more than one chunk of a batch, under a multicall */
#define NR_ECHOES 2000

static struct child c;
static grant_entry_v1_t *table;
static struct gnttab_map_grant_ref maps[NR_GRANTS];
static struct gnttab_unmap_grant_ref unmaps[NR_DEVICE_MAPS];
static struct gnttab_map_grant_ref dev_maps[NR_DEVICE_MAPS];
static struct gnttab_copy copies[NR_GRANTS];
static uint8_t local[NR_GRANTS][4096] __attribute__((aligned(4096)));
static uint8_t *va[NR_GRANTS];

static uint8_t pattern(unsigned i, unsigned off)
{
    return (uint8_t)(i * 31 + off * 7 + 1);
}

static uint16_t entry_flags(grant_ref_t ref)
{
    return __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
}

static void grant_all(void)
{
    table = ts_map_grant_table(&c);
    if (!table)
        test_error("no grant table of the child to fill");
    for (unsigned i = 0; i < NR_GRANTS; i++)
        gnttab_grant(table, FIRST_REF + i, 0, c.mfn[CHILD_PFN_GRANTS + i], GTF_permit_access);
    gnttab_grant(table, RO_REF, 0, c.mfn[CHILD_PFN_GRANTS], GTF_permit_access | GTF_readonly);
}

static void map_all(void)
{
    unsigned ok = 0, flagged = 0, seen = 0;

    for (unsigned i = 0; i < NR_GRANTS; i++) {
        va[i] = scratch_va();
        maps[i] = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)va[i],
                                                 .flags = GNTMAP_host_map,
                                                 .ref = FIRST_REF + i, .dom = c.id };
    }
    check_rc(hypercall_grant_table_op(GNTTABOP_map_grant_ref, (unsigned long)maps, NR_GRANTS), 0,
             "map_grant_ref of %u grants in one call", NR_GRANTS);
    for (unsigned i = 0; i < NR_GRANTS; i++) {
        ok += maps[i].status == GNTST_okay;
        flagged += (entry_flags(FIRST_REF + i) & (GTF_reading | GTF_writing)) ==
                   (GTF_reading | GTF_writing);
    }
    check(ok == NR_GRANTS, "%u of %u maps GNTST_okay (first status %s)", ok, NR_GRANTS,
          gntst_name(maps[0].status));
    check(flagged == NR_GRANTS, "%u of %u entries show GTF_reading|GTF_writing", flagged,
          NR_GRANTS);
    if (ok != NR_GRANTS)
        test_error("cannot go on without the mappings");
    for (unsigned i = 0; i < NR_GRANTS; i++)
        for (unsigned off = 0; off < 4096; off++)
            va[i][off] = pattern(i, off);
    for (unsigned i = 0; i < NR_GRANTS; i++)
        seen += va[i][4095] == pattern(i, 4095);
    check(seen == NR_GRANTS, "written and read back through %u host mappings", seen);
}

/* One entry mapped writable and read-only: the flags follow the pins, as Xen's v1 status. */
static void map_ro_and_rw(void)
{
    struct gnttab_map_grant_ref ro = { .host_addr = (unsigned long)scratch_va(),
                                       .flags = GNTMAP_host_map | GNTMAP_readonly,
                                       .ref = FIRST_REF, .dom = c.id };
    struct gnttab_unmap_grant_ref u = { .host_addr = maps[0].host_addr, .handle = maps[0].handle };

    check_rc(hypercall_grant_table_op(GNTTABOP_map_grant_ref, (unsigned long)&ro, 1), 0, "map RO");
    check_gntst(ro.status, GNTST_okay, "a read-only mapping of ref %u besides the writable one",
                FIRST_REF);
    check(((uint8_t *)ro.host_addr)[5] == pattern(0, 5), "the read-only mapping shows the data");
    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, (unsigned long)&u, 1), 0, "unmap");
    check_gntst(u.status, GNTST_okay, "unmap the writable mapping");
    check((entry_flags(FIRST_REF) & (GTF_reading | GTF_writing)) == GTF_reading,
          "GTF_writing went with the last writer, GTF_reading stays (flags %#x)",
          entry_flags(FIRST_REF));
    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, (unsigned long)&u, 1), 0, "unmap");
    check_gntst(u.status, GNTST_bad_handle, "the same handle again");
    u = (struct gnttab_unmap_grant_ref){ .host_addr = ro.host_addr, .handle = ro.handle };
    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, (unsigned long)&u, 1), 0, "unmap");
    check_gntst(u.status, GNTST_okay, "unmap the read-only mapping");
    check(!(entry_flags(FIRST_REF) & (GTF_reading | GTF_writing)), "entry %u idle (flags %#x)",
          FIRST_REF, entry_flags(FIRST_REF));
    unmap_va((void *)(unsigned long)ro.host_addr);
    /* Map it again for the rest of the test. */
    maps[0].status = 1;
    check_rc(hypercall_grant_table_op(GNTTABOP_map_grant_ref, (unsigned long)&maps[0], 1), 0, "map");
    check_gntst(maps[0].status, GNTST_okay, "map ref %u again", FIRST_REF);
}

/* Many handles at once: device mappings need no page-table slot. */
static void many_mappings(void)
{
    unsigned ok = 0, unmapped = 0;

    for (unsigned i = 0; i < NR_DEVICE_MAPS; i++)
        dev_maps[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map | GNTMAP_readonly,
                                                     .ref = FIRST_REF + i % NR_GRANTS,
                                                     .dom = c.id };
    /* The first MC_MAPS in one multicall entry (no continuation there), the rest directly. */
    multicall_entry_t mc = { .op = __HYPERVISOR_grant_table_op,
                             .args = { GNTTABOP_map_grant_ref, (unsigned long)dev_maps, MC_MAPS } };

    check_rc(hypercall(__HYPERVISOR_multicall, (unsigned long)&mc, 1, 0, 0, 0), 0, "multicall");
    check_rc((long)mc.result, 0, "%u device maps in a multicall", MC_MAPS);
    check_rc(hypercall_grant_table_op(GNTTABOP_map_grant_ref, (unsigned long)(dev_maps + MC_MAPS),
                                      NR_DEVICE_MAPS - MC_MAPS), 0, "%u device maps",
             NR_DEVICE_MAPS - MC_MAPS);
    for (unsigned i = 0; i < NR_DEVICE_MAPS; i++) {
        ok += dev_maps[i].status == GNTST_okay;
        unmaps[i] = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = dev_maps[i].dev_bus_addr,
                                                     .handle = dev_maps[i].handle };
    }
    check(ok == NR_DEVICE_MAPS, "%u of %u device mappings at once", ok, NR_DEVICE_MAPS);
    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, (unsigned long)unmaps, ok), 0,
             "unmap them in one call");
    for (unsigned i = 0; i < ok; i++)
        unmapped += unmaps[i].status == GNTST_okay;
    check(unmapped == ok, "%u of %u unmapped", unmapped, ok);
    check((entry_flags(FIRST_REF + 1) & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing),
          "an entry still host-mapped writable keeps both flags (%#x)", entry_flags(FIRST_REF + 1));
}

/* GNTTABOP_unmap_and_replace: host_addr gets the PTE found at new_addr, which is zapped. */
static void unmap_and_replace(void)
{
    uint8_t *mine = map_mfn(alloc_zeroed_frame(), PTE_KERNEL_RW);
    struct gnttab_map_grant_ref m = { .host_addr = (unsigned long)scratch_va(),
                                      .flags = GNTMAP_host_map | GNTMAP_readonly,
                                      .ref = RO_REF, .dom = c.id };
    struct gnttab_unmap_and_replace r;

    mine[0] = 0x5a;
    check_rc(hypercall_grant_table_op(GNTTABOP_map_grant_ref, (unsigned long)&m, 1), 0, "map");
    check_gntst(m.status, GNTST_okay, "map ref %u read-only", RO_REF);
    r = (struct gnttab_unmap_and_replace){ .host_addr = m.host_addr,
                                           .new_addr = (unsigned long)mine, .handle = m.handle };
    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_and_replace, (unsigned long)&r, 1), 0,
             "unmap_and_replace");
    check_gntst(r.status, GNTST_okay, "unmap_and_replace of a mapping made by address");
    check(((volatile uint8_t *)(unsigned long)m.host_addr)[0] == 0x5a,
          "host_addr now maps new_addr's frame");
    check(pt_read_entry((unsigned long)mine, 1) == 0, "new_addr's entry is zapped");
    check(!(entry_flags(RO_REF) & (GTF_reading | GTF_writing)), "entry %u idle (flags %#x)",
          RO_REF, entry_flags(RO_REF));
    unmap_va((void *)(unsigned long)m.host_addr);
    unmap_va(mine);
}

static void copy_batch(bool to_grant)
{
    unsigned ok = 0, right = 0;

    for (unsigned i = 0; i < NR_GRANTS; i++) {
        struct gnttab_copy_ptr grant = { .u.ref = FIRST_REF + i, .domid = c.id,
                                         .offset = (uint16_t)((i * 37) % 2048) };
        struct gnttab_copy_ptr mine = { .u.gmfn = virt_to_mfn(local[i]), .domid = DOMID_SELF,
                                        .offset = (uint16_t)((i * 101) % 1024) };

        copies[i] = (struct gnttab_copy){
            .source = to_grant ? mine : grant, .dest = to_grant ? grant : mine,
            .len = (uint16_t)(1000 + i * 21),
            .flags = to_grant ? GNTCOPY_dest_gref : GNTCOPY_source_gref };
        if (to_grant)
            for (unsigned b = 0; b < copies[i].len; b++)
                local[i][mine.offset + b] = (uint8_t)~pattern(i, b);
    }
    check_rc(hypercall_grant_table_op(GNTTABOP_copy, (unsigned long)copies, NR_GRANTS), 0,
             "copy batch %s", to_grant ? "local to gref" : "gref to local");
    for (unsigned i = 0; i < NR_GRANTS; i++) {
        const struct gnttab_copy *o = &copies[i];
        const uint8_t *src = to_grant ? local[i] + o->source.offset : va[i] + o->source.offset;
        const uint8_t *dst = to_grant ? va[i] + o->dest.offset : local[i] + o->dest.offset;
        bool same = true;

        ok += o->status == GNTST_okay;
        for (unsigned b = 0; b < o->len; b++)
            same &= src[b] == dst[b];
        /* The bytes around the range are untouched. */
        if (to_grant)
            same &= (o->dest.offset == 0 || dst[-1] == pattern(i, o->dest.offset - 1u)) &&
                    dst[o->len] == pattern(i, o->dest.offset + o->len);
        right += same;
    }
    check(ok == NR_GRANTS, "%u of %u copies %s GNTST_okay", ok, NR_GRANTS,
          to_grant ? "to grefs" : "from grefs");
    check(right == NR_GRANTS, "%u of %u partial-page copies moved exactly their bytes", right,
          NR_GRANTS);
}

static void copy_refusals(void)
{
    struct gnttab_copy bad[2] = {
        { .source = { .u.gmfn = virt_to_mfn(local[0]), .domid = DOMID_SELF },
          .dest = { .u.ref = RO_REF, .domid = c.id }, .len = 8, .flags = GNTCOPY_dest_gref },
        { .source = { .u.ref = FIRST_REF + 1, .domid = c.id, .offset = 4000 },
          .dest = { .u.gmfn = virt_to_mfn(local[0]), .domid = DOMID_SELF }, .len = 200,
          .flags = GNTCOPY_source_gref },
    };

    check_rc(hypercall_grant_table_op(GNTTABOP_copy, (unsigned long)bad, 2), 0, "copy refusals");
    check_gntst(bad[0].status, GNTST_general_error, "a copy into a read-only grant");
    check_gntst(bad[1].status, GNTST_bad_copy_arg, "a copy past the end of the page");
}

static void echoes(void)
{
    unsigned answered = 0;

    for (unsigned i = 0; i < NR_ECHOES; i++) {
        port_clear_pending(c.local_port);
        if (evtchn_send(c.local_port) || !ts_wait_port(c.local_port))
            break;
        answered++;
    }
    check_rc((long)c.page->shared_rc, 0, "the child mapped its shared_info");
    check(answered == NR_ECHOES && c.page->echoes == NR_ECHOES,
          "%u interdomain round trips (the child answered %u of %u)", answered, c.page->echoes,
          NR_ECHOES);
}

/* Half the mappings go in one unmap call; the other half stay for the child's death. */
static void unmap_half(void)
{
    unsigned ok = 0, idle = 0;

    for (unsigned i = 0; i < NR_GRANTS / 2; i++)
        unmaps[i] = (struct gnttab_unmap_grant_ref){ .host_addr = maps[i].host_addr,
                                                     .handle = maps[i].handle };
    unmaps[NR_GRANTS / 2] = unmaps[0]; /* the same handle twice in one batch */
    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, (unsigned long)unmaps,
                                      NR_GRANTS / 2 + 1), 0, "unmap %u in one call", NR_GRANTS / 2);
    check_gntst(unmaps[NR_GRANTS / 2].status, GNTST_bad_handle,
                "a handle unmapped earlier in the same batch");
    for (unsigned i = 0; i < NR_GRANTS / 2; i++) {
        ok += unmaps[i].status == GNTST_okay;
        idle += !(entry_flags(FIRST_REF + i) & (GTF_reading | GTF_writing));
        unmap_va(va[i]);
    }
    check(ok == NR_GRANTS / 2, "%u of %u unmapped", ok, NR_GRANTS / 2);
    check(idle == NR_GRANTS / 2, "%u of %u entries idle again", idle, NR_GRANTS / 2);
}

static void child_dies_while_mapped(void)
{
    struct xen_domctl_getdomaininfo info;
    unsigned first = NR_GRANTS / 2, n = NR_GRANTS - first, ok = 0, intact = 0;
    uint8_t before[NR_GRANTS];

    for (unsigned i = first; i < NR_GRANTS; i++)
        before[i] = va[i][100];
    ts_unmap_foreign(table);
    check_rc(ts_destroy_domain(c.id), 0, "destroy d%u with %u of its grants mapped here", c.id, n);
    check_rc(ts_domain_info(c.id, &info), 0, "it stays while we map its frames");
    check(info.flags & XEN_DOMINF_dying, "dying (flags %#x)", info.flags);
    for (unsigned i = first; i < NR_GRANTS; i++)
        intact += va[i][100] == before[i];
    check(intact == n, "%u of %u mapped frames still hold the data", intact, n);
    {
        /* A late netback copy from the dead frontend: refused per op, as on Xen. */
        struct gnttab_copy late = {
            .source = { .u.ref = FIRST_REF + first, .domid = c.id },
            .dest = { .u.gmfn = virt_to_mfn(local[0]), .domid = DOMID_SELF }, .len = 16,
            .flags = GNTCOPY_source_gref };
        check_rc(hypercall_grant_table_op(GNTTABOP_copy, (unsigned long)&late, 1), 0, "late copy");
        check_gntst(late.status, GNTST_bad_domain, "a copy from a dying domain's grant");
    }
    for (unsigned i = 0; i < n; i++)
        unmaps[i] = (struct gnttab_unmap_grant_ref){ .host_addr = maps[first + i].host_addr,
                                                     .handle = maps[first + i].handle };
    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, (unsigned long)unmaps, n), 0,
             "unmap the rest after its death");
    for (unsigned i = 0; i < n; i++) {
        ok += unmaps[i].status == GNTST_okay;
        unmap_va(va[first + i]);
    }
    check(ok == n, "%u of %u unmaps of a dead domain's grants GNTST_okay", ok, n);
    ts_unmap_foreign(c.page_va);
    for (unsigned i = 0; i < 200000 && ts_domain_info(c.id, &info) != -XEN_ESRCH; i++)
        hypercall_sched_op(SCHEDOP_yield, 0);
    check_rc(ts_domain_info(c.id, &info), -XEN_ESRCH, "d%u is gone with the last mapping", c.id);
    check_rc(evtchn_close(c.local_port), 0, "close our end of its channel");
}

void test_main(void)
{
    events_init();
    ts_build_child(&c, CHILD_ECHO);
    grant_all();
    ts_unpause(c.id);
    check(ts_wait_port(c.local_port), "the child signalled our port %u", c.local_port);
    map_all();
    map_ro_and_rw();
    many_mappings();
    unmap_and_replace();
    copy_batch(false);
    copy_batch(true);
    copy_refusals();
    echoes();
    unmap_half();
    child_dies_while_mapped();
}
