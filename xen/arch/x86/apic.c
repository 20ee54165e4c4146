/*
 * The local APIC of each CPU: x2APIC (registers as MSRs) where the CPU has
 * it, as Xen 4.17 uses it, else xAPIC (memory-mapped). Enabled with every
 * local interrupt source masked until timers and IPIs need them; the
 * legacy 8259 PICs are moved off the exception vectors and masked.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/page.h>
#include <asm/time.h>
#include <xenolith/cmdline.h>

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
#define APIC_BASE_X2APIC (1UL << 10)
#define SPURIOUS_VECTOR 0xff
/* x2APIC: register offset / 16 from MSR 0x800 (SDM vol. 3, "x2APIC Register Address Space"). */
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_ICR 0x830

static volatile uint32_t *apic_regs;
static uint64_t apic_ticks_per_ms;
/*
 * Under QEMU an xAPIC access is an emulated MMIO access, ~12 us for a
 * timer write; an x2APIC one is an MSR access, and an IPI one write
 * instead of three accesses. x2apic=0 keeps the xAPIC.
 */
static bool opt_x2apic = true;
PARAM_BOOL("x2apic", opt_x2apic);
static bool x2apic_mode;

static uint32_t apic_read(unsigned reg)
{
    return x2apic_mode ? (uint32_t)rdmsr(MSR_X2APIC_FIRST + reg / 16) : apic_regs[reg / 4];
}

static void apic_write(unsigned reg, uint32_t v)
{
    if (x2apic_mode)
        wrmsr(MSR_X2APIC_FIRST + reg / 16, v);
    else
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

/* This CPU's APIC on, every local interrupt source masked but the timer's vector. */
static void apic_enable_local(void)
{
    /* Disabled -> x2APIC is not a valid transition: enabled first (SDM, "x2APIC State Transitions"). */
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE);
    if (x2apic_mode)
        wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_X2APIC);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
    apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
    apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
    apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_VECTOR);
}

void apic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    uint64_t pa = base & 0xffffff000UL;

    if (!boot_cpu.apic)
        panic("no local APIC: Xenolith needs one");
    pic_disable();
    x2apic_mode = boot_cpu.x2apic && opt_x2apic;
    if (!x2apic_mode)
        apic_regs = ioremap(pa, PAGE_SIZE);
    apic_enable_local();
    printk("Local APIC: id %u, version %#x, base %#lx, %s mode\n", apic_id(),
           apic_read(APIC_VERSION) & 0xff, (unsigned long)pa, x2apic_mode ? "x2APIC" : "xAPIC");
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

/* An application processor: same APIC address, same timer rate as the boot CPU. */
void apic_init_ap(void)
{
    apic_enable_local();
    apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_16);
    apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
}

uint32_t apic_id(void)
{
    return x2apic_mode ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define ICR_BUSY (1U << 12)

static void icr_send(uint32_t apic, uint32_t low)
{
    if (x2apic_mode) { /* one 64-bit ICR, the destination in its high half, no busy bit */
        wrmsr(MSR_X2APIC_ICR, (uint64_t)apic << 32 | low);
        return;
    }
    apic_write(APIC_ICR_HIGH, apic << 24);
    apic_write(APIC_ICR_LOW, low);
    for (unsigned spin = 0; spin < 1000000 && (apic_read(APIC_ICR_LOW) & ICR_BUSY); spin++)
        __asm__ volatile("pause");
}

void apic_send_init_sipi(uint32_t apic, uint64_t start_paddr)
{
    uint64_t t;

    icr_send(apic, 0x4500); /* INIT, level assert */
    t = rdtsc();
    while (rdtsc() - t < tsc_khz * 10) /* 10 ms */
        ;
    for (unsigned i = 0; i < 2; i++) {
        icr_send(apic, 0x4600 | (uint32_t)(start_paddr >> PAGE_SHIFT)); /* STARTUP */
        t = rdtsc();
        while (rdtsc() - t < tsc_khz / 5) /* 200 us */
            ;
    }
}

void apic_send_ipi(uint32_t apic, uint8_t vector)
{
    icr_send(apic, vector); /* fixed delivery, physical destination */
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}
