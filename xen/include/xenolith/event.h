/*
 * Event channels, 2-level ABI (public/event_channel.h; the pending and mask
 * bitmaps in shared_info, the selector and upcall flag in vcpu_info). Up to
 * 64 x 64 ports per domain; port 0 is reserved.
 */
#ifndef XENOLITH_EVENT_H
#define XENOLITH_EVENT_H

#include <xen/event_channel.h>
#include <xen/xen.h>
#include <xenolith/lib.h>

struct domain;
struct vcpu;

#define EVTCHN_2L_NR (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

enum evtchn_state { ECS_FREE, ECS_RESERVED, ECS_UNBOUND, ECS_INTERDOMAIN, ECS_PIRQ, ECS_VIRQ, ECS_IPI };

struct evtchn {
    uint8_t state;
    uint16_t notify_vcpu;
    union {
        domid_t unbound_remote;
        struct {
            struct domain *dom;
            evtchn_port_t port;
        } interdomain;
        uint32_t virq;
        uint32_t pirq;
    } u;
};

int evtchn_init(struct domain *d);
/* Closes every port of a dying domain; evtchn_free then frees the array. */
void evtchn_destroy(struct domain *d);
void evtchn_free(struct domain *d);
/* A dying domain's mappings of others' grants go; then its bookkeeping (grant_table.c). */
void grant_table_release(struct domain *d);
void grant_table_free(struct domain *d);
/* Raises port on its vCPU (no effect on a masked or already pending port's upcall). */
void evtchn_set_pending(struct vcpu *v, evtchn_port_t port);
/* Sends virq to v (a per-vCPU VIRQ) or to the domain (a global one). */
void send_guest_vcpu_virq(struct vcpu *v, unsigned virq);
void send_guest_global_virq(struct domain *d, unsigned virq);
/* Raises d's port on the vCPU it notifies (a pirq's interrupt). */
void evtchn_notify(struct domain *d, evtchn_port_t port);
bool evtchn_is_pending(const struct domain *d, evtchn_port_t port);
/* Whether v has an upcall waiting (for SCHEDOP_block and poll). */
bool vcpu_event_pending(const struct vcpu *v);

long do_event_channel_op(uint64_t cmd, uint64_t arg);

#endif
