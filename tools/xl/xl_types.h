/*
 * The one description of a domain's configuration (design.md, "Toolstack":
 * config types are described once). Every field is one row of an X-macro:
 *
 *   X(member, kind, group, json, cfgkey, def, min, max, xml)
 *
 *   member  C member of the generated struct
 *   kind    XT_* below: the C type, the xl.cfg conversion and validation,
 *           the JSON representation
 *   group   JSON sub-object inside the section ("sched_params", "type.pv")
 *           or NULL
 *   json    JSON name, as libxl_types.idl names it (the stored config is
 *           libxl's JSON, so `xl list -l` stays byte-compatible)
 *   cfgkey  xl.cfg key filled directly from a setting, or NULL when the key is
 *           derived (vcpus, cmdline, vif, disk: xl_cfg_domain.c)
 *   def     value of a numeric field when unset; a field equal to it is left
 *           out of the JSON (gentypes.py omits fields equal to the IDL default)
 *   min,max range accepted from xl.cfg for XT_INT
 *   xml     libvirt domain XML path ("elem/elem" = text, "elem@attr" = an
 *           attribute), or NULL when the XML converter handles it itself
 *
 * xl_types.c, xl_json.c, xl_xml.c and xl_cfg_domain.c walk these tables;
 * adding a key is adding a row.
 */
#ifndef XL_TYPES_H
#define XL_TYPES_H

#include <stddef.h>
#include <stdint.h>

enum xl_kind {
    XT_STR,      /* char *, any text */
    XT_NAME,     /* char *, a domain name: xl_valid_name() */
    XT_UUID,     /* char *, canonical 36-character form */
    XT_INT,      /* long long */
    XT_MEMKB,    /* long long KiB; xl.cfg gives MiB (xl.cfg(5) "memory") */
    XT_COUNTMAP, /* long long n; JSON: the bitmap [0 .. n-1] (avail_vcpus) */
    XT_CPUMAP,   /* char *, "0-3,^2" (xl.cfg(5) "cpus"); JSON: the set bits */
    XT_DEFBOOL,  /* int, -1 = default; JSON "True"/"False" (libxl_defbool) */
    XT_STRLIST,  /* char **, NULL-terminated */
    XT_ACTION,   /* int, enum xl_action */
    XT_DOMTYPE,  /* int, enum xl_domtype */
    XT_NICTYPE,  /* int, enum xl_nictype */
    XT_BACKEND,  /* int, enum xl_disk_backend */
    XT_FORMAT,   /* int, enum xl_disk_format */
    XT_TSCMODE,  /* int, enum xl_tsc_mode */
    XT_EMPTYOBJ, /* no data; JSON {} (libxl prints "arch_arm": {} on x86) */
};

/* libxl_action_on_shutdown, in libxl's order (1-based as the IDL). */
enum xl_action {
    XL_ACTION_DESTROY = 1,
    XL_ACTION_RESTART,
    XL_ACTION_RENAME_RESTART,
    XL_ACTION_PRESERVE,
    XL_ACTION_COREDUMP_DESTROY,
    XL_ACTION_COREDUMP_RESTART,
    XL_ACTION_SOFT_RESET,
};

enum xl_domtype { XL_DOMTYPE_INVALID, XL_DOMTYPE_HVM, XL_DOMTYPE_PV, XL_DOMTYPE_PVH };
enum xl_nictype { XL_NICTYPE_UNKNOWN, XL_NICTYPE_VIF_IOEMU, XL_NICTYPE_VIF };
enum xl_disk_backend {
    XL_BACKEND_UNKNOWN,
    XL_BACKEND_PHY,
    XL_BACKEND_TAP,
    XL_BACKEND_QDISK,
    XL_BACKEND_STANDALONE,
};
/* libxl_tsc_mode (xl.cfg(5) "tsc_mode"). */
enum xl_tsc_mode {
    XL_TSC_DEFAULT,
    XL_TSC_ALWAYS_EMULATE,
    XL_TSC_NATIVE,
    XL_TSC_NATIVE_PARAVIRT,
};
enum xl_disk_format {
    XL_FORMAT_UNKNOWN,
    XL_FORMAT_QCOW,
    XL_FORMAT_QCOW2,
    XL_FORMAT_VHD,
    XL_FORMAT_RAW,
    XL_FORMAT_EMPTY,
    XL_FORMAT_QED,
};

