/*
 * multicall (public/xen.h: struct multicall_entry): runs each entry as a
 * hypercall and stores its result in the entry. The batch itself returns 0
 * unless the list cannot be read or written; a failing entry does not stop
 * the batch (Linux only warns about it). A multicall inside a multicall
 * gets -EINVAL, as do hypercalls that switch context (iret).
 */
#include <xen/xen.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

static long multicall(uint64_t list, uint64_t nr)
{
    for (unsigned i = 0; i < (unsigned)nr; i++) {
        uint64_t at = list + (uint64_t)i * sizeof(multicall_entry_t);
        multicall_entry_t call;
        hypercall_fn fn;

        if (copy_from_guest(&call, at, sizeof(call)))
            return -EFAULT;
        fn = hypercall_lookup(call.op);
        if (call.op == __HYPERVISOR_multicall || call.op == __HYPERVISOR_iret)
            call.result = (uint64_t)-EINVAL;
        else if (!fn)
            call.result = (uint64_t)-ENOSYS;
        else
            call.result = (uint64_t)fn(call.args[0], call.args[1], call.args[2],
                                       call.args[3], call.args[4], call.args[5]);
        if (copy_to_guest(at + offsetof(multicall_entry_t, result), &call.result,
                          sizeof(call.result)))
            return -EFAULT;
    }
    return 0;
}

/* The calls it makes finish their batches: none can re-issue itself (hypercall_continue). */
long do_multicall(uint64_t list, uint64_t nr)
{
    long rc;

    current->in_multicall = true;
    rc = multicall(list, nr);
    current->in_multicall = false;
    return rc;
}
