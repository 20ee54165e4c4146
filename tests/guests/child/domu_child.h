/*
 * What a parent test kernel (the toolstack, runtime/toolstack.c) and the
 * tiny child PV kernel it builds (child/domu_child.c) share: the child's
 * memory layout and the page both see, its store page (start_info's
 * store_mfn), where the parent leaves a command and the child a marker.
 */
#ifndef DOMU_CHILD_H
#define DOMU_CHILD_H

#include <stdint.h>

/* The child's pfns: one bootstrap region, all mapped at CHILD_VIRT_BASE (xen.h, "Start-of-day memory layout"). */
#define CHILD_VIRT_BASE   0xffffffff80000000UL
#define CHILD_NR_PAGES    128   /* 512 KiB, the whole region mapped (one L1) */
#define CHILD_PFN_IMAGE   0     /* the code; the entry is its first byte */
#define CHILD_PFN_HCALL   1     /* the hypercall page (XEN_DOMCTL_hypercall_init) */
#define CHILD_PFN_P2M     2
#define CHILD_PFN_START   3     /* start_info */
#define CHILD_PFN_STORE   4
#define CHILD_PFN_CONSOLE 5
#define CHILD_PFN_L4      6     /* bootstrap tables: L4, L3, L2, L1 */
#define CHILD_NR_PT       4
#define CHILD_PFN_STACK   10
#define CHILD_PFN_VCPU_INFO 11  /* VCPUOP_register_vcpu_info moves its vcpu_info here */
#define CHILD_PFN_SHARED  127   /* CHILD_ECHO maps its shared_info here */
#define CHILD_PFN_GRANTS  64    /* pfns 64..126 are free for the parent to have granted */
#define CHILD_MAX_IMAGE   4096

enum child_command {
    CHILD_POWEROFF = 1, /* mark, signal, SCHEDOP_shutdown(poweroff) */
    CHILD_WAIT,         /* mark, signal, then SCHEDOP_poll forever */
    CHILD_CRASH,        /* mark, signal, then a page fault with no trap table */
    CHILD_PROBE,        /* try what only a privileged domain may (probe_*), then poweroff */
    CHILD_ECHO,         /* mark, signal, then answer every event on its store port with one */
};

/* CHILD_PROBE's attempts, each result in probe_rc[]. */
enum child_probe {
    PROBE_MAP_FOREIGN_D0,  /* mmu_update, foreigndom 0: map Dom0's probe_mfn */
    PROBE_MAP_SELF_D0,     /* mmu_update, DOMID_SELF: map Dom0's probe_mfn */
    PROBE_POPULATE_D0,     /* XENMEM_populate_physmap for domain 0 */
    PROBE_DOMCTL,          /* XEN_DOMCTL_getdomaininfo */
    PROBE_ALLOC_UNBOUND_D0,/* EVTCHNOP_alloc_unbound(dom 0) */
    NR_PROBES
};

#define CHILD_MARKER "domu_child ran"

struct child_page {
    uint32_t command;      /* enum child_command, from the parent */
    uint32_t ran;          /* 1 once the child got here */
    char marker[32];       /* CHILD_MARKER */
    uint64_t nr_pages;     /* as its start_info said */
    uint64_t pt_base;
    uint64_t send_rc;      /* EVTCHNOP_send's result */
    char magic[32];        /* start_info.magic */
    uint64_t probe_mfn;    /* a frame of Dom0's, from the parent */
    int64_t probe_rc[NR_PROBES];
    int64_t vcpu_info_rc;  /* VCPUOP_register_vcpu_info's result */
    int64_t shared_rc;     /* CHILD_ECHO: update_va_mapping of its shared_info */
    uint32_t echoes;       /* CHILD_ECHO: events answered */
};

#endif