#define XL_CTYPE(kind) XL_CTYPE_##kind
#define XL_CTYPE_XT_STR char *
#define XL_CTYPE_XT_NAME char *
#define XL_CTYPE_XT_UUID char *
#define XL_CTYPE_XT_INT long long
#define XL_CTYPE_XT_MEMKB long long
#define XL_CTYPE_XT_COUNTMAP long long
#define XL_CTYPE_XT_CPUMAP char *
#define XL_CTYPE_XT_DEFBOOL int
#define XL_CTYPE_XT_STRLIST char **
#define XL_CTYPE_XT_ACTION int
#define XL_CTYPE_XT_DOMTYPE int
#define XL_CTYPE_XT_NICTYPE int
#define XL_CTYPE_XT_BACKEND int
#define XL_CTYPE_XT_FORMAT int
#define XL_CTYPE_XT_TSCMODE int
#define XL_CTYPE_XT_EMPTYOBJ char



/* libxl_domain_create_info (c_info). */
#define XL_C_INFO_FIELDS(X)                                                                  \
    X(type, XT_DOMTYPE, NULL, "type", NULL, XL_DOMTYPE_INVALID, 0, 0, NULL)            \
    X(name, XT_NAME, NULL, "name", "name", 0, 0, 0, "name")                            \
    X(uuid, XT_UUID, NULL, "uuid", "uuid", 0, 0, 0, "uuid")                            \
    X(ssid_label, XT_STR, NULL, "ssid_label", "seclabel", 0, 0, 0, "seclabel/label")   \
    X(pool_name, XT_STR, NULL, "pool_name", "pool", 0, 0, 0, NULL)                     \
    X(driver_domain, XT_DEFBOOL, NULL, "driver_domain", "driver_domain", -1, 0, 0, NULL)

/* libxl_domain_build_info (b_info), the fields a PV guest uses. */
#define XL_B_INFO_FIELDS(X)                                                                  \
    X(max_vcpus, XT_INT, NULL, "max_vcpus", "maxvcpus", 0, 1, 4096, NULL)                    \
    X(avail_vcpus, XT_COUNTMAP, NULL, "avail_vcpus", NULL, 0, 0, 0, NULL)              \
    X(cpumap, XT_CPUMAP, NULL, "cpumap", "cpus", 0, 0, 0, "vcpu@cpuset")               \
    X(max_memkb, XT_MEMKB, NULL, "max_memkb", "maxmem", 0, 0, 0, NULL)                 \
    X(target_memkb, XT_MEMKB, NULL, "target_memkb", "memory", 0, 0, 0, NULL)           \
    X(localtime, XT_DEFBOOL, NULL, "localtime", "localtime", -1, 0, 0, NULL)           \
    X(disable_migrate, XT_DEFBOOL, NULL, "disable_migrate", "nomigrate", -1, 0, 0, NULL) \
    X(max_grant_frames, XT_INT, NULL, "max_grant_frames", "max_grant_frames", 0, 1,          \
      0x7fffffff, NULL)                                                                      \
    X(max_maptrack_frames, XT_INT, NULL, "max_maptrack_frames", "max_maptrack_frames", 0, 0, \
      0x7fffffff, NULL)                                                                      \
    X(event_channels, XT_INT, NULL, "event_channels", "max_event_channels", 0, 1,            \
      0x7fffffff, NULL)                                                                      \
    X(max_grant_version, XT_INT, NULL, "max_grant_version", "max_grant_version", -1, 1, 2,   \
      NULL)                                                                                  \
    X(tsc_mode, XT_TSCMODE, NULL, "tsc_mode", "tsc_mode", XL_TSC_DEFAULT, 0, 0, NULL)        \
    X(sched_weight, XT_INT, "sched_params", "weight", "cpu_weight", 0, 1, 65535,             \
      "cputune/shares")                                                                      \
    X(sched_cap, XT_INT, "sched_params", "cap", "cap", 0, 0, 25600, NULL)                    \
    X(kernel, XT_STR, NULL, "kernel", "kernel", 0, 0, 0, "os/kernel")                  \
    X(cmdline, XT_STR, NULL, "cmdline", NULL, 0, 0, 0, "os/cmdline")                   \
    X(ramdisk, XT_STR, NULL, "ramdisk", "ramdisk", 0, 0, 0, "os/initrd")               \
    X(bootloader, XT_STR, "type.pv", "bootloader", "bootloader", 0, 0, 0, "bootloader") \
    X(bootloader_args, XT_STRLIST, "type.pv", "bootloader_args", "bootloader_args", 0,       \
      0, 0, NULL)                                                                      \
    X(e820_host, XT_DEFBOOL, "type.pv", "e820_host", "e820_host", -1, 0, 0, NULL)      \
    X(arch_arm, XT_EMPTYOBJ, NULL, "arch_arm", NULL, 0, 0, 0, NULL)

