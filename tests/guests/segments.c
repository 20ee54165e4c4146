/*
 * Segment bases and descriptor tables of a 64-bit PV guest:
 * set_segment_base (do_set_segment_base, xen/arch/x86/pv/misc-hypercalls.c),
 * set_gdt and update_descriptor (pv_set_gdt, do_update_descriptor and
 * check_descriptor, xen/arch/x86/pv/descriptor-tables.c). Descriptors are
 * only accepted when harmless: code and data segments get their DPL raised
 * to the guest kernel's ring (3), system descriptors other than call gates
 * are refused, and a GDT frame may have no writable mapping.
 */
#include "usermode.h"
#include "pagetable.h"

const char test_title[] = "segments: set_segment_base, set_gdt, update_descriptor";

static long set_segment_base(unsigned long which, unsigned long base)
{
    return hypercall(__HYPERVISOR_set_segment_base, which, base, 0, 0, 0);
}

static long set_gdt(const unsigned long *frames, unsigned long entries)
{
    return hypercall(__HYPERVISOR_set_gdt, (unsigned long)frames, entries,
                     0, 0, 0);
}

static long update_descriptor(uint64_t maddr, uint64_t desc)
{
    return hypercall(__HYPERVISOR_update_descriptor, maddr, desc, 0, 0, 0);
}

/* A flat data segment and a 64-bit code segment (SDM 3.4.5), DPL 0. */
#define DESC_DATA_DPL0  0x00cf92000000ffffUL
#define DESC_CODE64_DPL0 0x00af9a000000ffffUL
#define DESC_DPL(d)     (((d) >> 45) & 3)
/* A 64-bit available TSS descriptor's low half (type 9). */
#define DESC_TSS        0x0000890000000067UL

static uint64_t fs_word = 0x1111aaaa, gs_word = 0x2222bbbb;

static void check_bases(void)
{
    uint64_t v = 0;

    check_rc(set_segment_base(SEGBASE_FS, (unsigned long)&fs_word), 0,
             "SEGBASE_FS");
    asm volatile("mov %%fs:0, %0" : "=r"(v));
    check_eq(v, fs_word, "  %%fs:0 reads through the new base");
    check_rc(set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&gs_word), 0,
             "SEGBASE_GS_KERNEL");
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    check_eq(v, gs_word, "  %%gs:0 reads through the new base");

    for (unsigned int which = 0; which < 3; which++) {
        check_rc(set_segment_base(which, 0x0000800000000000UL), -XEN_EINVAL,
                 "SEGBASE %u with base 0x0000800000000000 (non-canonical)",
                 which);
        check_rc(set_segment_base(which, 0xffff7fffffffffffUL), -XEN_EINVAL,
                 "SEGBASE %u with base 0xffff7fffffffffff (non-canonical)",
                 which);
    }
    asm volatile("mov %%fs:0, %0" : "=r"(v));
    check_eq(v, fs_word, "  FS base unchanged");
    check_rc(set_segment_base(4, 0), -XEN_EINVAL, "SEGBASE 4 (unknown)");
    check_rc(set_segment_base(SEGBASE_GS_USER_SEL, 0), 0,
             "SEGBASE_GS_USER_SEL with the null selector");
    set_segment_base(SEGBASE_FS, 0);
}

/* The user GS base is the one user mode sees (swapped on mode changes). */
USER_PROGRAM(prog_read_gs,
             "mov %gs:0, %rdi\n\t"
             "mov $0x3c, %eax\n\t"
             "syscall");

static void check_user_gs(void)
{
    struct user_result r;
    uint64_t v = 0;

    usermode_init(CALLBACKF_mask_events);
    frame_write(user_space.data, 1, 0x3333cccc);
    check_rc(set_segment_base(SEGBASE_GS_USER, USER_DATA + 8), 0,
             "SEGBASE_GS_USER");
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    check_eq(v, gs_word, "  the kernel's %%gs is unchanged");
    r = usermode_run(prog_read_gs, prog_read_gs_end, 0, 0x202);
    check(r.exited && r.code == 0x3333cccc,
          "  user mode reads %%gs:0 through it (%#lx)", r.code);
    asm volatile("mov %%gs:0, %0" : "=r"(v));
    check_eq(v, gs_word, "  back in the kernel, %%gs is the kernel's again");
}

