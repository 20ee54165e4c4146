/*
 * The only way the hypervisor touches guest memory: through the current
 * guest's page tables, with a fault-safe copy. A bad pointer yields -EFAULT,
 * never a hypervisor fault. Addresses inside the hypervisor's hole
 * (xen-x86_64.h: HYPERVISOR_VIRT_START..HYPERVISOR_VIRT_END) are refused
 * before any access.
 */
#ifndef XENOLITH_GUEST_ACCESS_H
#define XENOLITH_GUEST_ACCESS_H

#include <xenolith/lib.h>

bool guest_range_ok(uint64_t gva, size_t len);

/* Bits 63..47 all equal: an address the CPU accepts. */
static inline bool is_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}
int copy_from_guest(void *dst, uint64_t src_gva, size_t len);
int copy_to_guest(uint64_t dst_gva, const void *src, size_t len);

/* Faulting copy primitive (arch): returns the number of bytes NOT copied. */
size_t raw_copy_safe(void *dst, const void *src, size_t len);

/* Copy in, work, and copy back when the sub-op has results (out). */
#define COPY_OP(type, var, worker, out)                              \
    do {                                                             \
        type var;                                                    \
        long rc;                                                     \
        if (copy_from_guest(&var, arg, sizeof(var)))                 \
            return -EFAULT;                                          \
        rc = worker;                                                 \
        if (out && !rc && copy_to_guest(arg, &var, sizeof(var)))     \
            return -EFAULT;                                          \
        return rc;                                                   \
    } while (0)

#endif
