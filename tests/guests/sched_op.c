/*
 * HYPERVISOR_sched_op(cmd, arg) (sched.h), as Xen 4.17 answers a PV Dom0
 * (do_sched_op, xen/common/sched/core.c): every sub-op that takes a
 * structure copies it in first, so a bad pointer gives -EFAULT before
 * anything happens; cmd is an int and unknown values give -ENOSYS.
 */
#include "runtime.h"

const char test_title[] = "sched_op: yield, shutdown_code, bad pointers, unknown ops";

static long sched_op(unsigned long cmd, unsigned long arg)
{
    return hypercall_sched_op(cmd, arg);
}

static const struct {
    unsigned int cmd;
    const char *name;
} struct_ops[] = {
    { SCHEDOP_shutdown, "shutdown" },
    { SCHEDOP_poll, "poll" },
    { SCHEDOP_remote_shutdown, "remote_shutdown" },
    { SCHEDOP_shutdown_code, "shutdown_code" },
    { SCHEDOP_watchdog, "watchdog" },
    { SCHEDOP_pin_override, "pin_override" },
};

void test_main(void)
{
    struct sched_shutdown shutdown = { .reason = SHUTDOWN_poweroff };
    struct sched_remote_shutdown remote = { .domain_id = 100,
                                            .reason = SHUTDOWN_poweroff };
    struct sched_pin_override pin = { .pcpu = 0x7fffffff };
    struct sched_poll poll = { .nr_ports = 129 };

    /* sched.h: "@arg == NULL"; Xen ignores it. */
    for (unsigned int i = 0; i < 3; i++)
        check_rc(sched_op(SCHEDOP_yield, 0), 0, "SCHEDOP_yield #%u", i + 1);
    check_rc(sched_op(SCHEDOP_yield, BAD_PTR_UNMAPPED), 0,
             "SCHEDOP_yield with arg %#lx", BAD_PTR_UNMAPPED);

    for (unsigned int i = 0; i < ARRAY_SIZE(struct_ops); i++)
        for (unsigned int b = 0; b < nr_bad_ptrs; b++)
            check_rc(sched_op(struct_ops[i].cmd, bad_ptrs[b].addr),
                     -XEN_EFAULT, "SCHEDOP_%s at %s %#lx", struct_ops[i].name,
                     bad_ptrs[b].what, bad_ptrs[b].addr);

    /*
     * Latches the reason a later SCHEDOP_shutdown reports; poweroff is what
     * the runtime asks for at the end anyway (see shutdown_code.c for the
     * latch itself).
     */
    check_rc(sched_op(SCHEDOP_shutdown_code, (unsigned long)&shutdown), 0,
             "SCHEDOP_shutdown_code(SHUTDOWN_poweroff)");

    /* Checked in this order by do_poll: port count, then the port array. */
    check_rc(sched_op(SCHEDOP_poll, (unsigned long)&poll), -XEN_EINVAL,
             "SCHEDOP_poll with 129 ports (limit 128)");
    poll = (struct sched_poll){ .nr_ports = 1 };
    set_xen_guest_handle(poll.ports, (evtchn_port_t *)BAD_PTR_UNMAPPED);
    check_rc(sched_op(SCHEDOP_poll, (unsigned long)&poll), -XEN_EFAULT,
             "SCHEDOP_poll with ports at %#lx", BAD_PTR_UNMAPPED);

    check_rc(sched_op(SCHEDOP_remote_shutdown, (unsigned long)&remote),
             -XEN_ESRCH, "SCHEDOP_remote_shutdown of absent domain %u",
             remote.domain_id);

    check_rc(sched_op(SCHEDOP_pin_override, (unsigned long)&pin), -XEN_EINVAL,
             "SCHEDOP_pin_override to pcpu %d (>= NR_CPUS)", pin.pcpu);

    /* sched.h ends at SCHEDOP_pin_override (7). */
    check_rc(sched_op(8, 0), -XEN_ENOSYS, "unknown SCHEDOP 8");
    check_rc(sched_op(0x7fffffff, 0), -XEN_ENOSYS, "unknown SCHEDOP 0x7fffffff");
    check_rc(sched_op(~0UL, 0), -XEN_ENOSYS, "unknown SCHEDOP -1");
    check_rc(sched_op((1UL << 32) | SCHEDOP_yield, 0), 0,
             "SCHEDOP_yield with bit 32 set (cmd is an int)");
}
