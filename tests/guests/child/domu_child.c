/*
 * The tiny PV kernel a parent test kernel builds as a DomU (see
 * domu_child.h). No runtime: it reads its start_info (RSI at entry, as the
 * ABI says), finds its store page through the M2P, leaves a marker there,
 * signals the store event channel through the hypercall page its builder
 * filled, and then does what the parent asked.
 */
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/memory.h>
#include <xen/domctl.h>
#include <xen/vcpu.h>

#include "domu_child.h"

__asm__(".section .text.entry, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    mov %rsi, %rdi\n"
        "    call child_main\n"
        "    ud2\n"
        ".previous");

static long hcall4(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3,
                   unsigned long a4)
{
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    register unsigned long r10 __asm__("r10") = a4;
    unsigned long entry = CHILD_VIRT_BASE + CHILD_PFN_HCALL * 4096UL + nr * 32UL;
    long rc;

    __asm__ volatile("call *%[entry]"
                     : "=a"(rc), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10)
                     : [entry] "r"(entry)
                     : "rcx", "r11", "r8", "memory");
    return rc;
}

static long hcall(unsigned nr, unsigned long a1, unsigned long a2)
{
    return hcall4(nr, a1, a2, 0, 0);
}

/* What only a privileged domain may do: each must be refused. */
static void probe(const start_info_t *si, volatile struct child_page *p)
{
    const unsigned long *p2m = (const unsigned long *)si->mfn_list;
    unsigned long l1 = p2m[CHILD_PFN_L4 + 3];
    mmu_update_t req = { .ptr = (l1 << 12) + 200 * 8, .val = (p->probe_mfn << 12) | 0x21 };
    unsigned done = 0;
    xen_pfn_t gpfn = 0;
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = 0 };
    struct xen_domctl dc = { .cmd = XEN_DOMCTL_getdomaininfo,
                             .interface_version = XEN_DOMCTL_INTERFACE_VERSION };
    evtchn_alloc_unbound_t a = { .dom = 0, .remote_dom = DOMID_SELF };

    p->probe_rc[PROBE_MAP_FOREIGN_D0] =
        hcall4(__HYPERVISOR_mmu_update, (unsigned long)&req, 1, (unsigned long)&done, 0);
    p->probe_rc[PROBE_MAP_SELF_D0] =
        hcall4(__HYPERVISOR_mmu_update, (unsigned long)&req, 1, (unsigned long)&done, DOMID_SELF);
    set_xen_guest_handle(r.extent_start, &gpfn);
    p->probe_rc[PROBE_POPULATE_D0] = hcall(__HYPERVISOR_memory_op, XENMEM_populate_physmap,
                                           (unsigned long)&r);
    p->probe_rc[PROBE_DOMCTL] = hcall(__HYPERVISOR_domctl, (unsigned long)&dc, 0);
    p->probe_rc[PROBE_ALLOC_UNBOUND_D0] =
        hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, (unsigned long)&a);
}

/*
 * Maps shared_info at CHILD_PFN_SHARED (update_va_mapping) and answers
 * each event on port with one back: poll, clear the pending bit
 * (shared_info.evtchn_pending), count, send.
 */
static void echo(const start_info_t *si, volatile struct child_page *p, evtchn_port_t port)
{
    unsigned long va = CHILD_VIRT_BASE + CHILD_PFN_SHARED * 4096UL;
    shared_info_t *sh = (shared_info_t *)va;
    struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };
    evtchn_send_t send = { .port = port };
    xen_ulong_t bit = 1UL << (port % 64);

    p->shared_rc = hcall4(__HYPERVISOR_update_va_mapping, va, si->shared_info | 0x67,
                          UVMF_INVLPG | UVMF_LOCAL, 0);
    set_xen_guest_handle(poll.ports, &port);
    for (;;) {
        hcall(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll);
        if (p->shared_rc || !(__atomic_fetch_and(&sh->evtchn_pending[port / 64], ~bit,
                                                 __ATOMIC_ACQ_REL) & bit))
            continue;
        p->echoes++;
        hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send);
    }
}

void child_main(start_info_t *si);

void child_main(start_info_t *si)
{
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    volatile struct child_page *p =
        (volatile struct child_page *)(CHILD_VIRT_BASE + (m2p[si->store_mfn] << 12));
    evtchn_send_t send = { .port = si->store_evtchn };
    evtchn_port_t port = si->store_evtchn;
    struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };
    struct sched_shutdown off = { .reason = SHUTDOWN_poweroff };

    for (unsigned i = 0; i < sizeof(CHILD_MARKER); i++)
        p->marker[i] = CHILD_MARKER[i];
    for (unsigned i = 0; i < sizeof(si->magic) && i < sizeof(p->magic); i++)
        p->magic[i] = si->magic[i];
    p->nr_pages = si->nr_pages;
    p->pt_base = si->pt_base;
    /* As Linux does: a registered vcpu_info holds a reference its domain's death must drop. */
    struct vcpu_register_vcpu_info vi = {
        .mfn = ((const unsigned long *)si->mfn_list)[CHILD_PFN_VCPU_INFO], .offset = 64 };

    p->vcpu_info_rc = hcall4(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0,
                             (unsigned long)&vi, 0);
    if (p->command == CHILD_PROBE)
        probe(si, p);
    p->ran = 1;
    p->send_rc = (uint64_t)hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send);
    switch (p->command) {
    case CHILD_WAIT:
        set_xen_guest_handle(poll.ports, &port);
        for (;;)
            hcall(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll);
    case CHILD_ECHO:
        echo(si, p, port);
        break;
    case CHILD_CRASH:
        __asm__ volatile("movq $1, 16" ::: "memory"); /* nothing maps page 0, no trap table: crashed */
        break;
    }
    for (;;)
        hcall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&off);
}
