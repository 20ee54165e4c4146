/*
 * The hardware domain's interrupt-line sub-ops of physdev_op
 * (public/physdev.h), as Linux's Dom0 uses them while ACPI and PCI come
 * up: IO-APIC register reads, GSI setup, GSI -> pirq mappings, the pirq
 * status query, PCI device registration; each with its bad input. Then a
 * real interrupt: the CMOS RTC's periodic interrupt (ISA IRQ 8 = GSI 8)
 * bound to an event channel (EVTCHNOP_bind_pirq), raised, EOI'd, raised
 * again. QEMU's pc machine has one IO-APIC at 0xfec00000 with 24 pins.
 */
#include "runtime.h"
#include "events.h"
#include "pvclock.h"
#include <xen/physdev.h>

const char test_title[] = "physdev_pirq: IO-APIC reads, GSI setup, pirq map/unmap, PCI devices";

#define IOAPIC_BASE 0xfec00000UL

static long physdev(int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_physdev_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static void apic_read(void)
{
    struct physdev_apic a = { .apic_physbase = IOAPIC_BASE, .reg = 1 };

    check_rc(physdev(PHYSDEVOP_apic_read, &a), 0, "apic_read of the IO-APIC version register");
    printf("  IO-APIC version register %#x\n", a.value);
    check((a.value & 0xff) == 0x20 && ((a.value >> 16) & 0xff) == 23,
          "version 0x20 with 24 redirection entries (got %#x)", a.value);
    a.apic_physbase = 0xfeb00000UL;
    check_rc(physdev(PHYSDEVOP_apic_read, &a), -XEN_EINVAL, "apic_read at an address with no IO-APIC");
    check_rc(physdev(PHYSDEVOP_apic_read, (void *)0x10), -XEN_EFAULT, "apic_read with a bad pointer");
}

static void setup_gsi(void)
{
    struct physdev_setup_gsi s = { .gsi = 10, .triggering = 1, .polarity = 1 };

    check_rc(physdev(PHYSDEVOP_setup_gsi, &s), 0, "setup_gsi 10 level, active low");
    s.gsi = 24;
    check_rc(physdev(PHYSDEVOP_setup_gsi, &s), -XEN_EINVAL, "setup_gsi 24: past the last pin");
    s.gsi = -1;
    check_rc(physdev(PHYSDEVOP_setup_gsi, &s), -XEN_EINVAL, "setup_gsi -1");
}

static void map_unmap(void)
{
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI,
                                  .index = 10, .pirq = 10 };
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = 10 };
    struct physdev_irq_status_query q = { .irq = 10 };
    struct physdev_irq v = { .irq = 10 };

    check_rc(physdev(PHYSDEVOP_map_pirq, &m), 0, "map_pirq GSI 10 to pirq 10");
    check(m.pirq == 10, "pirq stays 10 (got %d)", m.pirq);
    m.index = 11;
    /* Xen keeps the mapping it has, logs a warning and answers 0. */
    check_rc(physdev(PHYSDEVOP_map_pirq, &m), 0, "map_pirq of GSI 11 to pirq 10, taken");
    m.index = 10;
    check_rc(physdev(PHYSDEVOP_irq_status_query, &q), 0, "irq_status_query pirq 10");
    check_rc(physdev(PHYSDEVOP_alloc_irq_vector, &v), 0, "alloc_irq_vector for IRQ 10");
    check(v.vector == 10, "its vector is the IRQ, 10 (got %u)", v.vector);
    check(q.flags & XENIRQSTAT_needs_eoi, "pirq 10 needs an EOI (flags %#x)", q.flags);
    q.irq = 1U << 30;
    check_rc(physdev(PHYSDEVOP_irq_status_query, &q), -XEN_EINVAL, "irq_status_query of pirq 2^30");
    check_rc(physdev(PHYSDEVOP_unmap_pirq, &u), 0, "unmap_pirq 10");
    check_rc(physdev(PHYSDEVOP_unmap_pirq, &u), -XEN_EINVAL, "unmap_pirq 10 again");

    m.index = 24;
    check_rc(physdev(PHYSDEVOP_map_pirq, &m), -XEN_EINVAL, "map_pirq of GSI 24: no such pin");
    m.index = 10;
    m.domid = 0x7000;
    check_rc(physdev(PHYSDEVOP_map_pirq, &m), -XEN_ESRCH, "map_pirq for a domain that does not exist");
    check_rc(physdev(PHYSDEVOP_map_pirq, (void *)0x10), -XEN_EFAULT, "map_pirq with a bad pointer");
}

