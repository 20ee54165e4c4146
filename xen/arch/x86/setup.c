/*
 * The boot CPU's path from head.S to Dom0: read what the loader gave us,
 * open the console, take stock of memory, bring up this CPU's tables, the
 * APIC and the clock, build Dom0 from module 1 and enter it.
 */
#include <asm/acpi.h>
#include <asm/io_apic.h>
#include <asm/apic.h>
#include <asm/bootinfo.h>
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <xenolith/cmdline.h>
#include <xenolith/console.h>
#include <xenolith/dom0.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>
#include <xenolith/spinlock.h>
#include <xenolith/shutdown.h>

extern char _start[], _end[];
extern const struct param __param_start[], __param_end[];

char saved_cmdline[CMDLINE_SIZE];
struct frame_table frame_table;

/* console=com1[,...]: Xen also knows vga, dbgp...; only the serial ports here. */
static char opt_console[64] = "com1";
PARAM_STR("console", opt_console);
static struct serial_config com1 = { 0x3f8, 115200, 8, 'n', 1 };
static struct serial_config com2 = { 0x2f8, 115200, 8, 'n', 1 };
static char opt_loglvl[32] = "warning";
PARAM_STR("loglvl", opt_loglvl);
static char opt_guest_loglvl[32] = "none";
PARAM_STR("guest_loglvl", opt_guest_loglvl);
static char opt_sched[32] = "credit";
PARAM_STR("sched", opt_sched);
/* Test only: fault on purpose before entering Dom0, to prove faults are loud. */
static bool opt_fault_selftest;
PARAM_BOOL("fault_selftest", opt_fault_selftest);

static void __attribute__((noinline)) fault_selftest(void)
{
    printk("fault_selftest: reading an unmapped hypervisor address\n");
    (void)*(volatile uint64_t *)(DIRECTMAP_VIRT_END - PAGE_SIZE);
}

/* com1=<baud>[/<clock>][,DPS[,<io-base>[,<irq>]]], e.g. 115200,8n1 */
static int parse_com(struct serial_config *c, const char *v)
{
    uint64_t n;
    const char *p = v;

    if (strncmp(p, "auto", 4) && !parse_uint(p, &p, &n))
        c->baud = (unsigned)n;
    else if (!strncmp(p, "auto", 4))
        p += 4;
    /* A "/<clock>" rate is skipped: the 16550's standard clock is assumed. */
    if (*p == '/')
        parse_uint(p + 1, &p, &n);
    if (*p == ',' && p[1] >= '5' && p[1] <= '8') {
        c->data_bits = (unsigned)(p[1] - '0');
        c->parity = p[2] | 0x20;
        c->stop_bits = (unsigned)(p[3] - '0');
        p += 4;
    }
    if (*p == ',' && !parse_uint(p + 1, &p, &n))
        c->io_base = (uint16_t)n;
    return 0;
}

static int parse_com1(const char *v) { return parse_com(&com1, v); }
static int parse_com2(const char *v) { return parse_com(&com2, v); }
PARAM_CUSTOM("com1", parse_com1);
PARAM_CUSTOM("com2", parse_com2);

static void warn_option(const char *opt, const char *why)
{
    printk("Command line: ignoring '%s': %s\n", opt, why);
}

static void console_setup(void)
{
    if (!strncmp(opt_console, "com2", 4))
        serial_init(&com2);
    else if (!strncmp(opt_console, "com1", 4))
        serial_init(&com1);
}

static const char *memmap_type_name(uint32_t t)
{
    switch (t) {
    case E820_RAM: return "usable";
    case E820_RESERVED: return "reserved";
    case E820_ACPI: return "ACPI data";
    case E820_NVS: return "ACPI NVS";
    case E820_UNUSABLE: return "unusable";
    }
    return "unknown";
}

static uint64_t max_ram_addr(void)
{
    uint64_t top = 0;

    for (unsigned i = 0; i < boot_info.nr_memmap; i++)
        if (boot_info.memmap[i].type == E820_RAM)
            top = MAX(top, boot_info.memmap[i].addr + boot_info.memmap[i].len);
    return top;
}

