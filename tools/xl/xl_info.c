/*
 * Commands that report on the host and its domains (xl(1)): list, vm-list,
 * info, dmesg, domid, domname, uptime, vcpu-list. Output formats are
 * Xen's xl's, byte for byte where scripts parse them (xl-inventory A1(a)).
 */
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "dom.h"
#include "xl.h"
#include "xl_json.h"
#include <xen/sched.h>
#include <xen/memory.h>
#include <xen/version.h>

#define MAX_DOMS 1024

/* Options with a flag per letter in *flags (bit = letter - 'a'). */
static int check_flags(int argc, char **argv, const char *opts, int min, int max,
                       const char *cmd, unsigned *flags)
{
    int c, n;

    *flags = 0;
    while ((c = xl_getopt(argc, argv, opts, cmd)) != -1) {
        if (c == 0 || c == 2)
            return c == 0 ? 0 : 1;
        if (c >= 'a' && c <= 'z')
            *flags |= 1u << (c - 'a');
        else if (c == 'Z')
            *flags |= 1u << 26;
    }
    n = argc - optind;
    if (n < min || (max >= 0 && n > max))
        return xl_usage_error(cmd, n < min ? "too few arguments" : "too many arguments");
    return -1;
}
#define FLAG(f, ch) (((f) >> ((ch) - 'a')) & 1)

/* All domains, or those named on the command line (in that order). */
static int collect(struct dom_ctx *dc, int argc, char **argv,
                   struct xen_domctl_getdomaininfo *info, int *n)
{
    *n = 0;
    if (argc == 0) {
        int got = xc_domain_list(dc->xc, 0, info, MAX_DOMS);

        if (got < 0) {
            fprintf(stderr, "%s: cannot list domains: %s\n", dc->prog, xc_last_error(dc->xc));
            return -1;
        }
        *n = got;
        return 0;
    }
    for (int i = 0; i < argc && *n < MAX_DOMS; i++) {
        uint32_t domid;

        if (dom_lookup(dc, argv[i], &domid) || xc_domain_info(dc->xc, domid, &info[*n]))
            return -1;
        (*n)++;
    }
    return 0;
}

