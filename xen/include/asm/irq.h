/*
 * Physical interrupt lines (GSIs) bound to a domain's event channel
 * (public/event_channel.h EVTCHNOP_bind_pirq; arch/x86/physdev.c).
 */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <xen/event_channel.h>
#include <xenolith/lib.h>

struct domain;

/* GSI n interrupts on vector IRQ_VECTOR_BASE + n; the vectors stop below the APIC's own. */
#define IRQ_VECTOR_BASE 0x30
#define NR_IRQ_VECTORS 0x80

/* Binds the GSI mapped to d's pirq to port: -EPERM if unmapped, -EEXIST/-EBUSY if bound. */
long pirq_bind(struct domain *d, uint32_t pirq, evtchn_port_t port);
void pirq_unbind(struct domain *d, uint32_t pirq);
/* Silences d's lines and frees its pirq table. */
void pirq_domain_destroy(struct domain *d);
/* The interrupt handler of GSI gsi. */
void pirq_interrupt(unsigned gsi);

#endif
