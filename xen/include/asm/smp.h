#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <asm/config.h>
#include <xenolith/lib.h>

extern unsigned nr_cpus_online;
extern uint32_t cpu_to_apic[NR_CPUS];

void smp_boot_cpus(void);
/* Sends vector to another CPU. */
void smp_send(unsigned cpu, uint8_t vector);
/* Called while spinning with interrupts off: serve a pending flush request. */
void smp_poll_requests(void);

#endif
