/*
 * Bringing up the application processors: each CPU the MADT lists gets
 * INIT-SIPI-SIPI to the real-mode trampoline (boot/trampoline.S), which
 * lands in __start_ap() on the CPU's own stack; the CPU then sets up its
 * tables and APIC and enters the scheduler's idle loop.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <xenolith/sched.h>

extern const char trampoline_start[], trampoline_end[], trampoline_cr3[], trampoline_stack[],
    trampoline_entry[];
extern uint8_t cpu_stacks[NR_CPUS][STACK_SIZE];

/* Boot tables for the APs: the hypervisor's slots, plus the low 2 MiB 1:1 for the trampoline. */
static pte_t ap_l4[512] __aligned(PAGE_SIZE), ap_l3[512] __aligned(PAGE_SIZE),
    ap_l2[512] __aligned(PAGE_SIZE);

unsigned nr_cpus_online = 1;
uint32_t cpu_to_apic[NR_CPUS];
static volatile bool ap_started, ap_ready;
static volatile unsigned ap_cpu;
static volatile uint64_t ap_now;

static void trampoline_set(const char *sym, uint64_t v)
{
    *(volatile uint64_t *)maddr_to_virt(TRAMPOLINE_PADDR + (uint64_t)(sym - trampoline_start)) = v;
}

noreturn void __start_ap(void)
{
    unsigned cpu = ap_cpu;

    write_cr3(virt_to_maddr(idle_pg_table));
    get_cpu_info()->cpu_id = cpu;
    __atomic_store_n(&ap_started, true, __ATOMIC_RELEASE);
    time_sync_ap(cpu);
    cpu_init(cpu);
    apic_init_ap();
    ap_now = now_ns();
    __atomic_store_n(&ap_ready, true, __ATOMIC_RELEASE);
    sched_start_cpu();
    idle_loop();
}

static bool start_cpu(unsigned cpu, uint32_t apic)
{
    uint64_t t, window;

    ap_cpu = cpu;
    ap_started = false;
    ap_ready = false;
    trampoline_set(trampoline_stack, (uint64_t)cpu_stacks[cpu] + STACK_SIZE - CPU_INFO_RESERVE);
    trampoline_set(trampoline_entry, (uint64_t)__start_ap);
    apic_send_init_sipi(apic, TRAMPOLINE_PADDR);
    t = rdtsc();
    while (!__atomic_load_n(&ap_started, __ATOMIC_ACQUIRE))
        if (rdtsc() - t > tsc_khz * 1000) /* 1 s */
            return false;
    window = time_sync_bsp(cpu);
    while (!__atomic_load_n(&ap_ready, __ATOMIC_ACQUIRE))
        __asm__ volatile("pause");
    printk("CPU%u: APIC id %u up, its clock at %lu ns (boot CPU's now %lu ns, synced within %lu ns)\n",
           cpu, apic, (unsigned long)ap_now, (unsigned long)now_ns(), (unsigned long)window);
    return true;
}

void smp_boot_cpus(void)
{
    uint32_t ids[NR_CPUS], self = apic_id();
    unsigned n = acpi_cpu_apic_ids(ids, NR_CPUS);

    cpu_to_apic[0] = self;
    memcpy(maddr_to_virt(TRAMPOLINE_PADDR), trampoline_start,
           (size_t)(trampoline_end - trampoline_start));
    memcpy(ap_l4, idle_pg_table, sizeof(ap_l4));
    ap_l4[0] = virt_to_maddr(ap_l3) | _PAGE_PRESENT | _PAGE_RW;
    ap_l3[0] = virt_to_maddr(ap_l2) | _PAGE_PRESENT | _PAGE_RW;
    ap_l2[0] = _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE;
    trampoline_set(trampoline_cr3, virt_to_maddr(ap_l4));
    for (unsigned i = 0; i < n && nr_cpus_online < NR_CPUS; i++) {
        unsigned cpu = nr_cpus_online;

        if (ids[i] == self)
            continue;
        if (!start_cpu(cpu, ids[i])) {
            printk("CPU%u (APIC id %u) did not start\n", cpu, ids[i]);
            continue;
        }
        cpu_to_apic[cpu] = ids[i];
        nr_cpus_online++;
    }
    printk("SMP: %u CPU%s online (%u in the MADT)\n", nr_cpus_online,
           nr_cpus_online > 1 ? "s" : "", n ? n : 1);
}
