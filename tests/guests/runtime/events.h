/*
 * Event channels for the test kernels: the event_channel_op sub-ops, the
 * 2-level pending and mask bits in shared_info, and upcalls.
 *
 * 2-level delivery (event_channel.h; xen/common/event_2l.c): sending to a
 * port sets its bit in shared_info.evtchn_pending; if the bit was clear and
 * the port's evtchn_mask bit is clear, the hypervisor sets bit port / 64 of
 * the notified vCPU's vcpu_info.evtchn_pending_sel and, if that bit was
 * new, evtchn_upcall_pending. With vcpu_info.evtchn_upcall_mask clear, a
 * pending upcall is delivered on the next return to the guest through the
 * CALLBACKTYPE_event callback, with the mask set for the handler; the
 * handler leaves through HYPERVISOR_iret, which restores the mask from the
 * frame's RFLAGS.IF (linux-pv-abi.md 5.4, 5.6).
 *
 * The callback is traps.c's event stub (TRAP_VEC_EVENT). events_init()
 * hooks it with a handler that does what Linux's xen_evtchn_do_upcall does
 * for 2-level: clear evtchn_upcall_pending, take the selector, and for each
 * pending and unmasked port clear its pending bit and count it. Every test
 * starts with the vCPU's upcall mask set, as the builder leaves it.
 *
 * Everything here runs on vCPU 0 (run-guest boots Dom0 with one vCPU).
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include "runtime.h"
#include "traps.h"

#include <xen/event_channel.h>
#include <xen/vcpu.h>

#define EVTCHN_PORTS     ((unsigned int)EVTCHN_2L_NR_CHANNELS) /* 4096 */
#define EVTCHN_WORD_BITS (sizeof(xen_ulong_t) * 8)

/* Hypercalls ------------------------------------------------------------- */

static inline long hypercall_event_channel_op(unsigned long cmd,
                                              unsigned long arg)
{
    return hypercall(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

static inline long hypercall_vcpu_op(unsigned long cmd, unsigned long vcpu,
                                     unsigned long arg)
{
    return hypercall(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}

/* set_timer_op(timeout): absolute system time in ns, 0 stops (xen.h). */
static inline long hypercall_set_timer_op(uint64_t timeout)
{
    return hypercall(__HYPERVISOR_set_timer_op, timeout, 0, 0, 0, 0);
}

/*
 * Sub-op wrappers: each returns the hypercall's result and, on success,
 * the port it produced. Ports and vCPU numbers are 32-bit in the ABI.
 */
long evtchn_alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port);
long evtchn_bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
                             evtchn_port_t *local);
long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
long evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port);
long evtchn_bind_vcpu(evtchn_port_t port, uint32_t vcpu);
long evtchn_close(evtchn_port_t port);
long evtchn_send(evtchn_port_t port);
long evtchn_unmask(evtchn_port_t port);
long evtchn_status(domid_t dom, evtchn_port_t port, evtchn_status_t *st);

/*
 * A loopback channel: *a from alloc_unbound(DOMID_SELF, DOMID_SELF), *b
 * from bind_interdomain(DOMID_SELF, *a). Binding sets *b pending (Xen
 * "conservatively" notifies a newly bound local port); this clears that
 * again, so both ends are idle on return. Any failure ends the test with
 * ERROR: callers that test these sub-ops call them directly.
 */
void evtchn_loopback(evtchn_port_t *a, evtchn_port_t *b);

/* 2-level state (shared_info, vCPU 0's vcpu_info) ------------------------ */

bool port_pending(evtchn_port_t port);
bool port_masked(evtchn_port_t port);
/* vCPU 0's evtchn_pending_sel bit for the word holding port. */
bool port_selected(evtchn_port_t port);
void port_mask(evtchn_port_t port);
/* Clear the mask bit in guest memory only: never raises anything. */
void port_unmask_bit(evtchn_port_t port);
void port_clear_pending(evtchn_port_t port);

/*
 * With upcalls masked: forget everything pending (every pending bit, the
 * selector, evtchn_upcall_pending), so that a check sees only what the
 * next operation raises.
 */
void events_clear_all(void);

uint8_t upcall_mask(void);
uint8_t upcall_pending(void);

/* Upcalls ---------------------------------------------------------------- */

/*
 * traps_init() (trap table, shared_info, event callback), then our 2-level
 * handler on the event callback. The upcall mask stays set.
 */
void events_init(void);

/*
 * Clear the upcall mask, and if an upcall is pending make a hypercall so
 * that it is delivered now (Linux's xen_irq_enable: xen_version(0) as the
 * "check events" hypercall).
 */
void events_enable(void);
void events_disable(void);

/* Upcalls taken, and how often the handler found each port pending. */
extern volatile unsigned int upcall_count;
extern volatile unsigned int port_upcalls[EVTCHN_PORTS];
/* The frame of the last upcall, and vcpu_info's upcall mask inside it. */
extern struct trap_record last_upcall;
/* Upcalls that ran with evtchn_upcall_mask clear (must stay 0). */
extern volatile unsigned int upcalls_unmasked;

/*
 * Called by the handler after the scan, with the frame that HYPERVISOR_iret
 * will restore (a test may clear X86_EFLAGS_IF in rec->rflags to return
 * with events masked).
 */
typedef void (*upcall_hook_t)(struct trap_record *rec);
extern upcall_hook_t upcall_hook;

/* Forget the per-port counts (upcall_count runs on). */
void upcalls_reset(void);

#endif /* GUEST_EVENTS_H */