static void print_list_row(struct dom_ctx *dc, const struct xen_domctl_getdomaininfo *d,
                           bool verbose)
{
    static const char reasons[] = "-rscwS"; /* SHUTDOWN_* of public/sched.h, in order */
    unsigned shutdown = d->flags & XEN_DOMINF_shutdown;
    unsigned reason = shutdown ? (d->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask
                               : 0;
    char *name = dom_name(dc, d->domain);

    printf("%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f", name ? name : "(null)", d->domain,
           (unsigned long)(d->tot_pages * 4 / 1024), d->nr_online_vcpus,
           d->flags & XEN_DOMINF_running ? 'r' : '-', d->flags & XEN_DOMINF_blocked ? 'b' : '-',
           d->flags & XEN_DOMINF_paused ? 'p' : '-', shutdown ? 's' : '-',
           reason < sizeof(reasons) - 1 ? reasons[reason] : '?',
           d->flags & XEN_DOMINF_dying ? 'd' : '-', (double)d->cpu_time / 1e9);
    if (verbose) {
        char uuid[37];

        uuid_unparse_lower(d->handle, uuid);
        printf(" %s", uuid);
        if (shutdown)
            printf(" %8x", reason);
        else
            printf(" %8s", "-");
        printf(" %16s", "-");
    }
    printf("\n");
    free(name);
}

/* `xl list -l`: the stored configuration of each domain that has one (libxl's JSON). */
static int print_list_long(struct dom_ctx *dc, const struct xen_domctl_getdomaininfo *info, int n)
{
    struct xl_domain_config *cfgs = calloc((size_t)n, sizeof(*cfgs));
    const struct xl_domain_config **ptrs = calloc((size_t)n, sizeof(*ptrs));
    long *ids = calloc((size_t)n, sizeof(*ids));
    int k = 0, rc = 1;
    char *json = NULL;

    if (!cfgs || !ptrs || !ids)
        goto out;
    for (int i = 0; i < n; i++) {
        char *path = dom_userdata_path(dc, info[i].domain);

        xl_config_init(&cfgs[k]);
        if (path && access(path, R_OK) == 0 && xl_load_config(&cfgs[k], path, NULL, 0, stderr) == 0) {
            ptrs[k] = &cfgs[k];
            ids[k] = info[i].domain;
            k++;
        } else {
            xl_config_dispose(&cfgs[k]);
        }
        free(path);
    }
    json = xl_json_domain_list(ptrs, ids, (size_t)k);
    if (json) {
        fputs(json, stdout);
        rc = 0;
    }
out:
    for (int i = 0; i < k; i++)
        xl_config_dispose(&cfgs[i]);
    free(json);
    free(cfgs);
    free(ptrs);
    free(ids);
    return rc;
}

int main_list(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo *info = calloc(MAX_DOMS, sizeof(*info));
    struct dom_ctx dc;
    unsigned f;
    int n, rc = check_flags(argc, argv, "lvZcn", 0, -1, "list", &f);

    if (rc >= 0 || !info) {
        free(info);
        return rc >= 0 ? rc : 1;
    }
    if (dom_ctx_open(&dc, "xl list")) {
        free(info);
        return 1;
    }
    rc = 1;
    if (collect(&dc, argc - optind, argv + optind, info, &n))
        goto out;
    if (FLAG(f, 'l')) {
        rc = print_list_long(&dc, info, n);
        goto out;
    }
    printf("Name                                        ID   Mem VCPUs\tState\tTime(s)");
    if (FLAG(f, 'v'))
        printf("   UUID                            Reason-Code\tSecurity Label");
    printf("\n");
    for (int i = 0; i < n; i++)
        print_list_row(&dc, &info[i], FLAG(f, 'v'));
    rc = 0;
out:
    dom_ctx_close(&dc);
    free(info);
    return rc;
}

int main_vm_list(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo *info = calloc(MAX_DOMS, sizeof(*info));
    struct dom_ctx dc;
    int n, rc = xl_operands(argc, argv, "", 0, 0, "vm-list");

    if (rc >= 0 || !info || dom_ctx_open(&dc, "xl vm-list")) {
        free(info);
        return rc >= 0 ? rc : 1;
    }
    rc = 1;
    if (collect(&dc, 0, NULL, info, &n) == 0) {
        printf("UUID                                  ID    name\n");
        for (int i = 0; i < n; i++) {
            char uuid[37], *name;

            if (info[i].domain == 0)
                continue;
            name = dom_name(&dc, info[i].domain);
            uuid_unparse_lower(info[i].handle, uuid);
            printf("%s  %d    %-30s\n", uuid, info[i].domain, name ? name : "(null)");
            free(name);
        }
        rc = 0;
    }
    dom_ctx_close(&dc);
    free(info);
    return rc;
}

/* `xl info`'s lines, in Xen's order; `xl info FIELD` prints one value. */
struct info_line {
    const char *name;
    char value[1024];
};

static struct info_line *info_add(struct info_line *lines, int *n, const char *name,
                                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static struct info_line *info_add(struct info_line *lines, int *n, const char *name,
                                  const char *fmt, ...)
{
    va_list ap;

    lines[*n].name = name;
    va_start(ap, fmt);
    vsnprintf(lines[*n].value, sizeof(lines[*n].value), fmt, ap);
    va_end(ap);
    return &lines[(*n)++];
}

static const char *scheduler_name(unsigned id)
{
    switch (id) {
    case XEN_SCHEDULER_CREDIT: return "credit";
    case XEN_SCHEDULER_CREDIT2: return "credit2";
    case XEN_SCHEDULER_ARINC653: return "arinc653";
    case XEN_SCHEDULER_RTDS: return "rtds";
    case XEN_SCHEDULER_NULL: return "null";
    }
    return "unknown";
}

/* XENMEM_get_sharing_{freed,shared}_pages (public/memory.h): pages; 0 without sharing. */
static uint64_t sharing_pages(xc_t *xc, unsigned cmd)
{
    long rc = xc_hypercall(xc, __HYPERVISOR_memory_op, cmd, 0, 0, 0, 0);

    return rc > 0 ? (uint64_t)rc : 0;
}

static void info_host(struct info_line *l, int *n, const struct xen_sysctl_physinfo *p, xc_t *xc)
{
    struct utsname u;
    uint32_t c = p->capabilities;

    uname(&u);
    info_add(l, n, "host", "%s", u.nodename);
    info_add(l, n, "release", "%s", u.release);
    info_add(l, n, "version", "%s", u.version);
    info_add(l, n, "machine", "%s", u.machine);
    info_add(l, n, "nr_cpus", "%u", p->nr_cpus);
    info_add(l, n, "max_cpu_id", "%u", p->max_cpu_id);
    info_add(l, n, "nr_nodes", "%u", p->nr_nodes);
    info_add(l, n, "cores_per_socket", "%u", p->cores_per_socket);
    info_add(l, n, "threads_per_core", "%u", p->threads_per_core);
    info_add(l, n, "cpu_mhz", "%u.%03u", p->cpu_khz / 1000, p->cpu_khz % 1000);
    info_add(l, n, "hw_caps", "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x", p->hw_cap[0],
             p->hw_cap[1], p->hw_cap[2], p->hw_cap[3], p->hw_cap[4], p->hw_cap[5], p->hw_cap[6],
             p->hw_cap[7]);
    /* xl prints the words with a leading space each, after "virt_caps :" */
    info_add(l, n, "virt_caps", "%s%s%s%s%s%s%s%s%s%s%s",
             c & XEN_SYSCTL_PHYSCAP_pv ? " pv" : "", c & XEN_SYSCTL_PHYSCAP_hvm ? " hvm" : "",
             (c & XEN_SYSCTL_PHYSCAP_hvm) && (c & XEN_SYSCTL_PHYSCAP_directio) ? " hvm_directio"
                                                                                : "",
             (c & XEN_SYSCTL_PHYSCAP_pv) && (c & XEN_SYSCTL_PHYSCAP_directio) ? " pv_directio"
                                                                               : "",
             c & XEN_SYSCTL_PHYSCAP_hap ? " hap" : "", c & XEN_SYSCTL_PHYSCAP_shadow ? " shadow" : "",
             c & XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share ? " iommu_hap_pt_share" : "",
             c & XEN_SYSCTL_PHYSCAP_vmtrace ? " vmtrace" : "",
             c & XEN_SYSCTL_PHYSCAP_vpmu ? " vpmu" : "",
             c & XEN_SYSCTL_PHYSCAP_gnttab_v1 ? " gnttab-v1" : "",
             c & XEN_SYSCTL_PHYSCAP_gnttab_v2 ? " gnttab-v2" : "");
    /* Memory in MiB: pages / (1 MiB / 4 KiB). */
    info_add(l, n, "total_memory", "%" PRIu64, p->total_pages / 256);
    info_add(l, n, "free_memory", "%" PRIu64, (p->free_pages - p->outstanding_pages) / 256);
    info_add(l, n, "sharing_freed_memory", "%" PRIu64, sharing_pages(xc, XENMEM_get_sharing_freed_pages) / 256);
    info_add(l, n, "sharing_used_memory", "%" PRIu64, sharing_pages(xc, XENMEM_get_sharing_shared_pages) / 256);
    info_add(l, n, "outstanding_claims", "%" PRIu64, p->outstanding_pages / 256);
    info_add(l, n, "free_cpus", "0");
}

static void info_xen(struct info_line *l, int *n, xc_t *xc)
{
    union {
        xen_extraversion_t extra;
        xen_capabilities_info_t caps;
        xen_changeset_info_t changeset;
        xen_commandline_t cmdline;
        struct xen_compile_info compile;
        struct xen_platform_parameters platform;
        struct {
            struct xen_build_id id;
            unsigned char bytes[256];
        } build;
    } u;
    long ver = xc_version(xc, XENVER_version, NULL, 0);
    unsigned sched = 0;
    long len;
    char *p;

    memset(&u, 0, sizeof(u));
    xc_version(xc, XENVER_extraversion, &u.extra, sizeof(u.extra));
    info_add(l, n, "xen_major", "%ld", ver >> 16);
    info_add(l, n, "xen_minor", "%ld", ver & 0xffff);
    info_add(l, n, "xen_extra", "%.*s", (int)sizeof(u.extra), u.extra);
    info_add(l, n, "xen_version", "%ld.%ld%.*s", ver >> 16, ver & 0xffff, (int)sizeof(u.extra),
             u.extra);
    memset(&u, 0, sizeof(u));
    xc_version(xc, XENVER_capabilities, &u.caps, sizeof(u.caps));
    info_add(l, n, "xen_caps", "%.*s", (int)sizeof(u.caps), u.caps);
    xc_sched_id(xc, &sched);
    info_add(l, n, "xen_scheduler", "%s", scheduler_name(sched));
    info_add(l, n, "xen_pagesize", "%ld", xc_version(xc, XENVER_pagesize, NULL, 0));
    memset(&u, 0, sizeof(u));
    xc_version(xc, XENVER_platform_parameters, &u.platform, sizeof(u.platform));
    info_add(l, n, "platform_params", "virt_start=0x%" PRIx64, (uint64_t)u.platform.virt_start);
    memset(&u, 0, sizeof(u));
    xc_version(xc, XENVER_changeset, &u.changeset, sizeof(u.changeset));
    info_add(l, n, "xen_changeset", "%.*s", (int)sizeof(u.changeset), u.changeset);
    memset(&u, 0, sizeof(u));
    xc_version(xc, XENVER_commandline, &u.cmdline, sizeof(u.cmdline));
    info_add(l, n, "xen_commandline", "%.*s", (int)sizeof(u.cmdline), u.cmdline);
    memset(&u, 0, sizeof(u));
    xc_version(xc, XENVER_compile_info, &u.compile, sizeof(u.compile));
    info_add(l, n, "cc_compiler", "%.*s", (int)sizeof(u.compile.compiler), u.compile.compiler);
    info_add(l, n, "cc_compile_by", "%.*s", (int)sizeof(u.compile.compile_by),
             u.compile.compile_by);
    info_add(l, n, "cc_compile_domain", "%.*s", (int)sizeof(u.compile.compile_domain),
             u.compile.compile_domain);
    info_add(l, n, "cc_compile_date", "%.*s", (int)sizeof(u.compile.compile_date),
             u.compile.compile_date);
    memset(&u, 0, sizeof(u));
    u.build.id.len = sizeof(u.build.bytes);
    p = info_add(l, n, "build_id", "%s", "")->value;
    /* XENVER_build_id answers the length of the id it wrote. */
    len = xc_version(xc, XENVER_build_id, &u.build, sizeof(u.build));
    for (long i = 0; i < len && i < (long)sizeof(u.build.bytes); i++)
        p += sprintf(p, "%02x", u.build.bytes[i]);
}

int main_info(int argc, char **argv)
{
    static struct info_line lines[48];
    struct xen_sysctl_physinfo phys;
    struct dom_ctx dc;
    int n = 0, rc = xl_operands(argc, argv, "nx", 0, 1, "info");
    const char *field = optind < argc ? argv[optind] : NULL;

    if (rc >= 0 || dom_ctx_open(&dc, "xl info"))
        return rc >= 0 ? rc : 1;
    rc = 1;
    if (xc_physinfo(dc.xc, &phys)) {
        fprintf(stderr, "xl info: physinfo failed: %s\n", xc_last_error(dc.xc));
        goto out;
    }
    info_host(lines, &n, &phys, dc.xc);
    info_xen(lines, &n, dc.xc);
    info_add(lines, &n, "xend_config_format", "4");
    for (int i = 0; i < n; i++) {
        if (field && strcmp(field, lines[i].name))
            continue;
        if (field)
            printf("%s\n", lines[i].value + (lines[i].value[0] == ' '));
        else if (!strcmp(lines[i].name, "virt_caps"))
            printf("%-23s:%s\n", lines[i].name, lines[i].value);
        else
            printf("%-23s: %s\n", lines[i].name, lines[i].value);
        rc = 0;
    }
    if (rc)
        fprintf(stderr, "xl info: no field '%s' (xl info lists them)\n", field);
out:
    dom_ctx_close(&dc);
    return rc;
}

int main_dmesg(int argc, char **argv)
{
    enum { DMESG_MAX = 1 << 20 };
    unsigned f;
    struct dom_ctx dc;
    char *buf;
    long len;
    int rc = check_flags(argc, argv, "c", 0, 0, "dmesg", &f);

    if (rc >= 0 || dom_ctx_open(&dc, "xl dmesg"))
        return rc >= 0 ? rc : 1;
    rc = 1;
    buf = malloc(DMESG_MAX);
    len = buf ? xc_readconsole(dc.xc, buf, DMESG_MAX, FLAG(f, 'c')) : -1;
    if (len < 0)
        fprintf(stderr, "xl dmesg: reading the hypervisor's console failed: %s\n",
                xc_last_error(dc.xc));
    else {
        fwrite(buf, 1, (size_t)len, stdout);
        rc = 0;
    }
    free(buf);
    dom_ctx_close(&dc);
    return rc;
}

int main_domid(int argc, char **argv)
{
    struct dom_ctx dc;
    uint32_t domid;
    int rc = xl_operands(argc, argv, "", 1, 1, "domid");

    if (rc >= 0 || dom_ctx_open(&dc, "xl domid"))
        return rc >= 0 ? rc : 1;
    rc = dom_find_name(&dc, argv[optind], &domid);
    if (rc)
        fprintf(stderr, "xl domid: no domain is called '%s'\n", argv[optind]);
    else
        printf("%u\n", domid);
    dom_ctx_close(&dc);
    return rc ? 1 : 0;
}

int main_domname(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo info;
    struct dom_ctx dc;
    char *end, *name = NULL;
    unsigned long id;
    int rc = xl_operands(argc, argv, "", 1, 1, "domname");

    if (rc >= 0)
        return rc;
    id = strtoul(argv[optind], &end, 10);
    if (*end || end == argv[optind] || id >= DOMID_FIRST_RESERVED) {
        fprintf(stderr, "xl domname: '%s': expected a domain id\n", argv[optind]);
        return 1;
    }
    if (dom_ctx_open(&dc, "xl domname"))
        return 1;
    if (xc_domain_info(dc.xc, (uint32_t)id, &info) || !(name = dom_name(&dc, (uint32_t)id)))
        fprintf(stderr, "xl domname: domain %lu does not exist\n", id);
    else
        printf("%s\n", name);
    free(name);
    dom_ctx_close(&dc);
    return name ? 0 : 1;
}

/* "hh:mm:ss", with days in front when there are any (xl's uptime_to_string). */
static void uptime_text(unsigned long s, bool short_mode, char *out, size_t len)
{
    unsigned long day = s / 86400, hour = s % 86400 / 3600, min = s % 3600 / 60, sec = s % 60;
    char days[32] = "";

    if (day)
        snprintf(days, sizeof(days), "%lu day%s, ", day, day > 1 ? "s" : "");
    if (short_mode)
        snprintf(out, len, "%s%2lu:%02lu", days, hour, min);
    else
        snprintf(out, len, "%s%2lu:%02lu:%02lu", days, hour, min, sec);
}

/* Seconds since the domain was created (/vm/<uuid>/start_time), Dom0's from /proc/uptime. */
static long domain_uptime(struct dom_ctx *dc, uint32_t domid, time_t now)
{
    char path[96], *vm, *start = NULL;
    double up = -1;
    FILE *f;

    if (domid == 0) {
        f = fopen("/proc/uptime", "r");
        if (f && fscanf(f, "%lf", &up) != 1)
            up = -1;
        if (f)
            fclose(f);
        return (long)up;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    vm = xs_read(dc->xs, XS_TX_NONE, path, NULL);
    if (vm) {
        snprintf(path, sizeof(path), "%s/start_time", vm);
        start = xs_read(dc->xs, XS_TX_NONE, path, NULL);
    }
    if (start)
        up = (double)now - strtod(start, NULL);
    free(vm);
    free(start);
    return (long)up;
}

int main_uptime(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo *info = calloc(MAX_DOMS, sizeof(*info));
    struct dom_ctx dc;
    unsigned f;
    int n, rc = check_flags(argc, argv, "s", 0, -1, "uptime", &f);
    time_t now = time(NULL);

    if (rc >= 0 || !info || dom_ctx_open(&dc, "xl uptime")) {
        free(info);
        return rc >= 0 ? rc : 1;
    }
    rc = 1;
    if (collect(&dc, argc - optind, argv + optind, info, &n) == 0) {
        if (!FLAG(f, 's'))
            printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
        for (int i = 0; i < n; i++) {
            long up = domain_uptime(&dc, info[i].domain, now);
            char text[64], when[16], *name;

            if (up < 0)
                continue;
            name = dom_name(&dc, info[i].domain);
            uptime_text((unsigned long)up, FLAG(f, 's'), text, sizeof(text));
            if (FLAG(f, 's')) {
                strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
                printf(" %s up %s, %s (%d)\n", when, text, name ? name : "(null)",
                       info[i].domain);
            } else
                printf("%-33s %4d %s\n", name ? name : "(null)", info[i].domain, text);
            free(name);
        }
        rc = 0;
    }
    dom_ctx_close(&dc);
    free(info);
    return rc;
}

/* "all" when every CPU is set, else ranges like "0-1,3" (xl's print_bitmap). */
static void print_cpus(const uint8_t *map, unsigned nr_cpus)
{
    unsigned i, start, count = 0;
    bool first = true;

    for (i = 0; i < nr_cpus; i++)
        count += (map[i / 8] >> (i % 8)) & 1;
    if (count == nr_cpus) {
        printf("all");
        return;
    }
    if (!count) {
        printf("none");
        return;
    }
    for (i = 0; i < nr_cpus; i++) {
        if (!((map[i / 8] >> (i % 8)) & 1))
            continue;
        for (start = i; i + 1 < nr_cpus && ((map[(i + 1) / 8] >> ((i + 1) % 8)) & 1); i++)
            ;
        printf(start == i ? "%s%u" : "%s%u-%u", first ? "" : ",", start, i);
        first = false;
    }
}

/* Hard and soft affinity (XEN_DOMCTL_getvcpuaffinity); all CPUs when it cannot be read. */
static void vcpu_affinity(xc_t *xc, uint32_t domid, unsigned vcpu, uint8_t hard[32],
                          uint8_t soft[32])
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_getvcpuaffinity, .domain = (domid_t)domid };
    uint8_t *buf = xc_buf_alloc(xc, 64);

    memset(hard, 0xff, 32);
    memset(soft, 0xff, 32);
    if (!buf)
        return;
    memset(buf, 0, 64);
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT;
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_hard.bitmap, buf);
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 256;
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_soft.bitmap, buf + 32);
    op.u.vcpuaffinity.cpumap_soft.nr_bits = 256;
    if (xc_domctl(xc, &op) == 0) {
        memcpy(hard, buf, 32);
        memcpy(soft, buf + 32, 32);
    }
    xc_buf_free(xc, buf, 64);
}

