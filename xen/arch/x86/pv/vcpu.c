/* Entering a PV vCPU on this CPU. */
#include <asm/cpu.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

noreturn void launch_guest_frame(struct cpu_regs *frame);

noreturn void vcpu_launch(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();

    ci->curr = v;
    ci->guest_regs = v->regs;
    v->running = true;
    pv_load_descriptor_tables(v);
    wrmsr(MSR_FS_BASE, 0);
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_KERNEL_GS_BASE, v->gs_base_user);
    write_cr3(v->cr3);
    launch_guest_frame(&ci->guest_regs);
}
