/* Per-CPU state, control registers and MSRs. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <asm/config.h>
#include <asm/regs.h>

struct vcpu;

/*
 * At the top of every CPU's (STACK_SIZE-aligned) stack. guest_regs ends on
 * a 16-byte boundary: that is where the CPU puts the frame when it enters
 * from ring 3 (TSS.RSP0, 64-bit mode aligns it), and where the syscall
 * entry stub builds the same frame, so a guest's registers are always here.
 */
struct cpu_info {
    struct cpu_regs guest_regs;
    uint32_t cpu_id;
    uint32_t pad;
    struct vcpu *curr;
};

static inline struct cpu_info *get_cpu_info(void)
{
    uint64_t sp;

    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 - sizeof(struct cpu_info));
}

extern uint8_t cpu_stacks[NR_CPUS][STACK_SIZE];

static inline struct cpu_info *cpu_info_of(unsigned cpu)
{
    return (struct cpu_info *)(cpu_stacks[cpu] + STACK_SIZE - sizeof(struct cpu_info));
}

#define current (get_cpu_info()->curr)
#define smp_processor_id() (get_cpu_info()->cpu_id)

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b
#define MSR_PAT 0x277

#define CR0_TS (1UL << 3)
#define CR4_PSE (1UL << 4)
#define CR4_PAE (1UL << 5)
#define CR4_PGE (1UL << 7)
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_SMEP (1UL << 20)

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

#define DEFINE_CR(n)                                                   \
    static inline uint64_t read_cr##n(void)                            \
    {                                                                  \
        uint64_t v;                                                    \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));              \
        return v;                                                      \
    }                                                                  \
    static inline void write_cr##n(uint64_t v)                         \
    {                                                                  \
        __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");       \
    }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void halt_forever(void)
{
    for (;;)
        __asm__ volatile("cli; hlt");
}

struct cpu_identity {
    char vendor[13];
    char brand[49];
    unsigned family, model, stepping;
    bool nx, smep, pdpe1gb, apic, x2apic, invariant_tsc;
};
extern struct cpu_identity boot_cpu;

void cpu_identify(struct cpu_identity *c);
/* GDT, TSS, IDT, syscall MSRs and control registers of this CPU. */
void cpu_init(unsigned cpu);
void traps_init(void);

#endif
