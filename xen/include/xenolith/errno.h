/*
 * Hypercall error numbers: the values are the public ABI's
 * (public/errno.h, XEN_E*); these are the short names the code uses.
 */
#ifndef XENOLITH_ERRNO_H
#define XENOLITH_ERRNO_H

#include <xen/errno.h>

#define EPERM XEN_EPERM
#define ENOENT XEN_ENOENT
#define ESRCH XEN_ESRCH
#define E2BIG XEN_E2BIG
#define ENOMEM XEN_ENOMEM
#define EFAULT XEN_EFAULT
#define EBUSY XEN_EBUSY
#define EEXIST XEN_EEXIST
#define EINVAL XEN_EINVAL
#define EACCES XEN_EACCES
#define ENOSPC XEN_ENOSPC
#define ERANGE XEN_ERANGE
#define ENOSYS XEN_ENOSYS
#define ENODATA XEN_ENODATA
#define ENOBUFS XEN_ENOBUFS
#define EOPNOTSUPP XEN_EOPNOTSUPP
#define ETIME XEN_ETIME
#define ENODEV XEN_ENODEV
#define ENXIO XEN_ENXIO

#endif
