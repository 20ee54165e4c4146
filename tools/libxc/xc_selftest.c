/*
 * xc-selftest: libxc against a live hypervisor, from Dom0. Prints one
 * "PASS: ", "FAIL: " or "SKIP: " line per check (tests/integration/dom0-run.sh
 * collects them); exits 1 if any check failed.
 *
 *   xc-selftest [--build KERNEL [RAMDISK]] [--mem MIB] [--cmdline STR]
 *               [--run SECONDS] [--keep]
 *
 * Without --build: version, physinfo, domain list, then a scratch domain
 * is created, given memory, one frame mapped and checked, a port
 * allocated, and destroyed. With --build: a PV domain is built from KERNEL,
 * unpaused, watched for SECONDS (default 10) and its console ring printed.
 */
#include "xc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/io/console.h>
#include <xen/version.h>

static int failures;

static void report(bool ok, const char *what, const char *detail)
{
    printf("%s: %s%s%s\n", ok ? "PASS" : "FAIL", what, detail[0] ? ": " : "", detail);
    fflush(stdout);
    if (!ok)
        failures++;
}

/* rc >= 0 is a pass; otherwise xc_last_error() says why. */
static bool check(xc_t *xc, int rc, const char *what)
{
    report(rc >= 0, what, rc >= 0 ? "" : xc_last_error(xc));
    return rc >= 0;
}

static void host_checks(xc_t *xc)
{
    xen_extraversion_t extra = {0};
    static xen_capabilities_info_t caps;
    struct xen_sysctl_physinfo pi;
    struct xen_domctl_getdomaininfo list[64];
    char line[256];
    unsigned sched;
    long v = xc_version(xc, XENVER_version, NULL, 0);
    int n;

    if (check(xc, (int)v, "xen_version") && xc_version(xc, XENVER_extraversion, extra, sizeof(extra)) >= 0 &&
        xc_version(xc, XENVER_capabilities, caps, sizeof(caps)) >= 0)
        printf("  Xen %ld.%ld%.16s, capabilities \"%.64s\"\n", v >> 16, v & 0xffff, extra, caps);
    if (check(xc, xc_physinfo(xc, &pi), "physinfo"))
        printf("  %u CPUs, %llu pages total, %llu free\n", pi.nr_cpus,
               (unsigned long long)pi.total_pages, (unsigned long long)pi.free_pages);
    if (check(xc, xc_sched_id(xc, &sched), "sched_id"))
        printf("  scheduler %u\n", sched);
    n = xc_domain_list(xc, 0, list, 64);
    snprintf(line, sizeof(line), "%d domain(s)", n);
    report(n >= 1 && list[0].domain == 0, "domain list", n >= 0 ? line : xc_last_error(xc));
    for (int i = 0; i < n; i++)
        printf("  domain %u: %llu pages, flags %#x\n", list[i].domain,
               (unsigned long long)list[i].tot_pages, list[i].flags);
}

