/*
 * A toolstack in a test kernel: Dom0's side of building, running and
 * destroying a PV DomU, in the order of Xen's libxc/libxl (createdomain,
 * max_mem, populate_physmap, foreign mappings through mmu_update's
 * foreigndom, page tables pinned for the new domain, start_info, an
 * unbound event channel, hypercall_init, setvcpucontext, unpause). The
 * child it builds is child/domu_child.c.
 */
#ifndef GUEST_TOOLSTACK_H
#define GUEST_TOOLSTACK_H

#include "events.h"
#include "pagetable.h"
#include "../child/domu_child.h"

#include <xen/domctl.h>
#include <xen/grant_table.h>
#include <xen/sysctl.h>

long domctl(struct xen_domctl *op);
long sysctl(struct xen_sysctl *op);

/* XEN_DOMCTL_createdomain for a 1-vCPU PV domain, as libxl asks; 0 or -errno. */
long ts_create_domain(domid_t *id);
/* Its two steps: createdomain alone (1 vCPU), and XEN_DOMCTL_max_vcpus. */
long ts_create_only(domid_t *id);
long ts_max_vcpus(domid_t id, unsigned max);
long ts_destroy_domain(domid_t id);
/* XEN_DOMCTL_getdomaininfo of exactly id: 0, or -ESRCH if the first domain >= id is another. */
long ts_domain_info(domid_t id, struct xen_domctl_getdomaininfo *info);
/* XEN_SYSCTL_physinfo's free_pages, and how many domains getdomaininfolist sees. */
uint64_t ts_free_pages(void);
unsigned ts_nr_domains(void);
/* free_pages once it stops moving: Xen frees a dead domain's own structures after an RCU grace period. */
uint64_t ts_settled_free_pages(void);

/*
 * Map a frame of domain dom into our tables at a scratch slot with one
 * MMU_NORMAL_PT_UPDATE, foreigndom = dom (Linux's privcmd mmapbatch on
 * PV). Returns the mmu_update result; *va the mapping on success.
 */
long ts_map_foreign(domid_t dom, unsigned long mfn, bool writable, void **va);
void ts_unmap_foreign(void *va);
/* MMUEXT_PIN_L4_TABLE of mfn with foreigndom = dom. */
long pin_l4_foreign(domid_t dom, unsigned long mfn);

struct child {
    domid_t id;
    unsigned long mfn[CHILD_NR_PAGES];
    evtchn_port_t port;        /* the child's store port (unbound, remote 0) */
    evtchn_port_t local_port;  /* ours, bound to it */
    volatile struct child_page *page; /* its store page, mapped here */
    void *page_va;
};

/*
 * Everything up to the unpause; the child will do `command`. Any failure
 * ends the test with ERROR (the steps are checked by the tests of each
 * mechanism). Our port stays masked: we poll its pending bit.
 */
void ts_build_child(struct child *c, enum child_command command);
void ts_unpause(domid_t id);
/*
 * As libxc seeds a new domain's console and xenstore grants: the child's
 * grant frame 0 through XENMEM_acquire_resource, mapped foreign, gets
 * entry ref granting Dom0 the child's pfn. 0 or the failing call's result.
 */
long ts_seed_grant(struct child *c, grant_ref_t ref, unsigned pfn);
/* The child's grant frame 0, acquired and mapped writable here (NULL after a failed check). */
grant_entry_v1_t *ts_map_grant_table(struct child *c);
/* Waits (polling, up to about 2 s) for our port to go pending; true if it did. */
bool ts_wait_port(evtchn_port_t port);
/* Waits for the domain to show XEN_DOMINF_shutdown; its info in *info. */
bool ts_wait_shutdown(domid_t id, struct xen_domctl_getdomaininfo *info);

#endif
