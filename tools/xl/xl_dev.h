/*
 * Device specs: the vif spec (xl-network-configuration(5)) and the disk spec
 * (xl-disk-configuration(5)). Both report `file:line:col: error: ...` when
 * the spec came from a config file (loc = the string value), or
 * `xl: error: ...` from the command line (loc NULL).
 */
#ifndef XL_DEV_H
#define XL_DEV_H

#include <stdio.h>

#include "xl_cfg.h"
#include "xl_types.h"

#define XL_SCRIPT_DIR "/etc/xen/scripts"
#define XL_DEFAULT_BRIDGE "xenbr0"
#define XL_DEFAULT_VIF_SCRIPT "vif-bridge"

/* Parses spec into nic (initialised by the caller, devid = its index). */
int xl_vif_parse(struct xl_nic *nic, const char *spec, const struct xl_loc *loc, FILE *diag);
/* The defaults libxl gives an unset bridge, script and nictype. 0 or -1 (no memory). */
int xl_vif_defaults(struct xl_nic *nic);
/* "RATE/s[@INTERVAL]": 0, or -1 with *why set. */
int xl_vif_parse_rate(const char *s, long long *bytes_per_interval, long long *usecs,
                      const char **why);
int xl_vif_valid_mac(const char *mac, const char **why);
/* A random unicast MAC in Xen's OUI 00:16:3e (xl-network-configuration(5)). */
int xl_vif_generate_mac(char out[18]);
/* A script name relative to XL_SCRIPT_DIR becomes absolute; malloc'ed. */
char *xl_script_path(const char *script);

int xl_disk_parse(struct xl_disk *disk, const char *spec, const struct xl_loc *loc, FILE *diag);
/* Unset format (raw; empty without a target) and backend, as libxl picks them. */
void xl_disk_defaults(struct xl_disk *disk);
/* xen-vbd-interface(7): "xvda" -> 51712; -1 if not a virtual disk name. */
long xl_vdev_to_number(const char *vdev);

#endif
