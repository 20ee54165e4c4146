/*
 * The device layer: a guest's vifs and vbds, served by Dom0's netback and
 * blkback (xl-inventory A1(c), A1(d)). A device is a frontend directory
 * (/local/domain/<domid>/device/<kind>/<devid>, owned by the guest) and a
 * backend directory (/local/domain/0/backend/<kind>/<domid>/<devid>, owned
 * by Dom0), written in one transaction; the backend driver answers with
 * XenbusStateInitWait (xen/io/xenbus.h), then the hotplug script in
 * /etc/xen/scripts finishes the Dom0 side and reports hotplug-status.
 *
 * Every failing function prints ONE line naming the device and the cause
 * ("xl create: vif 0 of 'web': bridge xenbr1 does not exist (hotplug
 * script vif-bridge)") and leaves nothing of that device behind.
 */
#ifndef DOM_DEV_H
#define DOM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dom.h"
#include "xl_types.h"

/* How long a backend may take to reach InitWait or Closed, and a script to finish. */
#define DOM_DEV_BACKEND_MS 10000
#define DOM_DEV_SCRIPT_MS 30000
#define DOM_DEV_HOTPLUG_LOG "/var/log/xen/xen-hotplug.log"
#define DOM_DEV_SCRIPT_LOCK "/run/xen/xl-hotplug.lock"

enum dom_dev_kind { DOM_DEV_VIF, DOM_DEV_VBD };

/* One xenstore node of a device: a directory with its permissions, or a value. */
struct dom_dev_node {
    char path[128];
    char value[256];
    bool dir;               /* mkdir + perms {owner, none}, {reader, read} */
    uint32_t owner, reader; /* meaningful for dir */
};

struct dom_dev_plan {
    struct dom_dev_node *n;
    size_t count, cap;
};

void dom_dev_plan_free(struct dom_dev_plan *pl);

/*
 * The nodes of a vif (nic->devid and nic->mac set) or a vbd, in libxl's
 * key set; pure, for the unit tests. 0, or -1 with why set.
 */
int dom_dev_vif_plan(struct dom_dev_plan *pl, uint32_t backend, uint32_t domid,
                     const struct xl_nic *nic, const char **why);
int dom_dev_vbd_plan(struct dom_dev_plan *pl, uint32_t backend, uint32_t domid,
                     const struct xl_disk *disk, const char *type, const char **why);

/* The backend type node of a disk: "file" for a regular file (a loop device), else "phy". */
const char *dom_dev_vbd_type(const char *target);

/* The next free devid: one above the highest of names[] (decimal), 0 for none. */
long dom_dev_next_devid(char *const *names, unsigned n);

/* Pre-flight checks that read the host; the roots let tests fake /sys. */
int dom_dev_check_bridge(const char *sys_class_net, const char *bridge, char *why, size_t len);

/* A disk target already given to a domain, as the vbd backends record it. */
struct dom_dev_use {
    uint32_t domid;
    const char *params; /* the target */
    bool writable;
};
/* Index of the use that forbids giving target (writable or not) again, or -1. */
int dom_dev_sharing_conflict(const struct dom_dev_use *uses, size_t n, const char *target,
                             bool writable);

/* Before the domain exists: bridges, targets, sharing (dom_create's preflight). */
int dom_dev_preflight(struct dom_ctx *c, const struct dom_params *p);
/* All of p's devices, each up (hotplug-status connected) before this returns. */
int dom_dev_add_all(struct dom_ctx *c, uint32_t domid, const struct dom_params *p);
/* One device on a domain, created or running (xl network-attach, block-attach); nic->mac set. */
int dom_dev_vif_add(struct dom_ctx *c, uint32_t domid, const char *dname,
                    const struct xl_nic *nic);
int dom_dev_vbd_add(struct dom_ctx *c, uint32_t domid, const char *dname,
                    const struct xl_disk *disk);
/*
 * Removes a device. graceful: the backend is asked to close (state Closing)
 * and the frontend given DOM_DEV_BACKEND_MS to close (hot detach); else the
 * domain is dead or dying and the nodes simply go. Then the script runs
 * with offline/remove and both directories are removed.
 */
int dom_dev_remove(struct dom_ctx *c, uint32_t domid, enum dom_dev_kind kind, unsigned devid,
                   bool graceful);
/* The backend directory of Dom0's devices of a kind for domid. */
void dom_dev_backend_dir(enum dom_dev_kind kind, uint32_t domid, char *buf, size_t size);
/*
 * Every vif and vbd Dom0 serves to domid (dom_destroy; missing nodes are
 * fine): lists[kind] is the directory of dom_dev_backend_dir(kind) as
 * xs_ask_many read it (NULL: none), lens[kind] its length.
 */
void dom_dev_remove_all(struct dom_ctx *c, uint32_t domid, char *const lists[2],
                        const size_t lens[2]);

#endif
