/*
 * One system time for all vCPUs: each vCPU reads its own pvclock
 * (vcpu_info.time, public/xen.h struct vcpu_time_info), and the hypervisor
 * fills it against the TSC of the physical CPU the vCPU runs on. Two vCPUs
 * pass a token back and forth, each stamping the time it read: a stamp
 * taken after another vCPU's must not be earlier by more than the clocks'
 * tolerance. Linux keeps its clock monotonic across CPUs only while that
 * holds (pvclock's last_value clamps it, and timers fire late otherwise).
 */
#include "runtime.h"
#include "pvclock.h"
#include "smp.h"

const char test_title[] = "time_smp: vCPU 0's and vCPU 1's pvclocks agree";

#define ROUNDS 2000
#define WAIT_NS (5 * NSEC_PER_SEC)
/*
 * Measured under TCG on a loaded 2-core host: Xen 4.17 steps back by up to
 * ~80 us, Xenolith ~12 us. A millisecond is a clock bug, not noise.
 */
#define TOLERANCE_NS 1000000

static struct smp_cpu cpus[2];
static uint8_t cpu1_stack[16384] __attribute__((aligned(16)));
static struct vcpu_guest_context ctx;
static volatile unsigned int turn;      /* whose move: 0 or 1 */
static volatile uint64_t stamp;         /* vCPU 1's last reading */

static long vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return hypercall(__HYPERVISOR_vcpu_op, cmd, vcpu, (unsigned long)arg, 0, 0);
}

static void cpu1_main(void)
{
    const struct vcpu_info *vi = smp_vcpu_info(1);

    for (unsigned int i = 0; i < ROUNDS; i++) {
        while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 1)
            asm volatile("pause");
        stamp = vcpu_system_time_ns(vi);
        __atomic_store_n(&turn, 0, __ATOMIC_RELEASE);
    }
    for (;;)
        hypercall_sched_op(SCHEDOP_block, 0);
}

static void start_cpu1(void)
{
    cpus[1].id = 1;
    cpus[1].stack = cpu1_stack;
    cpus[1].stack_size = sizeof(cpu1_stack);
    smp_build_context(&ctx, &cpus[1], cpu1_main);
    if (!check_rc(vcpu_op(VCPUOP_initialise, 1, &ctx), 0, "VCPUOP_initialise(1)") ||
        !check_rc(vcpu_op(VCPUOP_up, 1, NULL), 0, "VCPUOP_up(1)"))
        test_error("vCPU 1 does not start (run with dom0_max_vcpus=2)");
}

void test_main(void)
{
    int64_t worst = INT64_MIN;
    uint64_t before, after, deadline;

    traps_init(); /* the trap table, and shared_info mapped for the pvclocks */
    start_cpu1();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        before = system_time_ns();
        __atomic_store_n(&turn, 1, __ATOMIC_RELEASE);
        deadline = before + WAIT_NS;
        while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 0)
            if (system_time_ns() > deadline)
                test_error("vCPU 1 did not answer in round %u", i);
        after = system_time_ns();
        /* How far a later reading went back in time, either way. */
        if ((int64_t)(before - stamp) > worst)
            worst = (int64_t)(before - stamp);
        if ((int64_t)(stamp - after) > worst)
            worst = (int64_t)(stamp - after);
    }
    printf("  %u hand-offs; the worst step back in time: %lld ns\n", ROUNDS, (long long)worst);
    check(worst <= TOLERANCE_NS, "no reading earlier than one before it by more than %u us",
          TOLERANCE_NS / 1000);
}