/* The frame table goes in the first free RAM run big enough, above 1 MiB. */
static uint64_t place_frame_table(uint64_t bytes)
{
    uint64_t img_lo = XEN_LOAD_PADDR, img_hi = virt_to_maddr(_end);

    for (unsigned i = 0; i < boot_info.nr_memmap; i++) {
        const struct memmap_entry *e = &boot_info.memmap[i];
        uint64_t lo = ROUNDUP(MAX(e->addr, 1UL << 20), PAGE_SIZE);
        uint64_t hi = e->addr + e->len;

        if (e->type != E820_RAM)
            continue;
        for (uint64_t at = lo; at + bytes <= hi; at += PAGE_SIZE) {
            bool clash = at < img_hi && at + bytes > img_lo;

            for (unsigned m = 0; m < boot_info.nr_modules && !clash; m++)
                clash = at < boot_info.modules[m].end && at + bytes > boot_info.modules[m].start;
            if (!clash)
                return at;
        }
    }
    panic("no room for the frame table (%lu bytes)", (unsigned long)bytes);
}

static void memory_init(void)
{
    uint64_t top = max_ram_addr(), nr = top >> PAGE_SHIFT;
    uint64_t ft_bytes = ROUNDUP(nr * sizeof(struct page_info), PAGE_SIZE);
    uint64_t ft_pa;

    printk("Physical RAM map:\n");
    for (unsigned i = 0; i < boot_info.nr_memmap; i++) {
        const struct memmap_entry *e = &boot_info.memmap[i];

        printk(" %016lx - %016lx (%s)\n", (unsigned long)e->addr,
               (unsigned long)(e->addr + e->len), memmap_type_name(e->type));
    }
    directmap_init(top);
    ft_pa = place_frame_table(ft_bytes);
    frames_init(&frame_table, maddr_to_virt(ft_pa), nr);
    for (unsigned i = 0; i < boot_info.nr_memmap; i++) {
        const struct memmap_entry *e = &boot_info.memmap[i];
        uint64_t first = ROUNDUP(e->addr, PAGE_SIZE) >> PAGE_SHIFT;
        uint64_t last = (e->addr + e->len) >> PAGE_SHIFT;

        if (e->type == E820_RAM && last > first)
            frames_add_ram(&frame_table, first, last - first);
    }
    /* Real-mode memory and BIOS data stay out of reach. */
    frames_reserve(&frame_table, 0, (1 << 20) >> PAGE_SHIFT, FRAME_RESERVED);
    frames_reserve(&frame_table, XEN_LOAD_PADDR >> PAGE_SHIFT,
                   (virt_to_maddr(_end) - XEN_LOAD_PADDR + PAGE_SIZE - 1) >> PAGE_SHIFT,
                   FRAME_XEN);
    frames_reserve(&frame_table, ft_pa >> PAGE_SHIFT, ft_bytes >> PAGE_SHIFT, FRAME_XEN);
    for (unsigned m = 0; m < boot_info.nr_modules; m++) {
        const struct boot_module *mod = &boot_info.modules[m];
        uint64_t first = mod->start >> PAGE_SHIFT;
        uint64_t last = (mod->end + PAGE_SIZE - 1) >> PAGE_SHIFT;

        frames_reserve(&frame_table, first, last - first, FRAME_MODULE);
    }
    printk("Frames: %lu RAM (%lu MiB), %lu hypervisor, %lu modules, %lu reserved, %lu free\n",
           (unsigned long)(nr - frame_table.counts[FRAME_HOLE]),
           (unsigned long)((nr - frame_table.counts[FRAME_HOLE]) >> (20 - PAGE_SHIFT)),
           (unsigned long)frame_table.counts[FRAME_XEN],
           (unsigned long)frame_table.counts[FRAME_MODULE],
           (unsigned long)frame_table.counts[FRAME_RESERVED],
           (unsigned long)frame_table.counts[FRAME_FREE]);
}

