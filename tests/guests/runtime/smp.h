/*
 * Secondary vCPUs for the test kernels: the context VCPUOP_initialise
 * takes, and telling vCPUs apart in code that runs on any of them.
 *
 * A Dom0 built with dom0_max_vcpus=N has vCPUs 1..N-1 created but down and
 * not initialised (VCPUOP_is_up 0, VCPUOP_up -EINVAL). The guest gives one
 * a full struct vcpu_guest_context (arch-x86/xen.h) with VCPUOP_initialise
 * and starts it with VCPUOP_up (vcpu.h; Linux: cpu_initialize_context).
 *
 * Which vCPU runs: each vCPU's kernel GS base points at its struct smp_cpu,
 * whose first word points at itself, so `mov %gs:0` names the vCPU. The
 * hypervisor keeps GS bases per vCPU (set_segment_base(SEGBASE_GS_KERNEL)
 * on the running vCPU, or gs_base_kernel in the initial context).
 *
 * The rest of the runtime is written for vCPU 0: traps.c's trap table and
 * stubs are shared (the stubs use only the stack), but vcpu0_info(),
 * events.h's 2-level helpers and pvclock.h read vCPU 0's vcpu_info, and
 * trap_fixup / trap_count / last_trap are single globals. Code that runs on
 * another vCPU uses smp_vcpu_info(id), and probes (TRAP_EXPECT) only while
 * no other vCPU does.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "runtime.h"
#include "traps.h"

#include <xen/vcpu.h>

struct smp_cpu {
    struct smp_cpu *self;   /* at %gs:0 */
    unsigned int id;
    uint8_t *stack;         /* a secondary vCPU's stack, 16-byte aligned */
    size_t stack_size;
};

/* The calling vCPU's struct smp_cpu, through its kernel GS base. */
static inline struct smp_cpu *this_cpu(void)
{
    struct smp_cpu *c;

    asm volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

/*
 * %gs:0 on the calling vCPU, or 0 if reading it faults (no GS base yet).
 * Uses trap_fixup: no other vCPU may probe at the same time.
 */
unsigned long smp_probe_gs_self(void);

/* Point the calling vCPU's kernel GS base at c (set_segment_base). */
long smp_set_this_cpu(struct smp_cpu *c);

/* vCPU id's vcpu_info: shared_info's slot (vCPU 0: vcpu0_info()). */
struct vcpu_info *smp_vcpu_info(unsigned int id);

/* Whether addr lies on c's stack. */
bool smp_on_stack(const struct smp_cpu *c, unsigned long addr);

/*
 * Fill ctx for VCPUOP_initialise of vCPU c->id so that it starts in kernel
 * mode at entry(), a function that never returns, on c's stack, with
 * GS base c, the current L4, the trap table traps_init() installs, the
 * runtime's event callback and a failsafe callback that ends the test.
 */
void smp_build_context(struct vcpu_guest_context *ctx, struct smp_cpu *c,
                       void (*entry)(void));

#endif /* GUEST_SMP_H */
