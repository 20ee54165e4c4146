/*
 * Linux's UAPI xen/privcmd.h includes <xen/interface/xen.h>, the kernel's
 * own path; user space has the same definitions as libxen-dev's <xen/xen.h>.
 * Only libxc's device code puts this directory on its include path.
 */
#include <xen/xen.h>
