/*
 * The hypervisor's address-space layout. Slots 256-271 of every top-level
 * table belong to the hypervisor (xen/arch-x86/xen-x86_64.h:
 * HYPERVISOR_VIRT_START..HYPERVISOR_VIRT_END); inside them we use the same
 * addresses as Xen so that guests probing them see what they see on Xen.
 * Included from assembly too: constants only.
 */
#ifndef ASM_CONFIG_H
#define ASM_CONFIG_H

#define PAGE_SHIFT 12
#define PAGE_SIZE (1 << PAGE_SHIFT)

/* Machine-to-phys table, read-only to PV guests (xen-x86_64.h: MACH2PHYS_VIRT_START). */
#define M2P_VIRT_START 0xffff800000000000
/* The hypervisor image, as Xen's XEN_VIRT_START (L4 slot 261, L3 slot 321). */
#define XEN_VIRT_START 0xffff82d040000000
/* Physical address the loaders put the image at (2 MiB aligned: mapped with 2 MiB pages). */
#define XEN_LOAD_PADDR 0x200000
/* All RAM, mapped once, hypervisor-only (L4 slot 262 onwards, as Xen's DIRECTMAP_VIRT_START). */
#define DIRECTMAP_VIRT_START 0xffff830000000000
#define DIRECTMAP_VIRT_END 0xffff880000000000

/* Per-CPU descriptor tables: 16 GDT pages, then 16 LDT pages (L3 slot 323). */
#define PERCPU_DT_VIRT_START (XEN_VIRT_START + (2UL << 30))
#define PERCPU_DT_PAGES 32
#define GDT_RESERVED_PAGE 14 /* FIRST_RESERVED_GDT_PAGE */

#define XEN_L4_SLOT_FIRST 256
#define XEN_L4_SLOT_LAST 271

#define NR_CPUS 8
/* Real-mode start of the application processors (below 1 MiB, page aligned). */
#define TRAMPOLINE_PADDR 0x8000
#define STACK_ORDER 3
#define STACK_SIZE (PAGE_SIZE << STACK_ORDER)
/* Room kept free at the top of each stack for struct cpu_info (>= its size). */
#define CPU_INFO_RESERVE 192

/* Selectors: the reserved GDT page of Xen's layout (xen-x86_64.h: FLAT_RING3_*). */
#define GDT_RESERVED_BYTE 0xe000
#define HYPERVISOR_CS 0xe008
#define HYPERVISOR_DS 0xe010
#define GUEST_CS32 0xe023 /* FLAT_RING3_CS32 */
#define GUEST_DS 0xe02b   /* FLAT_RING3_DS64 == FLAT_RING3_SS64 */
#define GUEST_CS64 0xe033 /* FLAT_RING3_CS64 */
#define HYPERVISOR_CS32 0xe038
#define TSS_SELECTOR 0xe040
#define LDT_SELECTOR 0xe050
/* Xen's GDT covers pages 0..14; page 14 holds the reserved entries above. */
#define GDT_LIMIT (15 * PAGE_SIZE - 1)

#endif
