/*
 * The register frame every entry path builds: general registers pushed by
 * software above the hardware's exception frame. A guest's frame always sits
 * at the top of its CPU's stack (see struct cpu_info).
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <xenolith/lib.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;
    uint32_t entry_vector; /* TRAP_* number, or ENTRY_SYSCALL */
    uint64_t rip, cs, rflags, rsp, ss; /* as pushed by hardware */
};

#define ENTRY_SYSCALL 0x100

#define X86_EFLAGS_IF (1UL << 9)
#define X86_EFLAGS_IOPL (3UL << 12)
#define X86_EFLAGS_MBS (1UL << 1) /* must be set */

/* General register n in the encoding's order (0 = rax ... 15 = r15). */
static inline uint64_t *regs_gpr(struct cpu_regs *r, unsigned n)
{
    uint64_t *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
                           &r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15 };

    return regs[n & 15];
}

static inline bool regs_from_guest(const struct cpu_regs *r)
{
    return (r->cs & 3) != 0;
}

#endif
