/* Domains and virtual CPUs. */
#ifndef XENOLITH_SCHED_H
#define XENOLITH_SCHED_H

#include <asm/cpu.h>
#include <xen/xen.h>
#include <xenolith/lib.h>

#define SHUTDOWN_CODE_INVALID 0xff

struct domain;

struct vcpu {
    struct domain *domain;
    unsigned vcpu_id;
    struct cpu_regs regs; /* saved while the vCPU is not running */
    uint64_t cr3;         /* machine address of the kernel top-level table */
    vcpu_info_t *vcpu_info;
    bool running;
};

struct domain {
    domid_t domain_id;
    bool is_privileged; /* SIF_PRIVILEGED: may use the control interfaces */
    bool is_hardware;   /* SIF_INITDOMAIN: owns the machine */
    bool is_shutting_down;
    uint8_t shutdown_code;
    uint64_t vm_assist; /* VMASST_TYPE_* bits (public/xen.h) */
    uint64_t nr_pages, max_pages;
    shared_info_t *shared_info;
    unsigned max_vcpus;
    struct vcpu *vcpu[1];
    xen_domain_handle_t handle;
};

struct domain *domain_create(domid_t id, bool privileged);
/* NULL if no domain has that id (DOMID_SELF is the caller's). */
struct domain *domain_by_id(domid_t id);
/* SCHEDOP_shutdown: for the hardware domain this ends the machine. */
void domain_shutdown(struct domain *d, unsigned reason);
/* Kills the domain for a fault it caused; logs why. Does not return to it. */
noreturn void domain_crash(struct domain *d, const char *why);

/* Enters v for the first time on this CPU. */
noreturn void vcpu_launch(struct vcpu *v);

#endif
