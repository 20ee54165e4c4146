/*
 * The local APIC of each CPU (xAPIC, memory-mapped). Enabled with every
 * local interrupt source masked until timers and IPIs need them; the
 * legacy 8259 PICs are moved off the exception vectors and masked.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/page.h>
#include <asm/time.h>

#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0
#define APIC_DIVIDE_BY_16 0x3
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_LVT_MASKED (1U << 16)
#define APIC_SVR_ENABLE (1U << 8)
#define APIC_BASE_ENABLE (1UL << 11)
#define SPURIOUS_VECTOR 0xff

static volatile uint32_t *apic_regs;
static uint64_t apic_ticks_per_ms;

static uint32_t apic_read(unsigned reg)
{
    return apic_regs[reg / 4];
}

static void apic_write(unsigned reg, uint32_t v)
{
    apic_regs[reg / 4] = v;
}

static void pic_disable(void)
{
    /* ICW1-4: vectors 0x20-0x2f, cascade on IRQ2, 8086 mode; then mask all. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x20);
    outb(0xa1, 0x28);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

void apic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    uint64_t pa = base & 0xffffff000UL;

    if (!boot_cpu.apic)
        panic("no local APIC: Xenolith needs one");
    pic_disable();
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    apic_regs = ioremap(pa, PAGE_SIZE);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
    apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
    apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
    apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
    printk("Local APIC: id %u, version %#x, base %#lx%s\n", apic_read(APIC_ID) >> 24,
           apic_read(APIC_VERSION) & 0xff, (unsigned long)pa,
           boot_cpu.x2apic ? " (x2APIC capable, used in xAPIC mode)" : "");
}

/*
 * The timer runs one-shot at bus clock / 16; its rate is measured against
 * the TSC once (tsc_calibrate must have run).
 */
void apic_timer_init(void)
{
    uint64_t t0, ticks;

    apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_16);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
    apic_write(APIC_TIMER_INITIAL, 0xffffffff);
    t0 = rdtsc();
    while (rdtsc() - t0 < tsc_khz * 10)
        ;
    ticks = 0xffffffffU - apic_read(APIC_TIMER_CURRENT);
    apic_write(APIC_TIMER_INITIAL, 0);
    apic_ticks_per_ms = ticks / 10 ? ticks / 10 : 1;
    apic_write(APIC_LVT_TIMER, TIMER_VECTOR); /* one-shot, unmasked */
    printk("APIC timer: %lu kHz (one-shot, vector %#x)\n", (unsigned long)apic_ticks_per_ms,
           TIMER_VECTOR);
}

/* Arms the timer for a system time (ns since boot); 0 stops it. */
void apic_timer_program(uint64_t deadline)
{
    uint64_t now = now_ns(), ticks;

    if (!deadline) {
        apic_write(APIC_TIMER_INITIAL, 0);
        return;
    }
    ticks = deadline > now ? (deadline - now) * apic_ticks_per_ms / 1000000 : 1;
    apic_write(APIC_TIMER_INITIAL, (uint32_t)MIN(MAX(ticks, 1), 0xffffffffULL));
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}
