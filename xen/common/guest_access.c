/* Guest-memory copies (see xenolith/guest_access.h). */
#include <xen/xen.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>

/* Canonical and outside the hypervisor's slots 256-271 (the lower half ends at 2^47). */
bool guest_range_ok(uint64_t gva, size_t len)
{
    uint64_t end = gva + len;

    if (end < gva)
        return false;
    if (!len)
        return true;
    return end <= (1UL << 47) || gva >= HYPERVISOR_VIRT_END;
}

int copy_from_guest(void *dst, uint64_t src_gva, size_t len)
{
    if (!guest_range_ok(src_gva, len))
        return -EFAULT;
    return raw_copy_safe(dst, (const void *)src_gva, len) ? -EFAULT : 0;
}

int copy_to_guest(uint64_t dst_gva, const void *src, size_t len)
{
    if (!guest_range_ok(dst_gva, len))
        return -EFAULT;
    return raw_copy_safe((void *)dst_gva, src, len) ? -EFAULT : 0;
}
