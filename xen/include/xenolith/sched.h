/* Domains and virtual CPUs. */
#ifndef XENOLITH_SCHED_H
#define XENOLITH_SCHED_H

#include <asm/cpu.h>
#include <xen/vcpu.h>
#include <xen/xen.h>
#include <xenolith/event.h>
#include <xenolith/lib.h>
#include <xenolith/timer.h>

#define SHUTDOWN_CODE_INVALID 0xff

struct domain;

/* A guest handler: set_trap_table's trap_info, callback_op's callbacks. */
struct guest_handler {
    uint64_t address;
    uint8_t dpl;         /* trap_info.flags bits 0-1: who may `int` it */
    bool mask_events;    /* trap_info.flags bit 2, CALLBACKF_mask_events */
};

enum pv_callback { CB_EVENT, CB_FAILSAFE, CB_SYSCALL, CB_SYSCALL32, CB_SYSENTER, CB_NR };

struct vcpu {
    struct domain *domain;
    unsigned vcpu_id;
    struct cpu_regs regs; /* saved while the vCPU is not running */
    uint64_t cr3;         /* machine address loaded while it runs */
    vcpu_info_t *vcpu_info;
    uint64_t vcpu_info_mfn;    /* VCPUOP_register_vcpu_info's frame, or 0 */
    uint64_t runstate_guest;   /* VCPUOP_register_runstate_memory_area, or 0 */
    bool running;              /* its state is loaded on processor */
    bool up;                   /* not VPF_down */
    bool initialised;          /* has a context (built, or VCPUOP_initialise) */
    bool blocked;              /* SCHEDOP_block/poll: waiting for an event */
    bool polling;              /* SCHEDOP_poll: any pending port of its domain wakes it */
    bool in_multicall;         /* a hypercall under do_multicall cannot be continued */
    bool continuation;         /* hypercall_continue(): re-issue with continuation_args */
    uint64_t continuation_args[3];
    unsigned processor;        /* the CPU it last ran on */
    struct vcpu *next_in_runq;
    bool on_runq;
    int credit;                /* scheduler credit: > 0 is UNDER, else OVER */
    uint64_t last_start;       /* when it was last put on a CPU, ns */
    struct timer poll_timer;   /* SCHEDOP_poll's timeout */
    struct vcpu_runstate_info runstate;
    /* Saved while not running (context.c). */
    uint16_t sel[4];           /* ds, es, fs, gs */
    uint64_t fs_base, gs_base_kernel;
    bool fpu_initialised;
    uint8_t fpu[512] __aligned(16); /* FXSAVE area */
    evtchn_port_t virq_to_evtchn[NR_VIRQS];
    struct timer singleshot_timer; /* VCPUOP_set_singleshot_timer, set_timer_op */
    struct timer periodic_timer;   /* VCPUOP_set_periodic_timer */
    uint64_t periodic_period;      /* 0 when stopped */
    bool periodic_missed;

    /* PV state (Xen's arch.pv): guest kernel and user both in ring 3. */
    bool kernel_mode;
    uint64_t guest_table;      /* kernel L4 mfn (MMUEXT_NEW_BASEPTR), holds a type ref */
    uint64_t guest_table_user; /* user L4 mfn (MMUEXT_NEW_USER_BASEPTR), or 0 */
    uint64_t kernel_ss, kernel_sp; /* stack_switch */
    struct guest_handler traps[256];
    struct guest_handler callbacks[CB_NR];
    uint64_t nmi_callback;
    uint64_t gs_base_user;     /* the base not loaded while in kernel mode */
    bool cr0_ts;               /* fpu_taskswitch: virtual CR0.TS */
    uint64_t cr4;              /* the CR4 the guest sees */
    unsigned iopl;             /* PHYSDEVOP_set_iopl: virtual IOPL (0-3) */
    uint64_t debugreg[8];
    uint64_t gdt_frames[14];
    unsigned gdt_ents;
    uint64_t ldt_base;
    unsigned ldt_ents;
    uint64_t ldt_frames[16];   /* LDT pages mapped on this vCPU's CPU, typed seg_desc */
};

