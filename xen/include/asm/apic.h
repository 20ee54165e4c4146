#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <xenolith/lib.h>

#define TIMER_VECTOR 0xf0
#define EVENT_CHECK_VECTOR 0xf1 /* "look at your run queue and the current vCPU's events" */
#define FLUSH_VECTOR 0xf2       /* "flush your TLB" */

void apic_init(void);
void apic_timer_init(void);
void apic_init_ap(void);
uint32_t apic_id(void);
void apic_send_init_sipi(uint32_t apic, uint64_t start_paddr);
void apic_send_ipi(uint32_t apic, uint8_t vector);
void apic_timer_program(uint64_t deadline);
void apic_eoi(void);

#endif
