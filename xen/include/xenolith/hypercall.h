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

long do_console_io(uint64_t cmd, uint64_t count, uint64_t buffer);
long do_xen_version(uint64_t cmd, uint64_t arg);
long do_sched_op(uint64_t cmd, uint64_t arg);
long do_vm_assist(uint64_t cmd, uint64_t type);

/* Writes the 128 stubs of a 64-bit PV hypercall page into page (hypervisor VA). */
void hypercall_page_fill(void *page);

#endif
