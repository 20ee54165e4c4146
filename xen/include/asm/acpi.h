#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <xenolith/lib.h>

struct acpi_header {
    char sig[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __packed;

const struct acpi_header *acpi_map_table(uint64_t pa);
const struct acpi_header *acpi_find_table(const char sig[4]);
/* S5 and the PM1 control ports, for machine_power_off(). */
void acpi_power_init(void);
/* Calls fn on each MADT (signature "APIC") entry of type that is min_len bytes or more. */
void acpi_madt_walk(uint8_t type, uint8_t min_len, void (*fn)(const uint8_t *e, void *ctx),
                    void *ctx);
/* The local APIC ids of the usable CPUs (MADT); returns how many. */
unsigned acpi_cpu_apic_ids(uint32_t *ids, unsigned max);

#endif
