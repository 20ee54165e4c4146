/*
 * Finding ACPI tables (ACPI 6.4 section 5.2): the RSDP from the boot
 * loader or the BIOS areas, then the XSDT (or RSDT). Tables are mapped
 * uncached through ioremap: they live in firmware-reserved memory outside
 * the direct map.
 */
#include <asm/acpi.h>
#include <asm/bootinfo.h>
#include <asm/page.h>


const struct acpi_header *acpi_map_table(uint64_t pa)
{
    const struct acpi_header *h = ioremap(pa, sizeof(*h));

    if (h->length < sizeof(*h) || h->length > (1 << 20))
        return NULL;
    return ioremap(pa, h->length);
}

static const uint8_t *find_rsdp(void)
{
    const uint8_t *bios;
    uint64_t ebda;

    if (boot_info.rsdp)
        return boot_info.rsdp;
    ebda = (uint64_t)*(const uint16_t *)ioremap(0x40e, 2) << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000) {
        bios = ioremap(ebda, 1024);
        for (unsigned off = 0; off < 1024; off += 16)
            if (!memcmp(bios + off, "RSD PTR ", 8))
                return bios + off;
    }
    bios = ioremap(0xe0000, 0x20000);
    for (unsigned off = 0; off < 0x20000; off += 16)
        if (!memcmp(bios + off, "RSD PTR ", 8))
            return bios + off;
    return NULL;
}

/* The first table with this signature in the RSDT/XSDT, or NULL. */
const struct acpi_header *acpi_find_table(const char sig[4])
{
    const uint8_t *rsdp = find_rsdp();
    uint32_t rsdt;
    uint64_t xsdt = 0;
    const struct acpi_header *root;
    unsigned entry;

    if (!rsdp)
        return NULL;
    memcpy(&rsdt, rsdp + 16, 4);
    if (rsdp[15] >= 2)
        memcpy(&xsdt, rsdp + 24, 8);
    root = acpi_map_table(xsdt ? xsdt : rsdt);
    if (!root)
        return NULL;
    entry = xsdt ? 8 : 4;
    for (uint32_t off = sizeof(*root); off + entry <= root->length; off += entry) {
        uint64_t pa = 0;
        const struct acpi_header *t;

        memcpy(&pa, (const uint8_t *)root + off, entry);
        t = acpi_map_table(pa);
        if (t && !memcmp(t->sig, sig, 4))
            return t;
    }
    return NULL;
}


void acpi_madt_walk(uint8_t type, uint8_t min_len, void (*fn)(const uint8_t *e, void *ctx),
                    void *ctx)
{
    const struct acpi_header *madt = acpi_find_table("APIC");
    const uint8_t *p, *end;

    if (!madt)
        return;
    p = (const uint8_t *)madt + sizeof(*madt) + 8; /* local APIC address and flags */
    end = (const uint8_t *)madt + madt->length;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        if (p[0] == type && p[1] >= min_len)
            fn(p, ctx);
        p += p[1];
    }
}

struct apic_ids {
    uint32_t *ids;
    unsigned max, n;
};

/* MADT entry type 0, processor local APIC: id at 3, flag bit 0 = enabled. */
static void add_cpu(const uint8_t *e, void *ctx)
{
    struct apic_ids *a = ctx;

    if ((e[4] & 1) && a->n < a->max)
        a->ids[a->n++] = e[3];
}

unsigned acpi_cpu_apic_ids(uint32_t *ids, unsigned max)
{
    struct apic_ids a = { ids, max, 0 };

    acpi_madt_walk(0, 8, add_cpu, &a);
    return a.n;
}
