#ifndef ASM_IO_APIC_H
#define ASM_IO_APIC_H

#include <xenolith/lib.h>

/* Finds the IO-APICs in the MADT and counts their pins. */
void io_apic_init(void);
/* GSIs 0 .. io_apic_nr_gsis() - 1 exist. */
unsigned io_apic_nr_gsis(void);
/* Reads register reg of the IO-APIC at physbase; -EINVAL if there is none.
 * Callers serialise (index and data are two accesses). */
long io_apic_read(uint64_t physbase, uint32_t reg, uint32_t *value);

/* Routes gsi to vector on the CPU with apic_id, unmasked. Callers serialise. */
void io_apic_route(unsigned gsi, uint8_t vector, bool level, bool active_low, uint32_t apic_id);
void io_apic_mask(unsigned gsi, bool masked);

#endif