struct domain {
    domid_t domain_id;
    bool is_privileged; /* SIF_PRIVILEGED: may use the control interfaces */
    bool is_hardware;   /* SIF_INITDOMAIN: owns the machine */
    bool is_shutting_down;
    bool is_dying;
    bool paused_by_controller; /* XEN_DOMCTL_pausedomain; new domains start so */
    bool vcpus_visible;        /* false from createdomain until XEN_DOMCTL_max_vcpus (domctl.c) */
    uint8_t shutdown_code;
    uint64_t vm_assist; /* VMASST_TYPE_* bits (public/xen.h) */
    uint64_t nr_pages, max_pages;
    uint64_t nr_frames;  /* every frame it owns (nr_pages and the special ones); lifetime */
    /* Every frame it was ever given lies in [frames_lo, frames_hi): what relinquish scans. */
    uint64_t frames_lo, frames_hi;
    bool relinquished;   /* dying, and holds no reference of its own any more */
    struct domain *next_dead; /* on the list of domains to free (domain.c) */
    shared_info_t *shared_info;
    struct evtchn *evtchn;     /* EVTCHN_2L_NR ports */
    struct grant_table *grant_table; /* made by the first grant_table_op */
    uint16_t *pirq_gsi;        /* NR_PIRQS entries, GSI + 1 or 0 (arch/x86/physdev.c) */
#define NR_WATCHDOGS 2             /* Xen's NR_DOMAIN_WATCHDOG_TIMERS */
    struct timer watchdog[NR_WATCHDOGS];
    bool watchdog_armed[NR_WATCHDOGS];
    unsigned max_vcpus;
#define MAX_VIRT_CPUS 8
    struct vcpu *vcpu[MAX_VIRT_CPUS];
    unsigned weight, cap;      /* credit scheduler: relative share; % of one CPU, 0 = none */
    unsigned consumed;         /* credits burned in this accounting period */
    bool parked;               /* over its cap until the next accounting */
    xen_domain_handle_t handle;
    uint32_t tsc_mode;         /* XEN_DOMCTL_settscinfo: 0 default, 2 never emulate */
    uint32_t tsc_incarnation;
    void *e820;                /* XENMEM_set_memory_map's entries (xen pages), or NULL */
    unsigned nr_e820;
};

/* A domain's physical IRQ numbers (PHYSDEVOP_map_pirq): one page of table. */
#define NR_PIRQS (PAGE_SIZE / sizeof(uint16_t))

struct domain *domain_create(domid_t id, bool privileged, unsigned max_vcpus);
/* NULL if no domain has that id (DOMID_SELF is the caller's). */
struct domain *domain_by_id(domid_t id);
/*
 * XEN_DOMCTL_destroydomain: d lets go of everything it holds. It stays in
 * the domain list, dying, until its last frame is freed (another domain
 * may still map some), then goes.
 */
void domain_destroy(struct domain *d);
/* Called when a dying domain's last frame was freed (mm lock held). */
void domain_last_frame_gone(struct domain *d);
/* Frees the memory of domains gone since the last call (mm lock held). */
void domain_reap(void);
/* The lowest id no domain has, or DOMID_INVALID. */
domid_t domain_free_id(void);
/* The domain with the lowest id >= *id, advancing *id past it; NULL at the end. */
struct domain *domain_iterate(domid_t *id);
/* SCHEDOP_shutdown: for the hardware domain this ends the machine. */
void domain_shutdown(struct domain *d, unsigned reason);
/* Kills the domain for a fault it caused; logs why. Does not return to it. */
noreturn void domain_crash(struct domain *d, const char *why);

void vcpu_timers_init(struct vcpu *v);
long vcpu_set_singleshot(struct vcpu *v, uint64_t deadline);
void vcpu_periodic_resume(struct vcpu *v);

/* The scheduler (schedule.c). */
void sched_init(void);
void sched_start_cpu(void);
/* Takes v off the run queue for good and waits until no CPU runs it. */
void sched_remove_vcpu(struct vcpu *v);
/* An event arrived for v: wake it if it blocks or polls, or make its CPU look. */
void vcpu_kick(struct vcpu *v);
/* v became runnable (up, woken): queue it and get a CPU to look. */
void vcpu_wake(struct vcpu *v);
/* Marks v asleep until an event (poll: until any pending port); switched on exit. */
void vcpu_block_until_event(struct vcpu *v, bool poll);
void vcpu_yield(struct vcpu *v);
/* Last step before returning to a guest: maybe switch vCPU, deliver events. */
void exit_to_guest(struct cpu_regs *frame);
noreturn void idle_loop(void);
/* From deep in a crashed domain's vCPU: switch away, never to return to it. */
noreturn void leave_dead_vcpu(void);

/* arch: saving and loading a vCPU's state around a switch (pv/context.c). */
void context_save(struct vcpu *v, const struct cpu_regs *frame);
void context_load(struct vcpu *v, struct cpu_regs *frame);

#endif
