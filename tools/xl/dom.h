/*
 * Domain lifecycle for xl: create (build + xenstore + introduce), destroy
 * with its clean-up, shutdown requests, name lookup, and the monitor that
 * carries out on_poweroff/on_reboot/on_crash. What libxl does for xl, cut
 * to the PV guests Xenolith runs. Every function prints its own error
 * (one line: what, which domain or file, why) and returns -1 on failure.
 */
#ifndef DOM_H
#define DOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xc.h"
#include "xs_client.h"

struct xl_nic;
struct xl_disk;

struct dom_ctx {
    xc_t *xc;
    struct xs *xs;
    const char *prog; /* prefix of error messages, e.g. "xl create" */
    /* dom_monitor: set the nice value back to act_nice before it acts (spawn_monitor). */
    bool reniced;
    int act_nice;
};

/* The actions of xl.cfg(5) on_poweroff/on_reboot/on_crash/on_watchdog. */
enum dom_action {
    DOM_DESTROY = 1,
    DOM_RESTART,
    DOM_RENAME_RESTART,
    DOM_PRESERVE,
    DOM_COREDUMP_DESTROY,
    DOM_COREDUMP_RESTART,
    DOM_SOFT_RESET,
};

/* What building a PV domain takes, from the parsed configuration. */
struct dom_params {
    const char *name;
    uint8_t uuid[16];
    unsigned max_vcpus, vcpus;
    uint64_t max_kib, target_kib;
    const char *kernel, *ramdisk, *cmdline;
    /* Indexed by SHUTDOWN_* of public/sched.h: poweroff, reboot, suspend, crash, watchdog. */
    enum dom_action on_shutdown[5];
    const char *config_json; /* stored for `xl list -l`; may be NULL */
    /* The vifs (devid and MAC set) and disks, plugged before unpause (dom_dev.h). */
    const struct xl_nic *nics;
    size_t num_nics;
    const struct xl_disk *disks;
    size_t num_disks;
    bool paused;             /* leave it paused (xl create -p) */
};

/* Opens privcmd and xenstore; prints why not. */
int dom_ctx_open(struct dom_ctx *c, const char *prog);
void dom_ctx_close(struct dom_ctx *c);

/* A domain given by id or name (xl(1) "domain-id"); prints why not. */
int dom_lookup(struct dom_ctx *c, const char *what, uint32_t *domid);
/* The name in /local/domain/<id>/name ("Domain-0" for 0 when unset); malloc'd. */
char *dom_name(struct dom_ctx *c, uint32_t domid);
/* The live domain called name; -1 (quietly) when none is. */
int dom_find_name(struct dom_ctx *c, const char *name, uint32_t *domid);
int dom_rename(struct dom_ctx *c, uint32_t domid, const char *name);

/* Creates and starts (unless p->paused) a domain; on failure nothing is left. */
int dom_create(struct dom_ctx *c, const struct dom_params *p, uint32_t *domid);
/* Kills the domain and removes its xenstore nodes and stored config. */
int dom_destroy(struct dom_ctx *c, uint32_t domid);
/* Asks the guest to shut down (control/shutdown = "poweroff"|"reboot"|...). */
int dom_request(struct dom_ctx *c, uint32_t domid, const char *request);

/*
 * Watches the domain until it is gone, doing what p->on_shutdown says
 * when it shuts down (restart builds it again: *domid follows). Returns 0
 * when the domain is gone or preserved.
 */
int dom_monitor(struct dom_ctx *c, const struct dom_params *p, uint32_t *domid);

/* Where the configuration of a running domain is kept. */
#define DOM_USERDATA_DIR "/var/lib/xen"
char *dom_userdata_path(struct dom_ctx *c, uint32_t domid);

#endif
