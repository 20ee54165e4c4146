/*
 * physdev_op (public/physdev.h): the I/O privilege a PV kernel asks for.
 * Interrupt routing and PCI sub-ops come with event channels (issue 4).
 */
#include <xen/physdev.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

long do_physdev_op(uint64_t cmd, uint64_t arg)
{
    switch ((int)cmd) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl s;

        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.iopl > 3)
            return -EINVAL;
        current->iopl = s.iopl;
        return 0;
    }
    }
    return unimplemented("physdev_op", cmd);
}
