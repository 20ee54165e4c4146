#ifndef ASM_APIC_H
#define ASM_APIC_H

void apic_init(void);
void apic_eoi(void);

#endif
