/*
 * Hypercall handlers, indexed by the ABI's __HYPERVISOR_* numbers
 * (public/xen.h). Arguments arrive as the raw 64-bit registers (rdi, rsi,
 * rdx, r10, r8, r9); each handler narrows them as its public prototype says.
 */
#ifndef XENOLITH_HYPERCALL_H
#define XENOLITH_HYPERCALL_H

#include <xenolith/lib.h>
#include <xenolith/errno.h>

typedef long (*hypercall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* The handler of hypercall nr, or NULL. */
hypercall_fn hypercall_lookup(uint64_t nr);

/*
 * Xen's hypercall continuation, for a batch done in chunks: once the
 * handler returns, the guest's SYSCALL is executed again with the same
 * hypercall number and these first three arguments (the rest of the
 * batch), so other work and the guest's events can run in between and no
 * lock is held across the whole batch. The handler's return value is
 * dropped. False under a multicall: the handler must finish the batch.
 */
bool hypercall_continue(uint64_t a1, uint64_t a2, uint64_t a3);

long do_console_io(uint64_t cmd, uint64_t count, uint64_t buffer);
long do_multicall(uint64_t list, uint64_t nr);
long do_mmu_update(uint64_t ureqs, uint64_t count, uint64_t pdone, uint64_t foreigndom);
long do_mmuext_op(uint64_t uops, uint64_t count, uint64_t pdone, uint64_t foreigndom);
long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags);
long do_memory_op(uint64_t cmd, uint64_t arg);
long do_set_trap_table(uint64_t traps);
long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall);
long do_callback_op(uint64_t cmd, uint64_t arg);
long do_iret(void);
long do_stack_switch(uint64_t ss, uint64_t sp);
long do_fpu_taskswitch(uint64_t set);
long do_set_debugreg(uint64_t reg, uint64_t value);
long do_get_debugreg(uint64_t reg);
long do_set_segment_base(uint64_t which, uint64_t base);
long do_set_gdt(uint64_t frames, uint64_t entries);
long do_update_descriptor(uint64_t maddr, uint64_t desc);
long do_physdev_op(uint64_t cmd, uint64_t arg);
long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg);
long do_set_timer_op(uint64_t timeout);
long do_grant_table_op(uint64_t cmd, uint64_t arg, uint64_t count);
long do_domctl(uint64_t arg);
long do_sysctl(uint64_t arg);
long do_platform_op(uint64_t arg);
long do_mca(uint64_t arg);

/* A known hypercall's sub-op not done yet: logged once per (what, cmd), then -ENOSYS. */
long unimplemented(const char *what, uint64_t cmd);
long do_xen_version(uint64_t cmd, uint64_t arg);
long do_sched_op(uint64_t cmd, uint64_t arg);
long do_vm_assist(uint64_t cmd, uint64_t type);

/* Writes the 128 stubs of a 64-bit PV hypercall page into page (hypervisor VA). */
void hypercall_page_fill(void *page);

#endif