/* The frame table is shared by every CPU: all allocation goes through this lock. */
static spinlock_t frames_spinlock = SPINLOCK_INIT;

void frames_lock(void)
{
    spin_lock(&frames_spinlock);
}

void frames_unlock(void)
{
    spin_unlock(&frames_spinlock);
}

void *alloc_xen_pages(unsigned count)
{
    uint64_t mfn;

    frames_lock();
    mfn = frames_alloc(&frame_table, count, FRAME_XEN, 0);
    frames_unlock();
    if (mfn == INVALID_MFN)
        return NULL;
    prepare_new_frames(mfn, count);
    return mfn_to_virt(mfn);
}

void free_xen_pages(void *va, unsigned count)
{
    int rc;

    frames_lock();
    rc = frames_free(&frame_table, virt_to_maddr(va) >> PAGE_SHIFT, count);
    frames_unlock();
    if (rc)
        BUG();
}

static void show_cpu(void)
{
    printk("CPU0: %s family %#x model %#x stepping %u: %s\n", boot_cpu.vendor,
           boot_cpu.family, boot_cpu.model, boot_cpu.stepping, boot_cpu.brand);
    printk("CPU0: NX %s, SMEP %s, 1 GiB pages %s\n", boot_cpu.nx ? "yes" : "no",
           boot_cpu.smep ? "yes" : "no", boot_cpu.pdpe1gb ? "yes" : "no");
    if (!boot_cpu.nx)
        panic("this CPU lacks NX, which PV guests' page tables use");
}

static void show_modules(void)
{
    printk("Modules: %u\n", boot_info.nr_modules);
    for (unsigned m = 0; m < boot_info.nr_modules; m++)
        printk(" module %u: %#lx-%#lx (%lu KiB) '%s'\n", m + 1,
               (unsigned long)boot_info.modules[m].start,
               (unsigned long)boot_info.modules[m].end,
               (unsigned long)((boot_info.modules[m].end - boot_info.modules[m].start) >> 10),
               boot_info.modules[m].cmdline);
}

noreturn void __start_xen(uint32_t magic, uint64_t info)
{
    bool mb_ok = !multiboot_parse(magic, info, &boot_info);
    const char *cmdline = cmdline_cook(boot_info.cmdline, boot_info.multiboot_version);
    int bad;

    strlcpy(saved_cmdline, cmdline, sizeof(saved_cmdline));
    bad = cmdline_parse(saved_cmdline, __param_start, __param_end - __param_start, NULL);
    console_setup();
    printk("Xenolith %s (Xen 4.17 ABI), x86_64 PV\n", "4.17.0-xenolith");
    if (!mb_ok)
        panic("not started by a multiboot loader (magic %#x)", magic);
    printk("Bootloader: %s (multiboot%s)\n", boot_info.loader[0] ? boot_info.loader : "unknown",
           boot_info.multiboot_version == 2 ? "2" : "");
    printk("Command line: %s\n", saved_cmdline);
    if (bad)
        cmdline_parse(saved_cmdline, __param_start, __param_end - __param_start, warn_option);
    get_cpu_info()->cpu_id = 0;
    cpu_identify(&boot_cpu);
    show_cpu();
    show_modules();
    memory_init();
    m2p_init();
    traps_init();
    cpu_init(0);
    drop_boot_identity_map();
    apic_init();
    tsc_calibrate();
    apic_timer_init();
    time_tick_start();
    wallclock_init();
    acpi_power_init();
    io_apic_init();
    if (strcmp(opt_sched, "credit") && strcmp(opt_sched, "credit2"))
        printk("sched=%s: unknown scheduler, using credit\n", opt_sched);
    smp_boot_cpus();
    {
        struct vcpu *v = dom0_construct();

        if (opt_fault_selftest)
            fault_selftest();
        console_start_polling();
        sched_start_cpu();
        vcpu_wake(v);
        idle_loop();
    }
}
