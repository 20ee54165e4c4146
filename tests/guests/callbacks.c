/*
 * HYPERVISOR_callback_op and HYPERVISOR_set_callbacks (callback.h;
 * do_callback_op, register_guest_callback, unregister_guest_callback and
 * do_set_callbacks, xen/arch/x86/pv/callback.c): which types exist, the
 * canonical-address check, which callbacks can be unregistered, and that a
 * registration takes effect.
 */
#include "usermode.h"

const char test_title[] = "callbacks: callback_op register/unregister, set_callbacks";

/* Numbers, not names: callback.h renames "sysenter" by interface version. */
enum {
    CB_EVENT = 0, CB_FAILSAFE = 1, CB_SYSCALL = 2, CB_SYSENTER_DEPRECATED = 3,
    CB_NMI = 4, CB_SYSENTER = 5, CB_SYSCALL32 = 7,
};

static long cb_register(unsigned int type, unsigned long addr,
                        unsigned int flags)
{
    return callback_register(type, addr, flags);
}

static long cb_unregister(unsigned int type)
{
    struct callback_unregister u = { .type = type };

    return hypercall_callback_op(CALLBACKOP_unregister, &u);
}

static long set_callbacks(unsigned long event, unsigned long failsafe,
                          unsigned long syscall)
{
    return hypercall(__HYPERVISOR_set_callbacks, event, failsafe, syscall, 0,
                     0);
}

static void check_register(void)
{
    static const struct {
        unsigned int type;
        const char *name;
        long reg, unreg;
    } types[] = {
        { CB_FAILSAFE, "failsafe", 0, -XEN_EINVAL },
        { CB_SYSENTER, "sysenter", 0, -XEN_EINVAL },
        { CB_SYSCALL32, "syscall32", 0, -XEN_EINVAL },
        { CB_NMI, "nmi", 0, 0 },
        /* Xen knows only the current number of sysenter. */
        { CB_SYSENTER_DEPRECATED, "3 (old sysenter)", -XEN_ENOSYS,
          -XEN_ENOSYS },
        { 6, "6", -XEN_ENOSYS, -XEN_ENOSYS },
        { 8, "8", -XEN_ENOSYS, -XEN_ENOSYS },
        { 0xffff, "0xffff", -XEN_ENOSYS, -XEN_ENOSYS },
    };
    unsigned long addr = trap_stub(0xfe);

    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        check_rc(cb_register(types[i].type, addr, 0), types[i].reg,
                 "register %s", types[i].name);
        check_rc(cb_register(types[i].type, 0x0000800000000000UL, 0),
                 -XEN_EINVAL, "register %s at a non-canonical address "
                 "(checked before the type)", types[i].name);
        check_rc(cb_unregister(types[i].type), types[i].unreg,
                 "unregister %s", types[i].name);
    }
    check_rc(cb_unregister(CB_EVENT), -XEN_EINVAL, "unregister event");
    check_rc(cb_unregister(CB_SYSCALL), -XEN_EINVAL, "unregister syscall");

    check_rc(hypercall_callback_op(2, &types), -XEN_ENOSYS, "callback_op 2");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        check_rc(hypercall_callback_op(CALLBACKOP_register,
                                       (void *)bad_ptrs[i].addr),
                 -XEN_EFAULT, "register with the argument at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);
        check_rc(hypercall_callback_op(CALLBACKOP_unregister,
                                       (void *)bad_ptrs[i].addr),
                 -XEN_EFAULT, "unregister with the argument at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);
    }
}

/* The event callback is where an upcall goes. */
static void check_event(void)
{
    struct vcpu_info *vi = vcpu0_info();
    unsigned int seen = events_seen, vec = trap_count;

    check_rc(cb_register(CB_EVENT, trap_stub(TRAP_VEC_EVENT), 0), 0,
             "register event");
    vi->evtchn_upcall_pending = 1;
    vi->evtchn_upcall_mask = 0;
    hypercall_xen_version(XENVER_version, 0);
    vi->evtchn_upcall_mask = 1;
    check_rc(events_seen - seen, 1, "  an upcall arrives there");
    check_rc(trap_count - vec, 1, "  and nothing else");
}

USER_PROGRAM(prog_syscall,
             "mov $1, %eax\n\t"
             "syscall\n\t"
             "mov %rax, %rdi\n\t"
             "mov $0x3c, %eax\n\t"
             "syscall");

static uint8_t mask_in_callback;

static unsigned long syscall_hook(struct trap_record *rec,
                                  struct trap_regs *regs)
{
    mask_in_callback = vcpu0_info()->evtchn_upcall_mask;
    return 0x77;
}

/*
 * set_callbacks registers event, failsafe and syscall without
 * CALLBACKF_mask_events, and ignores the result of each registration.
 */
static void check_set_callbacks(void)
{
    unsigned long syscall = trap_stub(TRAP_VEC_SYSCALL);
    struct user_result r;

    usermode_init(CALLBACKF_mask_events);
    user_syscall_hook = syscall_hook;

    mask_in_callback = 0xff;
    r = usermode_run(prog_syscall, prog_syscall_end, 0, 0x202);
    check(r.exited && r.code == 0x77, "user syscall with mask_events");
    check_rc(mask_in_callback, 1, "  events masked in the callback");

    check_rc(set_callbacks(trap_stub(TRAP_VEC_EVENT), trap_stub(0xfe),
                           syscall), 0, "set_callbacks");
    mask_in_callback = 0xff;
    r = usermode_run(prog_syscall, prog_syscall_end, 0, 0x202);
    check(r.exited && r.code == 0x77, "  user syscall reaches the callback");
    check_rc(mask_in_callback, 0, "  events not masked in the callback");

    check_rc(set_callbacks(0x0000800000000000UL, 0x0000800000000000UL,
                           0x0000800000000000UL), 0,
             "set_callbacks with non-canonical addresses");
    r = usermode_run(prog_syscall, prog_syscall_end, 0, 0x202);
    check(r.exited && r.code == 0x77,
          "  refused silently: the syscall callback is still ours");
    user_syscall_hook = NULL;
}

void test_main(void)
{
    traps_init();
    check_register();
    check_event();
    check_set_callbacks();
}
