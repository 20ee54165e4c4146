/*
 * Per-CPU descriptor tables and control state. The GDT has Xen's layout
 * (xen-x86_64.h: the flat selectors 0xe008..0xe033 in the reserved page at
 * byte 0xe000), so guests find the selectors the ABI gives them; the
 * pages below it will hold a guest's own descriptors.
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <xenolith/lib.h>

#define GDT_ENTRIES ((GDT_LIMIT + 1) / 8)
#define IST_DF 1
#define IST_NMI 2
#define IST_MCE 3
#define IST_SIZE (2 * PAGE_SIZE)

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __packed;

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;

struct percpu_tables {
    uint64_t gdt[GDT_ENTRIES];
    struct tss64 tss;
} __aligned(PAGE_SIZE);

static struct percpu_tables tables[NR_CPUS];
uint8_t cpu_stacks[NR_CPUS][STACK_SIZE] __aligned(STACK_SIZE);
static uint8_t ist_stacks[NR_CPUS][3][IST_SIZE] __aligned(16);

/* Read by each CPU's syscall entry stub (entry.S). */
uint64_t cpu_guest_frame_top[NR_CPUS];
uint64_t syscall_scratch[NR_CPUS];
extern const uint64_t syscall_stub_table[NR_CPUS], syscall32_stub_table[NR_CPUS];
extern uint64_t idt_table[256][2];

struct cpu_identity boot_cpu;

static uint64_t code_desc(unsigned dpl, bool long_mode)
{
    /* present, code, readable, 4 GiB; L=1 for 64-bit, D=1 otherwise */
    return 0x000f9a000000ffffUL | ((uint64_t)dpl << 45) |
           (long_mode ? 1UL << 53 : 1UL << 54) | (1UL << 55);
}

static uint64_t data_desc(unsigned dpl)
{
    return 0x00cf92000000ffffUL | ((uint64_t)dpl << 45);
}

static void gdt_init(uint64_t *gdt, struct tss64 *tss)
{
    uint64_t *r = &gdt[GDT_RESERVED_BYTE / 8];
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

    r[(HYPERVISOR_CS & 0xff) / 8] = code_desc(0, true);
    r[(HYPERVISOR_DS & 0xff) / 8] = data_desc(0);
    r[(GUEST_CS32 & 0xff) / 8] = code_desc(3, false);
    r[(GUEST_DS & 0xff) / 8] = data_desc(3);
    r[(GUEST_CS64 & 0xff) / 8] = code_desc(3, true);
    r[(HYPERVISOR_CS32 & 0xff) / 8] = code_desc(0, false);
    /* 64-bit available TSS: two slots. */
    r[(TSS_SELECTOR & 0xff) / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                                   (0x89UL << 40) | (((limit >> 16) & 0xf) << 48) |
                                   (((base >> 24) & 0xff) << 56);
    r[(TSS_SELECTOR & 0xff) / 8 + 1] = base >> 32;
}

uint64_t percpu_gdt_init(unsigned cpu, void *reserved_page); /* pv/descriptors.c */

static void load_tables(uint64_t gdt)
{
    struct desc_ptr gdtr = { GDT_LIMIT, gdt };
    struct desc_ptr idtr = { sizeof(idt_table) - 1, (uint64_t)idt_table };

    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %2, %%ss\n\t"
                     "xor %%eax, %%eax\n\t"
                     "mov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\t"
                     "mov %%eax, %%fs\n\t"
                     "mov %%eax, %%gs\n\t"
                     "ltr %w3\n\t"
                     "lidt %4"
                     :
                     : "m"(gdtr), "i"(HYPERVISOR_CS), "r"(HYPERVISOR_DS),
                       "r"(TSS_SELECTOR), "m"(idtr)
                     : "rax", "memory");
}