/*
 * libxl_device_nic: the vif spec's keys (xl-network-configuration(5)) are
 * the cfgkey column; xl_vif.c parses them.
 */
#define XL_NIC_FIELDS(X)                                                                     \
    X(backend_domname, XT_STR, NULL, "backend_domname", "backend", 0, 0, 0,            \
      "backenddomain@name")                                                                  \
    X(devid, XT_INT, NULL, "devid", "devid", -1, 0, 65535, NULL)                             \
    X(mtu, XT_INT, NULL, "mtu", "mtu", 0, 68, 65535, "mtu@size")                             \
    X(model, XT_STR, NULL, "model", "model", 0, 0, 0, "model@type")                    \
    X(mac, XT_STR, NULL, "mac", "mac", 0, 0, 0, "mac@address")                         \
    X(ip, XT_STR, NULL, "ip", "ip", 0, 0, 0, "ip@address")                             \
    X(bridge, XT_STR, NULL, "bridge", "bridge", 0, 0, 0, "source@bridge")              \
    X(ifname, XT_STR, NULL, "ifname", "vifname", 0, 0, 0, "target@dev")                \
    X(script, XT_STR, NULL, "script", "script", 0, 0, 0, "script@path")                \
    X(nictype, XT_NICTYPE, NULL, "nictype", NULL, XL_NICTYPE_UNKNOWN, 0, 0, NULL)      \
    X(rate_bytes_per_interval, XT_INT, NULL, "rate_bytes_per_interval", NULL, 0, 0,          \
      0xffffffffLL, NULL)                                                                    \
    X(rate_interval_usecs, XT_INT, NULL, "rate_interval_usecs", NULL, 0, 0, 0xffffffffLL,    \
      NULL)                                                                                  \
    X(gatewaydev, XT_STR, NULL, "gatewaydev", "gatewaydev", 0, 0, 0, NULL)             \
    X(trusted, XT_DEFBOOL, NULL, "trusted", NULL, -1, 0, 0, NULL)

/* libxl_device_disk (xl-disk-configuration(5)); xl_disk.c parses the spec. */
#define XL_DISK_FIELDS(X)                                                                    \
    X(backend_domname, XT_STR, NULL, "backend_domname", "backend", 0, 0, 0,            \
      "backenddomain@name")                                                                  \
    X(pdev_path, XT_STR, NULL, "pdev_path", "target", 0, 0, 0, NULL)                   \
    X(vdev, XT_STR, NULL, "vdev", "vdev", 0, 0, 0, "target@dev")                       \
    X(backend, XT_BACKEND, NULL, "backend", "backendtype", XL_BACKEND_UNKNOWN, 0, 0,   \
      NULL)                                                                                  \
    X(format, XT_FORMAT, NULL, "format", "format", XL_FORMAT_UNKNOWN, 0, 0, NULL)      \
    X(script, XT_STR, NULL, "script", "script", 0, 0, 0, "script@path")                \
    X(removable, XT_INT, NULL, "removable", NULL, 0, 0, 1, NULL)                       \
    X(readwrite, XT_INT, NULL, "readwrite", NULL, 0, 0, 1, NULL)                       \
    X(is_cdrom, XT_INT, NULL, "is_cdrom", NULL, 0, 0, 1, NULL)                         \
    X(direct_io_safe, XT_INT, NULL, "direct_io_safe", NULL, 0, 0, 1, NULL)             \
    X(discard_enable, XT_DEFBOOL, NULL, "discard_enable", NULL, -1, 0, 0, NULL)        \
    X(trusted, XT_DEFBOOL, NULL, "trusted", NULL, -1, 0, 0, NULL)

