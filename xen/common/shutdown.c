/*
 * What the machine does when the hardware domain shuts down. The log lines
 * are Xen's (xen/common/shutdown.c), so tools and tests read both alike.
 * Unlike Xen, a poweroff really powers off, and a crash halts with the
 * crash in the log rather than rebooting (nothing is lost from the screen).
 */
#include <xen/sched.h>
#include <xenolith/sched.h>
#include <xenolith/shutdown.h>

noreturn void hwdom_shutdown(struct domain *d, unsigned reason)
{
    unsigned id = d->domain_id;

    switch (reason) {
    case SHUTDOWN_poweroff:
        printk("Hardware Dom%u halted: halting machine\n", id);
        machine_power_off();
    case SHUTDOWN_crash:
        printk("Hardware Dom%u crashed: halting machine\n", id);
        machine_halt();
    case SHUTDOWN_reboot:
        printk("Hardware Dom%u shutdown: rebooting machine\n", id);
        machine_restart();
    case SHUTDOWN_watchdog:
        printk("Hardware Dom%u shutdown: watchdog rebooting machine\n", id);
        machine_restart();
    case SHUTDOWN_soft_reset:
        printk("Hardware domain %u did unsupported soft reset, rebooting.\n", id);
        machine_restart();
    default:
        printk("Hardware Dom%u shutdown (unknown reason %u): rebooting machine\n",
               id, reason);
        machine_restart();
    }
}
