/*
 * Upcall delivery through the event callback (callback.h,
 * CALLBACKTYPE_event), as Xen 4.17 does it for a 64-bit PV guest
 * (test_guest_events and create_bounce_frame, x86_64/entry.S;
 * linux-pv-abi.md 5.2, 5.4, 5.6):
 *
 *  - nothing is delivered while vcpu_info.evtchn_upcall_mask is set, not
 *    even on the return from a hypercall;
 *  - once the guest clears the mask itself, any hypercall ("check
 *    events": Linux uses xen_version(0)) delivers the pending upcall on
 *    its return; an event a hypercall raises is delivered on its return;
 *  - the callback runs with the mask set, on a bounce frame pushed below
 *    the interrupted RSP (rounded down to 16 bytes): RCX, R11, RIP, CS,
 *    RFLAGS, RSP, SS, where CS has RPL 0 (interrupted in kernel mode) and
 *    bits 32-39 hold the mask as it was, and RFLAGS.IF is its inverse;
 *  - HYPERVISOR_iret restores the mask from the frame's RFLAGS.IF;
 *  - EVTCHNOP_unmask of a pending port delivers it on the hypercall's
 *    return; SCHEDOP_block clears the mask and returns at once when an
 *    event is pending, delivering it.
 */
#include "events.h"

const char test_title[] = "evtchn_upcall: event callback, upcall mask, iret, check events";

extern uint8_t hypercall_page[4096];

static unsigned int upcalls_before;

static void mark(void)
{
    upcalls_before = upcall_count;
    upcalls_reset();
}

static unsigned int new_upcalls(void)
{
    return upcall_count - upcalls_before;
}

/* Make the next upcall return with events masked (RFLAGS.IF clear). */
static void keep_masked(struct trap_record *rec)
{
    rec->rflags &= ~X86_EFLAGS_IF;
    upcall_hook = NULL;
}

static void check_frame(void)
{
    const struct trap_record *r = &last_upcall;
    unsigned long page = (unsigned long)hypercall_page;

    trap_print("last upcall", r);
    check(r->mask == 1, "the callback ran with evtchn_upcall_mask = 1 (got %u)",
          r->mask);
    check(((r->cs >> 32) & 0xff) == 0,
          "saved CS bits 32-39 hold the old mask 0 (cs %#lx)",
          (unsigned long)r->cs);
    check((r->cs & 0xffff) == (FLAT_KERNEL_CS & ~3),
          "saved CS is FLAT_KERNEL_CS with RPL 0 (%#lx)",
          (unsigned long)(r->cs & 0xffff));
    check((r->ss & 0xffff) == FLAT_KERNEL_SS,
          "saved SS is FLAT_KERNEL_SS (%#lx)", (unsigned long)(r->ss & 0xffff));
    check(r->rflags & X86_EFLAGS_IF,
          "saved RFLAGS.IF is set: events were unmasked (%#lx)",
          (unsigned long)r->rflags);
    check(r->rip >= page && r->rip < page + 4096,
          "interrupted RIP %#lx is in the hypercall page (on the return of "
          "the hypercall)", (unsigned long)r->rip);
    /* create_bounce_frame: 7 words below the interrupted RSP rounded down
     * to 16 bytes (no error code for an upcall). */
    check(r->frame + 7 * 8 == (r->rsp & ~15UL),
          "frame at %#lx: 7 words below the interrupted RSP %#lx rounded "
          "down to 16", r->frame, (unsigned long)r->rsp);
}

