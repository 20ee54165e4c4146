/*
 * The IO-APICs the MADT lists (ACPI 6.x, MADT entry type 1: id, address,
 * GSI base) and the GSIs they serve, for the hardware domain's
 * physdev_op: PHYSDEVOP_apic_read reads their registers, and a GSI is
 * valid for setup_gsi and map_pirq only if one of them has the pin. A
 * bound GSI is routed to one vector on one CPU (arch/x86/physdev.c).
 */
#include <asm/acpi.h>
#include <asm/io_apic.h>
#include <asm/page.h>
#include <xenolith/errno.h>
#include <xenolith/lib.h>

#define MAX_IO_APICS 8
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_VER 0x01 /* bits 23:16: the highest redirection entry */
#define IOAPIC_RTE(pin) (0x10 + 2 * (pin)) /* low word; the high word follows */
#define RTE_ACTIVE_LOW (1U << 13)
#define RTE_LEVEL (1U << 15)
#define RTE_MASKED (1U << 16)

static struct io_apic {
    uint64_t physbase;
    volatile uint32_t *regs;
    unsigned gsi_base, nr_pins;
} io_apics[MAX_IO_APICS];
static unsigned nr_io_apics, nr_gsis;

static uint32_t reg_read(const struct io_apic *a, unsigned reg)
{
    a->regs[IOAPIC_REGSEL / 4] = reg;
    return a->regs[IOAPIC_WINDOW / 4];
}

static void reg_write(const struct io_apic *a, unsigned reg, uint32_t v)
{
    a->regs[IOAPIC_REGSEL / 4] = reg;
    a->regs[IOAPIC_WINDOW / 4] = v;
}

static const struct io_apic *apic_of(unsigned gsi, unsigned *pin)
{
    for (unsigned i = 0; i < nr_io_apics; i++)
        if (gsi >= io_apics[i].gsi_base && gsi < io_apics[i].gsi_base + io_apics[i].nr_pins) {
            *pin = gsi - io_apics[i].gsi_base;
            return &io_apics[i];
        }
    return NULL;
}

/* MADT entry type 1, I/O APIC: id at 2, address at 4, first GSI at 8. */
static void add_io_apic(const uint8_t *e, void *unused)
{
    struct io_apic *a;
    uint32_t addr, gsi_base;

    (void)unused;
    if (nr_io_apics == MAX_IO_APICS)
        return;
    a = &io_apics[nr_io_apics];
    memcpy(&addr, e + 4, 4);
    memcpy(&gsi_base, e + 8, 4);
    a->physbase = addr;
    a->regs = ioremap(addr, PAGE_SIZE);
    a->gsi_base = gsi_base;
    a->nr_pins = ((reg_read(a, IOAPIC_VER) >> 16) & 0xff) + 1;
    if (gsi_base + a->nr_pins > nr_gsis)
        nr_gsis = gsi_base + a->nr_pins;
    printk("IO-APIC %u at %#lx: GSIs %u-%u\n", e[2], (unsigned long)addr, gsi_base,
           gsi_base + a->nr_pins - 1);
    for (unsigned pin = 0; pin < a->nr_pins; pin++) /* firmware may have left some open */
        reg_write(a, IOAPIC_RTE(pin), RTE_MASKED);
    nr_io_apics++;
}

void io_apic_init(void)
{
    acpi_madt_walk(1, 12, add_io_apic, NULL);
}

unsigned io_apic_nr_gsis(void)
{
    return nr_gsis;
}

/* PHYSDEVOP_apic_read (public/physdev.h struct physdev_apic). */
long io_apic_read(uint64_t physbase, uint32_t reg, uint32_t *value)
{
    for (unsigned i = 0; i < nr_io_apics; i++)
        if (io_apics[i].physbase == physbase) {
            *value = reg_read(&io_apics[i], reg);
            return 0;
        }
    return -EINVAL;
}

/* Fixed delivery, physical destination (the IO-APIC redirection entry). */
void io_apic_route(unsigned gsi, uint8_t vector, bool level, bool active_low, uint32_t apic_id)
{
    unsigned pin;
    const struct io_apic *a = apic_of(gsi, &pin);

    if (!a)
        return;
    reg_write(a, IOAPIC_RTE(pin), RTE_MASKED);
    reg_write(a, IOAPIC_RTE(pin) + 1, apic_id << 24);
    reg_write(a, IOAPIC_RTE(pin), vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0));
}

void io_apic_mask(unsigned gsi, bool masked)
{
    unsigned pin;
    const struct io_apic *a = apic_of(gsi, &pin);
    uint32_t low;

    if (!a)
        return;
    low = reg_read(a, IOAPIC_RTE(pin));
    reg_write(a, IOAPIC_RTE(pin), masked ? low | RTE_MASKED : low & ~RTE_MASKED);
}
