#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <xenolith/lib.h>

#define TIMER_VECTOR 0xf0

void apic_init(void);
void apic_timer_init(void);
void apic_timer_program(uint64_t deadline);
void apic_eoi(void);

#endif