/*
 * SYSCALL enters at this CPU's stub with the hypervisor's selectors
 * (STAR[47:32]); SYSRET would return to FLAT_RING3_CS64/SS (STAR[63:48]+16/+8).
 * RFLAGS bits in SFMASK are cleared on entry: interrupts stay off until the
 * stub is on the hypervisor's stack.
 */
static void syscall_init(unsigned cpu)
{
    wrmsr(MSR_STAR, ((uint64_t)GUEST_CS32 << 48) | ((uint64_t)HYPERVISOR_CS << 32));
    wrmsr(MSR_LSTAR, syscall_stub_table[cpu]);
    wrmsr(MSR_CSTAR, syscall32_stub_table[cpu]);
    wrmsr(MSR_SFMASK, (1 << 8) | (1 << 9) | (1 << 10) | (3 << 12) | (1 << 14) |
                          (1 << 16) | (1 << 17) | (1 << 18));
}

void cpu_init(unsigned cpu)
{
    struct percpu_tables *t = &tables[cpu];
    uint64_t top = (uint64_t)cpu_stacks[cpu] + STACK_SIZE;
    uint64_t cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;

    gdt_init(t->gdt, &t->tss);
    /* Entries from ring 3 land on the guest frame in struct cpu_info. */
    cpu_guest_frame_top[cpu] = top - sizeof(struct cpu_info) + sizeof(struct cpu_regs);
    t->tss.rsp[0] = cpu_guest_frame_top[cpu];
    t->tss.ist[IST_DF - 1] = (uint64_t)ist_stacks[cpu][0] + IST_SIZE;
    t->tss.ist[IST_NMI - 1] = (uint64_t)ist_stacks[cpu][1] + IST_SIZE;
    t->tss.ist[IST_MCE - 1] = (uint64_t)ist_stacks[cpu][2] + IST_SIZE;
    t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap: ring 3 port access faults */
    load_tables(percpu_gdt_init(cpu, &t->gdt[GDT_RESERVED_BYTE / 8]));
    syscall_init(cpu);

    /* Xen's PAT (XEN_MSR_PAT): WB, WT, UC-, UC, WC, WP, UC, UC. */
    wrmsr(MSR_PAT, 0x0000050100070406UL);
    if (boot_cpu.smep)
        cr4 |= CR4_SMEP; /* the hypervisor never runs guest code */
    write_cr4(cr4);
    write_cr0((read_cr0() | (1UL << 5) /* NE */ | (1UL << 1) /* MP */) &
              ~(CR0_TS | (1UL << 2) /* EM */));
    get_cpu_info()->cpu_id = cpu;
}

void cpu_identify(struct cpu_identity *c)
{
    uint32_t r[4], max_ext;

    cpuid(0, 0, r);
    memcpy(c->vendor, &r[1], 4);
    memcpy(c->vendor + 4, &r[3], 4);
    memcpy(c->vendor + 8, &r[2], 4);
    c->vendor[12] = '\0';
    if (r[0] >= 7) {
        cpuid(7, 0, r);
        c->smep = r[1] & (1 << 7);
    }
    cpuid(1, 0, r);
    c->family = (r[0] >> 8) & 0xf;
    c->model = (r[0] >> 4) & 0xf;
    c->stepping = r[0] & 0xf;
    if (c->family == 0xf)
        c->family += (r[0] >> 20) & 0xff;
    if (c->family >= 6)
        c->model |= ((r[0] >> 16) & 0xf) << 4;
    c->apic = r[3] & (1 << 9);
    c->x2apic = r[2] & (1 << 21);

    cpuid(0x80000000, 0, r);
    max_ext = r[0];
    if (max_ext >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        c->nx = r[3] & (1 << 20);
        c->pdpe1gb = r[3] & (1 << 26);
    }
    if (max_ext >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, 0, r);
            memcpy(c->brand + 16 * i, r, 16);
        }
        c->brand[48] = '\0';
    }
    if (max_ext >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        c->invariant_tsc = r[3] & (1 << 8);
    }
}