static void check_gdt(void)
{
    unsigned long frame = alloc_zeroed_frame(), frames[16] = { frame };
    uint64_t *rw;
    const volatile uint64_t *ro;
    uint16_t sel;

    frame_write(frame, 2, DESC_DATA_DPL0);
    frame_write(frame, 3, DESC_CODE64_DPL0);

    /* Writable somewhere: no descriptor table. */
    rw = map_mfn(frame, PTE_KERNEL_RW);
    check_rc(set_gdt(frames, 16), -XEN_EINVAL,
             "set_gdt of a frame that is mapped writable");
    unmap_va(rw);

    check_rc(set_gdt(frames, FIRST_RESERVED_GDT_ENTRY + 1), -XEN_EINVAL,
             "set_gdt with %u entries (into Xen's reserved ones)",
             FIRST_RESERVED_GDT_ENTRY + 1);
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(set_gdt((void *)bad_ptrs[i].addr, 16), -XEN_EFAULT,
                 "set_gdt with the frame list at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    {
        unsigned long xen[16] = { hypervisor_mfn() };

        check_rc(set_gdt(xen, 16), -XEN_EINVAL,
                 "set_gdt of a hypervisor frame");
    }

    check_rc(set_gdt(frames, 16), 0, "set_gdt of our frame, 16 entries");
    ro = map_mfn(frame, PTE_KERNEL_RO);
    check_eq(DESC_DPL(ro[2]), 3, "  data descriptor's DPL raised to 3");
    check_eq(DESC_DPL(ro[3]), 3, "  code descriptor's DPL raised to 3");
    sel = (2 << 3) | 3;
    check_no_trap(trap_probe("mov $0x13, %%eax; mov %%eax, %%ds"),
                  "  loading DS with selector %#x works", sel);
    asm volatile("mov %0, %%ds" :: "r"(0));

    /* update_descriptor: the same checks, into the live GDT frame. */
    check_rc(update_descriptor(((uint64_t)frame << PAGE_SHIFT) + 4 * 8,
                               DESC_DATA_DPL0), 0,
             "update_descriptor of GDT entry 4 with a DPL 0 data segment");
    check_eq(DESC_DPL(ro[4]), 3, "  stored with DPL 3");
    check_rc(update_descriptor(((uint64_t)frame << PAGE_SHIFT) + 5 * 8,
                               DESC_TSS), -XEN_EINVAL,
             "update_descriptor with a TSS descriptor");
    check_eq(ro[5], 0, "  nothing stored");
    check_rc(update_descriptor(((uint64_t)frame << PAGE_SHIFT) + 5 * 8 + 4,
                               DESC_DATA_DPL0), -XEN_EINVAL,
             "update_descriptor at an address that is not 8-byte aligned");
    check_rc(update_descriptor((uint64_t)hypervisor_mfn() << PAGE_SHIFT,
                               DESC_DATA_DPL0), -XEN_EINVAL,
             "update_descriptor into a hypervisor frame");
    /* A page table may not be written this way. */
    check_rc(update_descriptor(pt_entry_maddr(start_info->pt_base, 1) &
                               ~(PAGE_SIZE - 1), DESC_DATA_DPL0),
             -XEN_EINVAL, "update_descriptor into one of our L1 tables");
    /* A plain frame of ours is fine (it may be a future GDT or LDT). */
    {
        unsigned long plain = alloc_zeroed_frame();

        check_rc(update_descriptor((uint64_t)plain << PAGE_SHIFT,
                                   DESC_CODE64_DPL0), 0,
                 "update_descriptor into a plain frame of ours");
        check_eq(DESC_DPL(frame_read(plain, 0)), 3, "  stored with DPL 3");
    }

    /* A GDT frame cannot be mapped writable while it is one. */
    check_rc(hypercall_update_va_mapping((unsigned long)ro,
                                         pte_make(frame, PTE_KERNEL_RW),
                                         UVMF_INVLPG),
             -XEN_EBUSY, "writable mapping of the live GDT frame");
    unmap_va((void *)ro);

    /* No entries: back to Xen's reserved ones alone. */
    check_rc(set_gdt(frames, 0), 0, "set_gdt with 0 entries");
    rw = map_mfn(frame, PTE_KERNEL_RW);
    check(rw != NULL, "  the frame may be mapped writable again");
    unmap_va(rw);
}

void test_main(void)
{
    traps_init();
    check_bases();
    check_user_gs();
    check_gdt();
}