static void pci_devices(void)
{
    struct physdev_pci_device_add a = { .seg = 0, .bus = 0, .devfn = 0x08 }; /* 00:01.0 */
    struct physdev_pci_device r = { .seg = 0, .bus = 0, .devfn = 0xff };

    check_rc(physdev(PHYSDEVOP_pci_device_add, &a), 0, "pci_device_add 00:01.0");
    check_rc(physdev(PHYSDEVOP_pci_device_add, &a), 0, "pci_device_add 00:01.0 again");
    check_rc(physdev(PHYSDEVOP_pci_device_remove, &r), -XEN_ENODEV,
             "pci_device_remove 00:1f.7, a device nobody added");
}

static void out8(uint16_t port, uint8_t v)
{
    asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static uint8_t in8(uint16_t port)
{
    uint8_t v;

    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* MC146818 registers through index 0x70 / data 0x71: A (rate), B (PIE bit 6), C (ack by read). */
static uint8_t cmos(uint8_t reg)
{
    out8(0x70, reg);
    return in8(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    out8(0x70, reg);
    out8(0x71, v);
}

/* Waits up to 100 ms of system time for port to go pending. */
static bool wait_pending(evtchn_port_t port)
{
    struct sched_poll p = { .nr_ports = 1, .timeout = system_time_ns() + 100000000 };

    set_xen_guest_handle(p.ports, &port);
    while (!port_pending(port) && system_time_ns() < p.timeout)
        hypercall_sched_op(SCHEDOP_poll, (unsigned long)&p);
    return port_pending(port);
}

static void rtc_interrupt(void)
{
    struct physdev_set_iopl iopl = { .iopl = 1 };
    struct physdev_setup_gsi g = { .gsi = 8 }; /* ISA: edge, active high */
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI,
                                  .index = 8, .pirq = 8 };
    struct physdev_eoi eoi = { .irq = 8 };
    evtchn_bind_pirq_t b = { .pirq = 8 }, unmapped = { .pirq = 20 };
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = 8 };

    events_init(); /* a callback, and the upcall mask set: we poll */
    check_rc(physdev(PHYSDEVOP_set_iopl, &iopl), 0, "set_iopl 1 for the CMOS ports");
    check_rc(physdev(PHYSDEVOP_setup_gsi, &g), 0, "setup_gsi 8 edge, active high");
    check_rc(physdev(PHYSDEVOP_map_pirq, &m), 0, "map_pirq GSI 8 to pirq 8");
    check_rc(hypercall_event_channel_op(EVTCHNOP_bind_pirq, (unsigned long)&unmapped), -XEN_EPERM,
             "bind_pirq of pirq 20, never mapped");
    if (!check_rc(hypercall_event_channel_op(EVTCHNOP_bind_pirq, (unsigned long)&b), 0,
                  "bind_pirq 8"))
        return;
    check_rc(hypercall_event_channel_op(EVTCHNOP_bind_pirq, (unsigned long)&b), -XEN_EEXIST,
             "bind_pirq 8 again");

    port_clear_pending(b.port);
    cmos_write(0x0a, (cmos(0x0a) & 0xf0) | 0x06); /* 1024 Hz */
    cmos_write(0x0b, cmos(0x0b) | 0x40);          /* periodic interrupt on */
    (void)cmos(0x0c);
    check(wait_pending(b.port), "the RTC's interrupt raised port %u", b.port);
    port_clear_pending(b.port);
    (void)cmos(0x0c); /* the RTC lowers IRQ 8 until the next period */
    check_rc(physdev(PHYSDEVOP_eoi, &eoi), 0, "PHYSDEVOP_eoi pirq 8");
    check(wait_pending(b.port), "after the EOI, the next interrupt raised port %u again", b.port);

    cmos_write(0x0b, cmos(0x0b) & ~0x40);
    (void)cmos(0x0c);
    check_rc(evtchn_close(b.port), 0, "close the pirq's port");
    check_rc(physdev(PHYSDEVOP_unmap_pirq, &u), 0, "unmap_pirq 8");
}

void test_main(void)
{
    apic_read();
    setup_gsi();
    map_unmap();
    pci_devices();
    rtc_interrupt();
}
