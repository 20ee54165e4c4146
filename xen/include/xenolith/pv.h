/* PV guest entry and exit (xen/arch/x86/pv/). */
#ifndef XENOLITH_PV_H
#define XENOLITH_PV_H

#include <asm/regs.h>

struct vcpu;

void toggle_guest_mode(struct vcpu *v);
/* Bounces vector to the guest's trap handler; crashes the guest if it has none. */
void pv_inject_exception(struct cpu_regs *r, unsigned vec, bool has_error, uint32_t error);
bool pv_soft_interrupt(struct cpu_regs *r, unsigned vec);
void pv_user_syscall(struct cpu_regs *r, bool compat);
void pv_exit_to_guest(struct cpu_regs *r);
void pv_iret(struct cpu_regs *r);
/* A fault in guest context: handled (emulated, fixed up or bounced). */
void pv_guest_exception(struct cpu_regs *r);

/* Emulation of what a PV kernel still executes (pv/emul_*.c, pv/ptwr.c). */
bool pv_emulate_privileged(struct cpu_regs *r);
bool pv_emulate_forced_cpuid(struct cpu_regs *r);
bool pv_ptwr_emulate(struct cpu_regs *r, uint64_t addr);
void pv_cpuid(uint32_t leaf, uint32_t sub, uint32_t res[4]);

noreturn void launch_guest_frame(struct cpu_regs *frame);
void set_cpu_curr(unsigned cpu, struct vcpu *v);
struct vcpu *get_cpu_curr(unsigned cpu);
/* Copies v's runstate to the guest's registered area (its tables must be loaded). */
void update_runstate_area(struct vcpu *v);

/* VCPUOP_initialise: a vCPU's first context (struct vcpu_guest_context). */
long pv_vcpu_initialise(struct vcpu *v, uint64_t ctxt);

void pv_vcpu_relinquish(struct vcpu *v);
long pv_set_gdt(struct vcpu *v, const uint64_t *frames, unsigned entries);

/* Per-CPU descriptor tables for the vCPU about to run (pv/descriptors.c). */
void pv_load_descriptor_tables(struct vcpu *v);
void pv_unload_descriptor_tables(struct vcpu *v);
bool handle_ldt_fault(struct vcpu *v, uint64_t addr);

#endif
