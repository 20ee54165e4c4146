/*
 * The console-only guest of the toolstack benchmark (bench/toolstack.sh): a
 * 64-bit PV DomU whose first act is one line on its console ring, then it
 * sleeps until it is destroyed. The time from `xl create` to that line in
 * xenconsoled's guest log is what the benchmark measures, so the guest does
 * as little as possible before it: no trap table, no callbacks, no printf.
 *
 * The ring (xen/io/console.h): start_info.console.domU.mfn is the page's
 * machine frame; we map it over a page of our own BSS with one
 * update_va_mapping (xen.h; layout-independent: no assumption on where the
 * domain builder put the page in our pseudo-physical space), append the
 * line at out_prod and notify console.domU.evtchn with EVTCHNOP_send.
 * A DomU's HYPERVISOR_console_io output is dropped by Xen, so the ring is
 * the only way out.
 *
 * Sleeping: SCHEDOP_poll on a port of our own that nobody signals, with no
 * timeout. SCHEDOP_block would clear our upcall mask, and with no event
 * callback registered the next event would crash the domain.
 *
 * Linked with tests/guests/runtime's notes.S, hypercall_page.S and
 * link.lds only: the runtime's C start-up is left out.
 */
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/io/console.h>

#define MARKER "XENOLITH-BENCH-CONSOLE-UP\r\n"

/* xen-x86_64.h page-table bits of a kernel read-write mapping. */
#define PTE_PRESENT  0x001UL
#define PTE_RW       0x002UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY    0x040UL

extern uint8_t hypercall_page[4096];

static uint8_t ring_page[4096] __attribute__((aligned(4096)));

/* Stub nr of the hypercall page (xen.h: "call hypercall_page + nr * 32"). */
static long hypercall3(unsigned long nr, unsigned long a1, unsigned long a2,
                       unsigned long a3)
{
    unsigned long stub = (unsigned long)hypercall_page + nr * 32;
    long ret;

    asm volatile("call *%[stub]"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), [stub] "+r"(stub)
                 :
                 : "rcx", "r8", "r9", "r10", "r11", "memory");
    return ret;
}

static long evtchn_op(unsigned long cmd, void *arg)
{
    return hypercall3(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0);
}

static long sched_op(unsigned long cmd, void *arg)
{
    return hypercall3(__HYPERVISOR_sched_op, cmd, (unsigned long)arg, 0);
}

static void console_line(const start_info_t *si)
{
    struct xencons_interface *ring = (struct xencons_interface *)ring_page;
    unsigned long pte = ((unsigned long)si->console.domU.mfn << 12) |
                        PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY;
    struct evtchn_send send = { .port = si->console.domU.evtchn };
    XENCONS_RING_IDX prod;
    const char *p;

    if (hypercall3(__HYPERVISOR_update_va_mapping, (unsigned long)ring_page,
                   pte, UVMF_INVLPG))
        return;
    prod = ring->out_prod;
    for (p = MARKER; *p; p++)
        ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = *p;
    /* The bytes before the index that publishes them (console.h). */
    asm volatile("sfence" ::: "memory");
    ring->out_prod = prod;
    evtchn_op(EVTCHNOP_send, &send);
}

void console_guest_main(const start_info_t *si);

void console_guest_main(const start_info_t *si)
{
    struct evtchn_alloc_unbound idle = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    evtchn_port_t port;
    struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };

    console_line(si);

    port = evtchn_op(EVTCHNOP_alloc_unbound, &idle) ? si->console.domU.evtchn : idle.port;
    set_xen_guest_handle(poll.ports, &port);
    for (;;)
        if (sched_op(SCHEDOP_poll, &poll))
            sched_op(SCHEDOP_yield, NULL);
}

/*
 * Entry (XEN_ELFNOTE_ENTRY): RSI = start_info, RSP = the top of the boot
 * stack the builder made (xen.h, "Start-of-day memory layout"). The BSS is
 * already zero: the builder loads the ELF's memsz beyond filesz as zeroes.
 */
asm(".section .text.head, \"ax\", @progbits\n"
    ".globl _start\n"
    "_start:\n"
    "    cld\n"
    "    mov %rsi, %rdi\n"
    "    and $-16, %rsp\n"
    "    call console_guest_main\n"
    "1:  jmp 1b\n"
    ".previous\n");
