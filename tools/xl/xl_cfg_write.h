/* The domain configuration written as an xl.cfg file (xl_cfg_write.c). */
#ifndef XL_CFG_WRITE_H
#define XL_CFG_WRITE_H

#include "xl_types.h"

/* xl.cfg text that xl_config_from_cfg reads back to the same config; malloc'd. */
char *xl_cfg_format(const struct xl_domain_config *c);
/* The vif and disk specs of one device, as a vif=/disk= entry; malloc'd. */
char *xl_vif_format(const struct xl_nic *nic);
char *xl_disk_format(const struct xl_disk *disk);

#endif
