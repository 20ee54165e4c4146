/*
 * A guest LDT (xen.h: MMUEXT_SET_LDT): the hypervisor maps the LDT's pages
 * when a selector first reaches them, so a data segment described there
 * loads, and a selector past the LDT's end faults with #GP(selector).
 * The LDT page must not be writable anywhere while in use (it becomes a
 * descriptor page), so it is mapped read-only before SET_LDT.
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "ldt: a segment from the guest's LDT loads; past its end #GP";

/* A flat 4 GiB read/write data segment at DPL 3. */
#define DATA_DPL3 0x00cff2000000ffffUL

void test_main(void)
{
    unsigned long mfn = alloc_zeroed_frame();
    uint16_t sel = 0, in_ldt = (1 << 3) | 4 | 3, past_end = (4 << 3) | 4 | 3;
    void *page;
    int vec;

    traps_init();
    frame_write(mfn, 1, DATA_DPL3);
    page = map_mfn(mfn, PTE_KERNEL_RO);
    if (!check_rc(mmuext_one(MMUEXT_SET_LDT, (unsigned long)page, 2), 0, "SET_LDT with 2 entries"))
        return;
    vec = trap_probe("mov $0xf, %%eax\n\tmov %%eax, %%fs");
    check(vec == -1, "loading LDT selector %#x: no trap (got vector %d)", in_ldt, vec);
    asm volatile("mov %%fs, %0" : "=r"(sel));
    check(sel == in_ldt, "FS holds %#x (expected %#x)", sel, in_ldt);
    vec = trap_probe("mov $0x27, %%eax\n\tmov %%eax, %%fs");
    check(vec == 13 && last_trap.error == (past_end & ~3u),
          "selector %#x past the LDT's end: vector %d error %#lx, expected #GP(%#x)", past_end, vec,
          (unsigned long)last_trap.error, past_end & ~3u);
    asm volatile("mov %0, %%fs" ::"r"(0));
    check_rc(mmuext_one(MMUEXT_SET_LDT, 0, 0), 0, "SET_LDT back to none");
}
