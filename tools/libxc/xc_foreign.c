/* Mapping another domain's frames into this process (privcmd MMAPBATCH_V2). */
#include "xc_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <xen/privcmd.h>

/*
 * privcmd needs a VMA of its own first (mmap of the device reserves the
 * range), then the ioctl fills it frame by frame. Without errs, one bad
 * frame fails the whole call; with errs, the caller sees each frame's
 * result (0 or a negative errno) and gets the mapping.
 */
void *xc_map_foreign(xc_t *xc, uint32_t domid, int prot, const xen_pfn_t *frames, size_t n,
                     int *errs)
{
    struct privcmd_mmapbatch_v2 batch = {.num = (unsigned)n, .dom = (domid_t)domid};
    int *err = errs ? errs : calloc(n ? n : 1, sizeof(*err));
    void *addr = MAP_FAILED;
    int rc;

    if (!err) {
        xc_fail(xc, -ENOMEM, "map_foreign: error array of %zu frames", n);
        return NULL;
    }
    if (!n) {
        xc_fail(xc, -EINVAL, "map_foreign (domain %u): at least one frame expected", domid);
        goto out;
    }
    addr = mmap(NULL, n * XC_PAGE_SIZE, prot, MAP_SHARED, xc->fd, 0);
    if (addr == MAP_FAILED) {
        xc_fail(xc, -errno, "map_foreign: mmap of %zu frames on privcmd", n);
        goto out;
    }
    batch.addr = (uint64_t)(uintptr_t)addr;
    batch.arr = frames;
    batch.err = err;
    rc = ioctl(xc->fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch);
    if (rc < 0 && (!errs || errno != ENOENT)) {
        /* ENOENT means some frames failed (see errs); anything else is the call. */
        size_t i = 0;

        while (i < n && err[i] == 0)
            i++;
        if (i < n)
            xc_fail(xc, err[i], "map_foreign (domain %u): frame %#lx (%zu of %zu)", domid,
                    (unsigned long)frames[i], i, n);
        else
            xc_fail(xc, -errno, "map_foreign (domain %u): %zu frames from %#lx", domid, n,
                    (unsigned long)frames[0]);
        munmap(addr, n * XC_PAGE_SIZE);
        addr = MAP_FAILED;
    }
out:
    if (!errs)
        free(err);
    return addr == MAP_FAILED ? NULL : addr;
}

int xc_unmap_foreign(void *addr, size_t n)
{
    return munmap(addr, n * XC_PAGE_SIZE) < 0 ? -errno : 0;
}