/* The top level of libxl_domain_config after the device arrays. */
#define XL_ACTION_FIELDS(X)                                                                  \
    X(on_poweroff, XT_ACTION, NULL, "on_poweroff", "on_poweroff", XL_ACTION_DESTROY,         \
      0, 0, "on_poweroff")                                                             \
    X(on_reboot, XT_ACTION, NULL, "on_reboot", "on_reboot", XL_ACTION_DESTROY, 0, 0,   \
      "on_reboot")                                                                           \
    X(on_watchdog, XT_ACTION, NULL, "on_watchdog", "on_watchdog", XL_ACTION_DESTROY,         \
      0, 0, NULL)                                                                      \
    X(on_crash, XT_ACTION, NULL, "on_crash", "on_crash", XL_ACTION_DESTROY, 0, 0,      \
      "on_crash")                                                                            \
    X(on_soft_reset, XT_ACTION, NULL, "on_soft_reset", "on_soft_reset", XL_ACTION_DESTROY,   \
      0, 0, NULL)

#define XL_MEMBER(member, kind, group, json, cfgkey, def, min, max, xml) XL_CTYPE(kind) member;

struct xl_c_info {
    XL_C_INFO_FIELDS(XL_MEMBER)
};
struct xl_b_info {
    XL_B_INFO_FIELDS(XL_MEMBER)
};
struct xl_nic {
    XL_NIC_FIELDS(XL_MEMBER)
};
struct xl_disk {
    XL_DISK_FIELDS(XL_MEMBER)
};
struct xl_actions {
    XL_ACTION_FIELDS(XL_MEMBER)
};

struct xl_domain_config {
    struct xl_c_info c_info;
    struct xl_b_info b_info;
    struct xl_disk *disks;
    size_t num_disks;
    struct xl_nic *nics;
    size_t num_nics;
    struct xl_actions act;
};

/* A row of the description, as the generic walkers see it. */
struct xl_field {
    const char *member;
    enum xl_kind kind;
    const char *group;
    const char *json;
    const char *cfgkey;
    long long def;
    long long min, max;
    const char *xml;
    size_t offset;
};

struct xl_section {
    const char *json; /* "c_info", "b_info", ... or NULL for the top level */
    const struct xl_field *fields;
    size_t n;
};

extern const struct xl_section xl_c_info_section, xl_b_info_section, xl_nic_section,
    xl_disk_section, xl_action_section;

#define XL_FIELD_PTR(obj, f) ((void *)((char *)(obj) + (f)->offset))

/* Sets every field of obj to its default (NULL strings, def for numbers). */
void xl_section_init(const struct xl_section *s, void *obj);
void xl_section_free(const struct xl_section *s, void *obj);
/* Deep copy; returns 0 or -1 (out of memory, dst then freed back to defaults). */
int xl_section_copy(const struct xl_section *s, void *dst, const void *src);
int xl_field_is_default(const struct xl_field *f, const void *obj);
const struct xl_field *xl_section_field(const struct xl_section *s, const char *member);

void xl_config_init(struct xl_domain_config *c);
void xl_config_dispose(struct xl_domain_config *c);
struct xl_nic *xl_config_add_nic(struct xl_domain_config *c);
struct xl_disk *xl_config_add_disk(struct xl_domain_config *c);

/* Enum <-> libxl's lower-case names; the lookup returns -1 for an unknown name. */
const char *xl_enum_name(enum xl_kind kind, int value);
int xl_enum_value(enum xl_kind kind, const char *name);
/* The names a kind accepts, NULL-terminated, for error messages. */
const char *const *xl_enum_names(enum xl_kind kind);

/* xl.cfg(5) "name": not empty, no '/', not all digits (it would read as a domid). */
int xl_valid_name(const char *name, const char **why);
int xl_valid_uuid(const char *s);
/* UUIDs are kept in lower case, as libuuid prints them, whatever the input. */
void xl_uuid_lower(char *s);
/* "0-3,^2" into a bit set; returns the highest CPU + 1 or -1 if malformed. */
int xl_cpumap_parse(const char *s, unsigned char *bits, size_t nbits);

#endif