static int create(xc_t *xc, uint32_t *domid)
{
    struct xen_domctl_createdomain cfg = {
        .max_vcpus = 1,
        .max_evtchn_port = 1023,
        .max_grant_frames = 32,
        .max_maptrack_frames = 1024,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    static const uint8_t handle[16] = {'x', 'c', '-', 's', 'e', 'l', 'f', 't', 'e', 's', 't'};
    int rc;

    *domid = 0;
    rc = xc_domain_create(xc, domid, &cfg);
    if (!check(xc, rc, "create a PV domain"))
        return rc;
    printf("  domain %u\n", *domid);
    check(xc, xc_domain_set_handle(xc, *domid, handle), "set_handle");
    return 0;
}

static void destroy(xc_t *xc, uint32_t domid)
{
    struct xen_domctl_getdomaininfo info;

    check(xc, xc_domain_destroy(xc, domid), "destroy");
    report(xc_domain_info(xc, domid, &info) == -ESRCH, "destroyed domain is gone", "");
}

/* A frame written through one mapping must read back through another. */
static void map_checks(xc_t *xc, uint32_t domid, xen_pfn_t mfn)
{
    int err = 0;
    uint32_t *w = xc_map_foreign(xc, domid, PROT_READ | PROT_WRITE, &mfn, 1, &err);
    uint32_t *r;

    if (!check(xc, w ? 0 : (err ? err : -EFAULT), "map a frame writable"))
        return;
    for (unsigned i = 0; i < 1024; i++)
        w[i] = 0x5a000000u | i;
    xc_unmap_foreign(w, 1);
    r = xc_map_foreign(xc, domid, PROT_READ, &mfn, 1, NULL);
    if (!check(xc, r ? 0 : -EFAULT, "map it again read-only"))
        return;
    report(r[0] == 0x5a000000u && r[1023] == 0x5a0003ffu, "frame contents survive", "");
    xc_unmap_foreign(r, 1);
}

static void domain_checks(xc_t *xc)
{
    struct xen_domctl_getdomaininfo info;
    struct xen_domctl_getvcpuinfo vi;
    xen_pfn_t pfns[16];
    uint32_t domid;
    char line[128];
    int rc;

    if (create(xc, &domid))
        return;
    if (check(xc, xc_domain_info(xc, domid, &info), "domain info"))
        printf("  flags %#x, shared_info mfn %#llx\n", info.flags,
               (unsigned long long)info.shared_info_frame);
    check(xc, xc_vcpu_info(xc, domid, 0, &vi), "vcpu info");
    check(xc, xc_domain_max_mem(xc, domid, 16 * 1024), "max_mem 16 MiB");
    for (unsigned i = 0; i < 16; i++)
        pfns[i] = i;
    rc = xc_populate_physmap(xc, domid, 16, pfns);
    snprintf(line, sizeof(line), "pfn 0 -> mfn %#lx", (unsigned long)pfns[0]);
    report(rc == 0, "populate_physmap 16 frames", rc == 0 ? line : xc_last_error(xc));
    if (rc == 0)
        map_checks(xc, domid, pfns[3]);
    rc = xc_evtchn_alloc_unbound(xc, domid, 0);
    snprintf(line, sizeof(line), "port %d", rc);
    report(rc > 0, "evtchn alloc_unbound", rc > 0 ? line : xc_last_error(xc));
    check(xc, xc_domain_pause(xc, domid), "pause");
    check(xc, xc_domain_unpause(xc, domid), "unpause");
    destroy(xc, domid);
}

static void print_console(xc_t *xc, uint32_t domid, xen_pfn_t mfn)
{
    struct xencons_interface *ring = xc_map_foreign(xc, domid, PROT_READ, &mfn, 1, NULL);
    char line[64];

    if (!check(xc, ring ? 0 : -EFAULT, "map the guest's console ring"))
        return;
    snprintf(line, sizeof(line), "%u bytes written", ring->out_prod);
    report(ring->out_prod > 0, "guest wrote to its console", line);
    printf("---- guest console ----\n");
    for (XENCONS_RING_IDX i = ring->out_cons; i != ring->out_prod && i - ring->out_cons < 2048; i++)
        putchar(ring->out[MASK_XENCONS_IDX(i, ring->out)]);
    printf("\n---- end ----\n");
    xc_unmap_foreign(ring, 1);
}

static void build_checks(xc_t *xc, struct xc_pv_build *b, unsigned run_s, bool keep)
{
    struct xen_domctl_getdomaininfo info;
    struct xen_domctl_getvcpuinfo v0, v1;
    char line[160];

    if (create(xc, &b->domid))
        return;
    if (check(xc, xc_pv_build(xc, b), "build PV domain")) {
        printf("  store mfn %#lx port %u, console mfn %#lx port %u\n", (unsigned long)b->store_mfn,
               b->store_port, (unsigned long)b->console_mfn, b->console_port);
        xc_vcpu_info(xc, b->domid, 0, &v0);
        check(xc, xc_domain_unpause(xc, b->domid), "unpause the built domain");
        sleep(run_s);
        if (check(xc, xc_domain_info(xc, b->domid, &info), "built domain still exists")) {
            xc_vcpu_info(xc, b->domid, 0, &v1);
            snprintf(line, sizeof(line), "flags %#x, vcpu0 ran %llu ns", info.flags,
                     (unsigned long long)(v1.cpu_time - v0.cpu_time));
            report(!(info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_dying)) &&
                       v1.cpu_time > v0.cpu_time,
                   "guest runs (no crash, no shutdown)", line);
        }
        print_console(xc, b->domid, b->console_mfn);
    }
    if (!keep)
        destroy(xc, b->domid);
}

static void hypervisor_log(xc_t *xc)
{
    static char buf[16384];
    long n = xc_readconsole(xc, buf, sizeof(buf), false);
    const char *tail = n > 1500 ? buf + n - 1500 : buf;

    if (check(xc, (int)n, "readconsole"))
        printf("---- hypervisor log (tail) ----\n%s\n---- end ----\n", tail);
}

int main(int argc, char **argv)
{
    struct xc_pv_build b = {.mem_kib = 128 * 1024, .vcpus = 1,
                            .cmdline = "console=hvc0 earlyprintk=xen nr_cpus=1"};
    unsigned run_s = 10;
    bool keep = false;
    xc_t *xc;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--build") && i + 1 < argc) {
            b.kernel_path = argv[++i];
            if (i + 1 < argc && argv[i + 1][0] != '-')
                b.ramdisk_path = argv[++i];
        } else if (!strcmp(argv[i], "--mem") && i + 1 < argc) {
            b.mem_kib = strtoull(argv[++i], NULL, 0) * 1024;
        } else if (!strcmp(argv[i], "--cmdline") && i + 1 < argc) {
            b.cmdline = argv[++i];
        } else if (!strcmp(argv[i], "--run") && i + 1 < argc) {
            run_s = (unsigned)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--keep")) {
            keep = true;
        } else {
            fprintf(stderr, "usage: %s [--build KERNEL [RAMDISK]] [--mem MIB] [--cmdline STR] "
                            "[--run SECONDS] [--keep]\n", argv[0]);
            return 2;
        }
    }
    xc = xc_open();
    if (!xc) {
        printf("FAIL: open privcmd: %s\n", strerror(errno));
        return 1;
    }
    printf("PASS: open privcmd\n");
    host_checks(xc);
    if (b.kernel_path)
        build_checks(xc, &b, run_s, keep);
    else
        domain_checks(xc);
    hypervisor_log(xc);
    xc_close(xc);
    printf("xc-selftest: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