void test_main(void)
{
    evtchn_port_t a, b, ipi;
    long rc;

    events_init();
    evtchn_loopback(&a, &b);
    printf("loopback ports %u -> %u\n", a, b);

    printf("Masked: nothing is delivered\n");
    mark();
    check_rc(evtchn_send(a), 0, "send(%u)", a);
    check(upcall_pending() && port_pending(b),
          "upcall pending, port %u pending", b);
    hypercall_xen_version(XENVER_version, 0);
    check(new_upcalls() == 0, "no upcall while masked (%u)", new_upcalls());

    printf("Unmask and check events\n");
    vcpu0_info()->evtchn_upcall_mask = 0;
    check(new_upcalls() == 0, "clearing the mask in memory delivers nothing by "
          "itself (%u)", new_upcalls());
    check_rc(hypercall_xen_version(XENVER_version, 0) > 0, 1,
             "xen_version(0) as the check-events hypercall");
    check(new_upcalls() == 1, "exactly one upcall (%u)", new_upcalls());
    check(port_upcalls[b] == 1, "it found port %u pending (%u)", b,
          port_upcalls[b]);
    check(!port_pending(b) && !upcall_pending(),
          "the handler acknowledged it (pending %d, upcall_pending %u)",
          port_pending(b), upcall_pending());
    check(upcall_mask() == 0, "HYPERVISOR_iret restored the mask to 0 (%u)",
          upcall_mask());
    check(upcalls_unmasked == 0, "no upcall ran unmasked");
    check_frame();

    printf("An event raised by a hypercall is delivered on its return\n");
    mark();
    check_rc(evtchn_send(b), 0, "send(%u)", b);
    check(new_upcalls() == 1 && port_upcalls[a] == 1,
          "one upcall for port %u (%u upcalls, port seen %u times)", a,
          new_upcalls(), port_upcalls[a]);

    printf("IPI to self\n");
    rc = evtchn_bind_ipi(0, &ipi);
    check_rc(rc, 0, "bind_ipi(0)");
    if (!rc) {
        mark();
        check_rc(evtchn_send(ipi), 0, "send(%u)", ipi);
        check(new_upcalls() == 1 && port_upcalls[ipi] == 1,
              "one upcall for IPI port %u (%u, %u)", ipi, new_upcalls(),
              port_upcalls[ipi]);
    }

    printf("A masked port is delivered by EVTCHNOP_unmask\n");
    mark();
    port_mask(b);
    check_rc(evtchn_send(a), 0, "send(%u) to masked %u", a, b);
    check(new_upcalls() == 0 && port_pending(b) && !upcall_pending(),
          "nothing delivered, %u pending (%u upcalls)", b, new_upcalls());
    check_rc(evtchn_unmask(b), 0, "EVTCHNOP_unmask(%u)", b);
    check(new_upcalls() == 1 && port_upcalls[b] == 1,
          "one upcall for port %u on the return of unmask (%u, %u)", b,
          new_upcalls(), port_upcalls[b]);

    printf("The mask comes back from the frame's RFLAGS.IF\n");
    mark();
    upcall_hook = keep_masked;
    check_rc(evtchn_send(a), 0, "send(%u)", a);
    check(new_upcalls() == 1, "one upcall (%u)", new_upcalls());
    check(upcall_mask() == 1,
          "returning with IF clear left evtchn_upcall_mask = 1 (%u)",
          upcall_mask());
    check_rc(evtchn_send(a), 0, "send(%u) while masked again", a);
    hypercall_xen_version(XENVER_version, 0);
    check(new_upcalls() == 1, "nothing more delivered (%u)", new_upcalls());

    printf("SCHEDOP_block with an event pending\n");
    check(upcall_pending(), "an upcall is pending");
    check_rc(hypercall_sched_op(SCHEDOP_block, 0), 0, "SCHEDOP_block");
    check(new_upcalls() == 2 && port_upcalls[b] == 2,
          "block returned and the upcall came (%u upcalls, port %u seen %u)",
          new_upcalls(), b, port_upcalls[b]);
    check(upcall_mask() == 0, "block cleared the upcall mask (%u)",
          upcall_mask());

    /*
     * Linux registers the callback with CALLBACKF_mask_events; for the
     * event callback Xen ignores the flag (x86/pv/callback.c): upcalls
     * always run masked. Re-register so, and take one more.
     */
    printf("Re-registered with CALLBACKF_mask_events\n");
    check_rc(callback_register(CALLBACKTYPE_event, trap_stub(TRAP_VEC_EVENT),
                               CALLBACKF_mask_events),
             0, "CALLBACKOP_register(event, CALLBACKF_mask_events)");
    mark();
    check_rc(evtchn_send(a), 0, "send(%u)", a);
    check(new_upcalls() == 1 && last_upcall.mask == 1 && upcall_mask() == 0,
          "one upcall, run masked, mask restored (%u upcalls, mask %u/%u)",
          new_upcalls(), last_upcall.mask, upcall_mask());

    printf("Every upcall ran masked\n");
    check(upcalls_unmasked == 0, "%u upcalls ran with the mask clear",
          upcalls_unmasked);
    events_disable();
}
