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

#include "domu_child.h"

__asm__(".section .text.entry, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "    mov %rsi, %rdi\n"
        "    call child_main\n"
        "    ud2\n"
        ".previous");

static long hcall(unsigned nr, unsigned long a1, unsigned long a2)
{
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    unsigned long entry = CHILD_VIRT_BASE + CHILD_PFN_HCALL * 4096UL + nr * 32UL;
    long rc;

    __asm__ volatile("call *%[entry]"
                     : "=a"(rc), "+r"(rdi), "+r"(rsi)
                     : [entry] "r"(entry)
                     : "rcx", "r11", "rdx", "r10", "r8", "memory");
    return rc;
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
    p->ran = 1;
    p->send_rc = (uint64_t)hcall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send);
    switch (p->command) {
    case CHILD_WAIT:
        set_xen_guest_handle(poll.ports, &port);
        for (;;)
            hcall(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll);
    case CHILD_CRASH:
        __asm__ volatile("movq $1, 16" ::: "memory"); /* nothing maps page 0, no trap table: crashed */
        break;
    }
    for (;;)
        hcall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&off);
}