static void print_vcpus(struct dom_ctx *dc, const struct xen_domctl_getdomaininfo *d,
                        unsigned nr_cpus)
{
    char *name = dom_name(dc, d->domain);

    for (unsigned v = 0; v <= d->max_vcpu_id; v++) {
        struct xen_domctl_getvcpuinfo vi;
        uint8_t hard[32], soft[32];

        if (xc_vcpu_info(dc->xc, d->domain, v, &vi))
            continue;
        printf("%-32s %5u %5u", name ? name : "(null)", d->domain, v);
        if (!vi.online)
            printf("%5c %3c%cp ", '-', '-', '-');
        else
            printf("%5u %3c%c- ", vi.cpu, vi.running ? 'r' : '-', vi.blocked ? 'b' : '-');
        printf("%9.1f  ", (double)vi.cpu_time / 1e9);
        vcpu_affinity(dc->xc, d->domain, v, hard, soft);
        print_cpus(hard, nr_cpus);
        printf(" / ");
        print_cpus(soft, nr_cpus);
        printf("\n");
    }
    free(name);
}

int main_vcpu_list(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo *info = calloc(MAX_DOMS, sizeof(*info));
    struct xen_sysctl_physinfo phys;
    struct dom_ctx dc;
    int n, rc = xl_operands(argc, argv, "", 0, -1, "vcpu-list");

    if (rc >= 0 || !info || dom_ctx_open(&dc, "xl vcpu-list")) {
        free(info);
        return rc >= 0 ? rc : 1;
    }
    rc = 1;
    if (xc_physinfo(dc.xc, &phys) == 0 &&
        collect(&dc, argc - optind, argv + optind, info, &n) == 0) {
        printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
               "Affinity (Hard / Soft)");
        for (int i = 0; i < n; i++)
            print_vcpus(&dc, &info[i], phys.nr_cpus > 256 ? 256 : phys.nr_cpus);
        rc = 0;
    }
    dom_ctx_close(&dc);
    free(info);
    return rc;
}
