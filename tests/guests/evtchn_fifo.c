/*
 * The FIFO event-channel sub-ops (event_channel.h: EVTCHNOP_init_control,
 * EVTCHNOP_expand_array, EVTCHNOP_set_priority) for a domain that still
 * uses the 2-level ABI.
 *
 * FIFO is optional: a guest asks for it with init_control and falls back
 * to 2-level when that fails (Linux: xen_evtchn_fifo_init, which treats
 * any error as "no FIFO"). Two answers are therefore valid, and this test
 * first finds out which one it is talking to, through expand_array, which
 * takes effect only after init_control:
 *
 *  - FIFO offered (the real Xen 4.17, xen/common/event_fifo.c):
 *    expand_array in 2-level mode is -EOPNOTSUPP, set_priority is -ENOSYS
 *    (no 2-level port op), every sub-op copies its argument first (bad
 *    pointer: -EFAULT), init_control checks vCPU (-ENOENT), offset
 *    (-EINVAL past the page or misaligned) and frame (-EINVAL), and with a
 *    good control block succeeds, reports EVTCHN_FIFO_LINK_BITS and
 *    switches the domain to FIFO. The test ends right there: nothing after
 *    it may rely on 2-level any more.
 *  - FIFO absent (Xenolith, xen/common/event_channel.c): every FIFO
 *    sub-op is -ENOSYS whatever its argument, since an absent operation
 *    never reads it (Xen's own answer for any sub-op it does not have),
 *    and the domain stays on 2-level: a loopback channel still works.
 */
#include "events.h"
#include "pagetable.h"

const char test_title[] = "evtchn_fifo: FIFO sub-ops on a 2-level domain (offered or -ENOSYS)";

/* event_fifo.h (public): 17 link bits per event word. */
#define FIFO_LINK_BITS 17

static uint8_t control_page[4096] __attribute__((aligned(4096)));
static uint8_t array_page[4096] __attribute__((aligned(4096)));

static long op(unsigned int cmd, void *arg)
{
    return hypercall_event_channel_op(cmd, (unsigned long)arg);
}

static const struct {
    unsigned int cmd;
    const char *name;
} fifo_ops[] = {
    { EVTCHNOP_init_control, "init_control" },
    { EVTCHNOP_expand_array, "expand_array" },
    { EVTCHNOP_set_priority, "set_priority" },
};

static void bad_pointers(long want)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(fifo_ops); i++)
        for (unsigned int b = 0; b < nr_bad_ptrs; b++)
            check_rc(hypercall_event_channel_op(fifo_ops[i].cmd,
                                                bad_ptrs[b].addr),
                     want, "EVTCHNOP_%s at %s %#lx", fifo_ops[i].name,
                     bad_ptrs[b].what, bad_ptrs[b].addr);
}

static void fifo_absent(void)
{
    struct evtchn_init_control init = {
        .control_gfn = virt_to_mfn(control_page),
    };
    struct evtchn_set_priority prio = { .port = 1, .priority = 7 };
    evtchn_port_t a, b;

    printf("FIFO absent: every FIFO sub-op is -ENOSYS\n");
    bad_pointers(-XEN_ENOSYS);
    check_rc(op(EVTCHNOP_set_priority, &prio), -XEN_ENOSYS, "set_priority");
    check_rc(op(EVTCHNOP_init_control, &init), -XEN_ENOSYS,
             "init_control with a good control block");

    events_clear_all();
    evtchn_loopback(&a, &b);
    check_rc(evtchn_send(a), 0, "send(%u): still 2-level", a);
    check(port_pending(b) && port_selected(b) && upcall_pending(),
          "2-level delivery still works: port %u pending and selected", b);
}

static void fifo_offered(void)
{
    struct evtchn_init_control init = { 0 };
    struct evtchn_set_priority prio = { .port = 0, .priority = 7 };
    unsigned long gfn = virt_to_mfn(control_page);
    long rc;

    printf("FIFO offered: argument checks, then the switch\n");
    bad_pointers(-XEN_EFAULT);
    /* evtchn_set_priority: a valid port, but 2-level has no priorities. */
    check_rc(op(EVTCHNOP_set_priority, &prio), -XEN_ENOSYS,
             "set_priority(port 0) under 2-level");
    prio.port = EVTCHN_PORTS;
    check_rc(op(EVTCHNOP_set_priority, &prio), -XEN_EINVAL,
             "set_priority(port %u)", prio.port);

    init = (struct evtchn_init_control){ .control_gfn = gfn, .vcpu = 1 };
    check_rc(op(EVTCHNOP_init_control, &init), -XEN_ENOENT,
             "init_control for absent vCPU 1");
    init = (struct evtchn_init_control){ .control_gfn = gfn, .offset = 4096 };
    check_rc(op(EVTCHNOP_init_control, &init), -XEN_EINVAL,
             "init_control at offset 4096 (past the page)");
    init = (struct evtchn_init_control){ .control_gfn = gfn, .offset = 4 };
    check_rc(op(EVTCHNOP_init_control, &init), -XEN_EINVAL,
             "init_control at offset 4 (not 8-byte aligned)");
    init = (struct evtchn_init_control){ .control_gfn = ~0UL >> 12 };
    check_rc(op(EVTCHNOP_init_control, &init), -XEN_EINVAL,
             "init_control with frame %#lx (not ours)",
             (unsigned long)init.control_gfn);
    init = (struct evtchn_init_control){
        .control_gfn = virt_to_mfn((void *)start_info->pt_base)
    };
    check_rc(op(EVTCHNOP_init_control, &init), -XEN_EINVAL,
             "init_control on our L4 page table (cannot be writable)");

    /* The switch: nothing below may use 2-level. */
    init = (struct evtchn_init_control){ .control_gfn = gfn };
    rc = op(EVTCHNOP_init_control, &init);
    check_rc(rc, 0, "init_control with a good control block");
    if (!rc)
        check(init.link_bits == FIFO_LINK_BITS, "link_bits = %u (want %u)",
              init.link_bits, FIFO_LINK_BITS);
    check_rc(op(EVTCHNOP_init_control, &init), -XEN_EINVAL,
             "init_control again for vCPU 0");
    printf("(the domain now uses FIFO; the test ends here)\n");
}

void test_main(void)
{
    struct evtchn_expand_array expand = {
        .array_gfn = virt_to_mfn(array_page),
    };
    long rc;

    events_init();
    rc = op(EVTCHNOP_expand_array, &expand);
    printf("expand_array before init_control = %ld\n", rc);
    if (rc == -XEN_ENOSYS)
        fifo_absent();
    else if (check_rc(rc, -XEN_EOPNOTSUPP,
                      "expand_array under 2-level (FIFO offered)"))
        fifo_offered();
}
