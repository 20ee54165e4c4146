/* Grant mappings of this process, through Linux's /dev/xen/gntdev (xen/gntdev.h). */
#include "xc_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/gntdev.h>

struct xc_gnttab {
    int fd;
};

xc_gnttab_t *xc_gnttab_open(void)
{
    xc_gnttab_t *g = malloc(sizeof(*g));
    int saved;

    if (!g)
        return NULL;
    g->fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (g->fd < 0) {
        saved = errno;
        free(g);
        errno = saved;
        return NULL;
    }
    return g;
}

void xc_gnttab_close(xc_gnttab_t *g)
{
    if (!g)
        return;
    close(g->fd);
    free(g);
}

static void unmap_index(xc_gnttab_t *g, uint64_t index)
{
    struct ioctl_gntdev_unmap_grant_ref un = {.index = index, .count = 1};

    ioctl(g->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
}

/*
 * MAP_GRANT_REF only reserves a slot (index); the grant is mapped by the
 * mmap at that offset. NULL with errno set on failure.
 */
void *xc_gnttab_map(xc_gnttab_t *g, uint32_t domid, uint32_t ref, int prot)
{
    struct ioctl_gntdev_map_grant_ref map = {.count = 1};
    void *addr;
    int saved;

    map.refs[0].domid = domid;
    map.refs[0].ref = ref;
    if (ioctl(g->fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map) < 0)
        return NULL;
    addr = mmap(NULL, XC_PAGE_SIZE, prot, MAP_SHARED, g->fd, (off_t)map.index);
    if (addr == MAP_FAILED) {
        saved = errno;
        unmap_index(g, map.index);
        errno = saved;
        return NULL;
    }
    return addr;
}

/* The slot is found from the address (GET_OFFSET_FOR_VADDR), unmapped, then released. */
int xc_gnttab_unmap(xc_gnttab_t *g, void *addr)
{
    struct ioctl_gntdev_get_offset_for_vaddr q = {.vaddr = (uint64_t)(uintptr_t)addr};
    struct ioctl_gntdev_unmap_grant_ref un = {.count = 1};

    if (ioctl(g->fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &q) < 0)
        return -errno;
    if (munmap(addr, (size_t)q.count * XC_PAGE_SIZE) < 0)
        return -errno;
    un.index = q.offset;
    un.count = q.count;
    return ioctl(g->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un) < 0 ? -errno : 0;
}
