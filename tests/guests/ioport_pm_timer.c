/*
 * The ACPI PM timer is the hypervisor's: Xen 4.17 denies its four bytes
 * (the FADT's PM_TMR_BLK) even to Dom0 (dom0_setup_permissions), and a
 * denied port reads as all ones (guest_io_read), so Dom0 never sees the
 * counter the hypervisor's clock runs on. QEMU's PC machines put the PM
 * block at 0x600 and the timer at 0x608 (ACPI 6.4 section 4.8.3.3); the
 * PM1a control register beside it (0x604) stays Dom0's and reads as a
 * register, which shows the block is where this test looks.
 */
#include "traps.h"

#include <xen/physdev.h>

const char test_title[] = "ioport_pm_timer: Dom0 cannot read the ACPI PM timer";

#define PM1A_CNT 0x604
#define PM_TMR   0x608
#define READS    1000 /* the real counter moves every 279 ns: it would show */

static int in_port(unsigned int port, unsigned int size, uint32_t *v)
{
    unsigned int before = trap_count;
    uint32_t r = 0;

    switch (size) {
    case 1:
        asm volatile(TRAP_EXPECT("inb %w[p], %b[r]") : [r] "+a"(r) : [p] "d"(port) : "memory");
        break;
    case 2:
        asm volatile(TRAP_EXPECT("inw %w[p], %w[r]") : [r] "+a"(r) : [p] "d"(port) : "memory");
        break;
    default:
        asm volatile(TRAP_EXPECT("inl %w[p], %[r]") : [r] "+a"(r) : [p] "d"(port) : "memory");
    }
    *v = r;
    return trap_count != before ? (int)last_trap.vector : -1;
}

void test_main(void)
{
    struct physdev_set_iopl iopl = { .iopl = 1 };
    unsigned int not_ones = 0;
    uint32_t v, first = 0;

    traps_init();
    /* Port I/O needs the virtual IOPL; the kernel counts as ring 1. */
    check_rc(hypercall(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl,
                       (unsigned long)&iopl, 0, 0, 0), 0, "PHYSDEVOP_set_iopl(1)");

    check_no_trap(in_port(PM1A_CNT, 2, &v), "inw %#x (PM1a control, Dom0's)", PM1A_CNT);
    check(v != 0xffff, "  reads as a register (%#x), not as a denied port", v);

    for (unsigned int i = 0; i < READS; i++) {
        if (in_port(PM_TMR, 4, &v) != -1) {
            check(false, "inl %#x raised vector %u", PM_TMR, last_trap.vector);
            break;
        }
        if (v != 0xffffffff && not_ones++ == 0)
            first = v;
    }
    check(not_ones == 0, "inl %#x, %u times: all ones every time (%u not, the first %#x)",
          PM_TMR, READS, not_ones, first);

    /* Any access that touches one of the four bytes is refused whole (Xen: admin_io_okay). */
    check_no_trap(in_port(PM_TMR, 2, &v), "inw %#x", PM_TMR);
    check_eq(v, 0xffff, "  reads as all ones");
    check_no_trap(in_port(PM_TMR + 3, 1, &v), "inb %#x (the timer's last byte)", PM_TMR + 3);
    check_eq(v, 0xff, "  reads as all ones");
    check_no_trap(in_port(PM_TMR - 2, 4, &v), "inl %#x (straddles the timer's first byte)",
                  PM_TMR - 2);
    check_eq(v, 0xffffffff, "  reads as all ones");
}
