/*
 * libxc: the toolstack's way to the hypervisor, through Linux's privcmd,
 * evtchn and gntdev devices (linux-libc-dev's xen/privcmd.h, xen/evtchn.h,
 * xen/gntdev.h), with the Xen 4.17 domctl/sysctl structures of libxen-dev's
 * xen/domctl.h and xen/sysctl.h.
 *
 * Conventions: functions returning int give 0 (or a non-negative result)
 * on success and a negative errno on failure; the Xen error a hypercall
 * returned is passed through as -errno. xc_last_error() holds one line
 * saying what failed and why, for the caller's message.
 */
#ifndef XC_H
#define XC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>

typedef struct xc xc_t;

/* Opens /dev/xen/privcmd (or /proc/xen/privcmd); NULL with errno set. */
xc_t *xc_open(void);
void xc_close(xc_t *xc);
const char *xc_last_error(const xc_t *xc);

/* Raw hypercalls; arguments that point to memory must come from xc_buf_alloc(). */
long xc_hypercall(xc_t *xc, unsigned op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                  uint64_t a4);
/* Memory the hypervisor may read and write during a hypercall (locked, populated). */
void *xc_buf_alloc(xc_t *xc, size_t len);
void xc_buf_free(xc_t *xc, void *buf, size_t len);
/* Fills interface_version; copies through a hypercall buffer and back. */
int xc_domctl(xc_t *xc, struct xen_domctl *op);
int xc_sysctl(xc_t *xc, struct xen_sysctl *op);

/* Domains. */
/*
 * Creates the domain (paused) and its cfg->max_vcpus vCPUs (Xen 4.17 still
 * needs XEN_DOMCTL_max_vcpus for that); *domid 0 lets the hypervisor pick.
 */
int xc_domain_create(xc_t *xc, uint32_t *domid, struct xen_domctl_createdomain *cfg);
/* XEN_DOMCTL_max_vcpus alone; max must equal the createdomain's max_vcpus. */
int xc_domain_max_vcpus(xc_t *xc, uint32_t domid, unsigned max);
int xc_domain_destroy(xc_t *xc, uint32_t domid);
int xc_domain_pause(xc_t *xc, uint32_t domid);
int xc_domain_unpause(xc_t *xc, uint32_t domid);
/* SCHEDOP_remote_shutdown with a SHUTDOWN_* reason (public/sched.h). */
int xc_domain_shutdown(xc_t *xc, uint32_t domid, unsigned reason);
int xc_domain_max_mem(xc_t *xc, uint32_t domid, uint64_t max_kib);
int xc_domain_set_handle(xc_t *xc, uint32_t domid, const uint8_t handle[16]);
/* Up to max domains with id >= first (XEN_SYSCTL_getdomaininfolist); the count. */
int xc_domain_list(xc_t *xc, uint32_t first, struct xen_domctl_getdomaininfo *info,
                   unsigned max);
/* One domain's information; -ESRCH when it does not exist. */
int xc_domain_info(xc_t *xc, uint32_t domid, struct xen_domctl_getdomaininfo *info);
int xc_vcpu_info(xc_t *xc, uint32_t domid, unsigned vcpu, struct xen_domctl_getvcpuinfo *info);
int xc_vcpu_setcontext(xc_t *xc, uint32_t domid, unsigned vcpu, const void *ctxt, size_t len);

/* Host. */
int xc_physinfo(xc_t *xc, struct xen_sysctl_physinfo *info);
int xc_sched_id(xc_t *xc, unsigned *sched_id);
/* XENVER_* (public/version.h); buf receives the answer's structure. */
long xc_version(xc_t *xc, unsigned cmd, void *buf, size_t len);
/* The hypervisor's console ring (XEN_SYSCTL_readconsole) into buf, NUL-ended; length. */
long xc_readconsole(xc_t *xc, char *buf, size_t len, bool clear);

/* Memory of another domain. */
int xc_populate_physmap(xc_t *xc, uint32_t domid, unsigned long nr, xen_pfn_t *pfns);
/* Extents of 2^order frames at pfns[i]; how many were populated, or -errno (xc_domain.c). */
long xc_populate_physmap_order(xc_t *xc, uint32_t domid, unsigned order, unsigned long nr,
                               xen_pfn_t *pfns);
/* Maps n frames (MFNs on PV) of domid; errs[i] gets each frame's result. NULL on failure. */
void *xc_map_foreign(xc_t *xc, uint32_t domid, int prot, const xen_pfn_t *frames, size_t n,
                     int *errs);
int xc_unmap_foreign(void *addr, size_t n);

/* Event channels of another domain, by hypercall. */
int xc_evtchn_alloc_unbound(xc_t *xc, uint32_t domid, uint32_t remote_domid);

/* Event channels of this process (/dev/xen/evtchn). */
typedef struct xc_evtchn xc_evtchn_t;
xc_evtchn_t *xc_evtchn_open(void);
void xc_evtchn_close(xc_evtchn_t *e);
int xc_evtchn_fd(const xc_evtchn_t *e);
int xc_evtchn_bind_interdomain(xc_evtchn_t *e, uint32_t domid, uint32_t remote_port);
int xc_evtchn_bind_virq(xc_evtchn_t *e, unsigned virq);
int xc_evtchn_unbind(xc_evtchn_t *e, uint32_t port);
int xc_evtchn_notify(xc_evtchn_t *e, uint32_t port);
/* The next pending port (blocks unless the fd is non-blocking); -EAGAIN when none. */
int xc_evtchn_pending(xc_evtchn_t *e);
int xc_evtchn_unmask(xc_evtchn_t *e, uint32_t port);

/* Grant mappings of this process (/dev/xen/gntdev). */
typedef struct xc_gnttab xc_gnttab_t;
xc_gnttab_t *xc_gnttab_open(void);
void xc_gnttab_close(xc_gnttab_t *g);
void *xc_gnttab_map(xc_gnttab_t *g, uint32_t domid, uint32_t ref, int prot);
int xc_gnttab_unmap(xc_gnttab_t *g, void *addr);

/* The PV domain builder (xc_pv_build.c). */
struct xc_pv_build {
    /* In. */
    uint32_t domid;
    uint64_t mem_kib;        /* memory the domain starts with */
    unsigned vcpus;          /* online at start; the domain was created with max_vcpus */
    const char *kernel_path; /* a 64-bit Linux bzImage or ELF with Xen notes */
    const char *ramdisk_path; /* may be NULL */
    const char *cmdline;      /* may be NULL */
    uint32_t console_domid, store_domid; /* backends, 0 for Dom0 */
    /* Out: the pages and ports the backends connect to. */
    uint32_t console_port, store_port;
    xen_pfn_t console_mfn, store_mfn;
};
/*
 * Builds the domain's memory, start_info and vCPU 0 into a created, paused
 * domain; the caller unpauses it. On failure the builder unmaps what it
 * mapped and frees what it allocated in this process, but what it made in
 * the domain (memory, event channels) stays until the caller destroys the
 * domain, which it must do: a half-built domain is never usable.
 */
int xc_pv_build(xc_t *xc, struct xc_pv_build *b);

#endif
