/*
 * Turning the machine off or resetting it. Power-off is ACPI S5: the
 * PM1 control blocks come from the FADT and SLP_TYP from the DSDT's \_S5
 * package (ACPI 6.4 sections 4.8.3.2, 5.2.9 and 7.4.2); both are found at
 * boot so that shutdown itself needs no parsing.
 */
#include <asm/acpi.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/page.h>
#include <xenolith/shutdown.h>

static uint16_t pm1a_cnt, pm1b_cnt;
static uint8_t slp_typa, slp_typb;
static bool s5_known;

/* One AML integer of the \_S5 package: a byte constant or Zero/One. */
static const uint8_t *aml_byte(const uint8_t *p, uint8_t *v)
{
    if (*p == 0x0a) /* BytePrefix */
        p++;
    *v = *p;
    return p + 1;
}

static bool parse_s5(const struct acpi_header *dsdt)
{
    const uint8_t *aml = (const uint8_t *)dsdt;

    for (uint32_t i = sizeof(*dsdt); i + 16 < dsdt->length; i++) {
        const uint8_t *p = aml + i;

        if (memcmp(p, "_S5_", 4) || p[4] != 0x12) /* PackageOp */
            continue;
        p += 5;
        p += (*p >> 6) + 1; /* PkgLength */
        p++;                /* NumElements */
        p = aml_byte(p, &slp_typa);
        aml_byte(p, &slp_typb);
        return true;
    }
    return false;
}

void acpi_power_init(void)
{
    const struct acpi_header *fadt = acpi_find_table("FACP"), *dsdt;
    const uint8_t *f;
    uint32_t cnt_a, cnt_b, dsdt_pa;

    if (!fadt) {
        printk("ACPI: no FADT found: power-off will halt instead\n");
        return;
    }
    f = (const uint8_t *)fadt;
    memcpy(&dsdt_pa, f + 40, 4);
    memcpy(&cnt_a, f + 64, 4);
    memcpy(&cnt_b, f + 68, 4);
    pm1a_cnt = (uint16_t)cnt_a;
    pm1b_cnt = (uint16_t)cnt_b;
    dsdt = acpi_map_table(dsdt_pa);
    s5_known = pm1a_cnt && dsdt && parse_s5(dsdt);
    printk("ACPI: PM1a_CNT %#x, S5 %s (SLP_TYP %u)\n", pm1a_cnt,
           s5_known ? "found" : "not found", slp_typa);
}

noreturn void machine_halt(void)
{
    printk("Machine halted.\n");
    halt_forever();
    __builtin_unreachable();
}

noreturn void machine_power_off(void)
{
    if (s5_known) {
        outw(pm1a_cnt, (uint16_t)((slp_typa << 10) | (1 << 13))); /* SLP_EN */
        if (pm1b_cnt)
            outw(pm1b_cnt, (uint16_t)((slp_typb << 10) | (1 << 13)));
    }
    printk("ACPI power-off failed\n");
    machine_halt();
}

noreturn void machine_restart(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed no_idt = { 0, 0 };

    outb(0xcf9, 0x02); /* PCI reset control: hard reset */
    outb(0xcf9, 0x06);
    for (unsigned i = 0; i < 100000 && (inb(0x64) & 2); i++)
        ;
    outb(0x64, 0xfe); /* keyboard controller pulse */
    /* Last resort: a triple fault. */
    __asm__ volatile("lidt %0; int3" ::"m"(no_idt));
    halt_forever();
    __builtin_unreachable();
}
