/*
 * The vif and disk specs (xl-network-configuration(5),
 * xl-disk-configuration(5)) and virtual device numbers
 * (xen-vbd-interface(7)).
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "tool_harness.h"
#include "xl_dev.h"

static char *dbuf;
static size_t dlen;
static FILE *diag;

static void dopen(void)
{
    dbuf = NULL;
    diag = open_memstream(&dbuf, &dlen);
}

static const char *dtext(void)
{
    fflush(diag);
    return dbuf ? dbuf : "";
}

static void dclose(void)
{
    fclose(diag);
    free(dbuf);
    dbuf = NULL;
}

static const struct xl_loc at = {"t.cfg", 3, 8};

static int vif(struct xl_nic *n, const char *spec, const struct xl_loc *loc)
{
    xl_section_init(&xl_nic_section, n);
    dopen();
    return xl_vif_parse(n, spec, loc, diag);
}

static void vif_error(const char *spec, const struct xl_loc *loc, const char *msg)
{
    struct xl_nic n;

    CU_ASSERT_EQUAL(vif(&n, spec, loc), -1);
    CU_ASSERT_STRING_EQUAL(dtext(), msg);
    if (strcmp(dtext(), msg))
        fprintf(stderr, "\n  got:  %s  want: %s", dtext(), msg);
    dclose();
    xl_section_free(&xl_nic_section, &n);
}

static void test_vif_defaults(void)
{
    struct xl_nic n;

    CU_ASSERT_EQUAL(vif(&n, "", &at), 0);
    CU_ASSERT_STRING_EQUAL(n.bridge, "xenbr0");
    CU_ASSERT_STRING_EQUAL(n.script, "/etc/xen/scripts/vif-bridge");
    CU_ASSERT_EQUAL(n.nictype, XL_NICTYPE_VIF);
    CU_ASSERT_PTR_NULL(n.mac);
    CU_ASSERT_EQUAL(n.trusted, -1);
    dclose();
    xl_section_free(&xl_nic_section, &n);
}

static void test_vif_all_keys(void)
{
    struct xl_nic n;

    CU_ASSERT_EQUAL(vif(&n, "mac=00:16:3E:ab:CD:ef, bridge=br1,vifname=web1.0,script=vif-route,"
                            "ip=10.0.0.2 10.0.0.3,mtu=9000,model=e1000,type=ioemu,backend=netdom,"
                            "netdev=eth1,devid=5,rate=10Mb/s@20ms,untrusted",
                    &at),
                    0);
    CU_ASSERT_STRING_EQUAL(n.mac, "00:16:3E:ab:CD:ef");
    CU_ASSERT_STRING_EQUAL(n.bridge, "br1");
    CU_ASSERT_STRING_EQUAL(n.ifname, "web1.0");
    CU_ASSERT_STRING_EQUAL(n.script, "/etc/xen/scripts/vif-route");
    CU_ASSERT_STRING_EQUAL(n.ip, "10.0.0.2 10.0.0.3");
    CU_ASSERT_EQUAL(n.mtu, 9000);
    CU_ASSERT_STRING_EQUAL(n.model, "e1000");
    CU_ASSERT_EQUAL(n.nictype, XL_NICTYPE_VIF_IOEMU);
    CU_ASSERT_STRING_EQUAL(n.backend_domname, "netdom");
    CU_ASSERT_STRING_EQUAL(n.gatewaydev, "eth1");
    CU_ASSERT_EQUAL(n.devid, 5);
    /* 10 Mbit/s = 1,250,000 B/s; 20 ms of it */
    CU_ASSERT_EQUAL(n.rate_bytes_per_interval, 25000);
    CU_ASSERT_EQUAL(n.rate_interval_usecs, 20000);
    CU_ASSERT_EQUAL(n.trusted, 0);
    CU_ASSERT_STRING_EQUAL(dtext(), "");
    dclose();
    xl_section_free(&xl_nic_section, &n);
    CU_ASSERT_EQUAL(vif(&n, "script=/usr/local/bin/my-vif,trusted", NULL), 0);
    CU_ASSERT_STRING_EQUAL(n.script, "/usr/local/bin/my-vif");
    CU_ASSERT_EQUAL(n.trusted, 1);
    dclose();
    xl_section_free(&xl_nic_section, &n);
}

static void test_vif_rate(void)
{
    long long b, us;
    const char *why;

    CU_ASSERT_EQUAL(xl_vif_parse_rate("100B/s", &b, &us, &why), 0);
    CU_ASSERT_EQUAL(b, 5); /* the default interval is 50 ms */
    CU_ASSERT_EQUAL(us, 50000);
    CU_ASSERT_EQUAL(xl_vif_parse_rate("1GB/s@1s", &b, &us, &why), 0);
    CU_ASSERT_EQUAL(b, 1000000000);
    CU_ASSERT_EQUAL(us, 1000000);
    CU_ASSERT_EQUAL(xl_vif_parse_rate("8Kb/s@500us", &b, &us, &why), -1);
    CU_ASSERT_STRING_EQUAL(why, "rate too small: less than one byte per interval");
    CU_ASSERT_EQUAL(xl_vif_parse_rate("80Kb/s@1ms", &b, &us, &why), 0);
    CU_ASSERT_EQUAL(b, 10);
    CU_ASSERT_EQUAL(us, 1000);
    CU_ASSERT_EQUAL(xl_vif_parse_rate("10M/s", &b, &us, &why), -1);
    CU_ASSERT_STRING_EQUAL(why, "the rate needs a unit: B, KB, MB, GB (bytes) or b, Kb, Mb, Gb (bits)");
    CU_ASSERT_EQUAL(xl_vif_parse_rate("10MB", &b, &us, &why), -1);
    CU_ASSERT_EQUAL(xl_vif_parse_rate("10MB/s@5m", &b, &us, &why), -1);
    CU_ASSERT_STRING_EQUAL(why, "the interval needs a unit: s, ms or us");
    CU_ASSERT_EQUAL(xl_vif_parse_rate("xMB/s", &b, &us, &why), -1);
    CU_ASSERT_EQUAL(xl_vif_parse_rate("100GB/s@10s", &b, &us, &why), -1);
}

static void test_vif_errors(void)
{
    vif_error("bridge=xenbr0,foo", &at, "t.cfg:3:23: error: vif: unrecognized argument 'foo'\n");
    vif_error("bridge=xenbr0,foo=bar", NULL, "xl: error: vif: unrecognized argument 'foo=bar'\n");
    vif_error("mac=01:00:5e:00:00:01", &at,
              "t.cfg:3:9: error: vif: invalid mac '01:00:5e:00:00:01': a multicast MAC address "
              "(low bit of the first octet set) cannot be a NIC's\n");
    vif_error("mac=00:16:3e:00:00", &at,
              "t.cfg:3:9: error: vif: invalid mac '00:16:3e:00:00': a MAC address is six hex "
              "pairs separated by ':'\n");
    vif_error("rate=fast", &at,
              "t.cfg:3:9: error: vif: invalid rate 'fast': expected RATE/s[@INTERVAL], e.g. "
              "10Mb/s@20ms\n");
    vif_error("mtu=20", &at, "t.cfg:3:9: error: vif: invalid mtu '20' (expected 68 to 65535)\n");
    vif_error("devid=x", &at, "t.cfg:3:9: error: vif: invalid devid 'x' (expected 0 to 65535)\n");
    vif_error("type=tap", &at, "t.cfg:3:9: error: vif: invalid type 'tap' (expected vif or ioemu)\n");
}

static void test_mac_generation(void)
{
    char mac[18], other[18];
    const char *why;

    CU_ASSERT_EQUAL(xl_vif_generate_mac(mac), 0);
    CU_ASSERT_EQUAL(strncmp(mac, "00:16:3e:", 9), 0);
    CU_ASSERT_TRUE(xl_vif_valid_mac(mac, &why));
    CU_ASSERT_EQUAL(xl_vif_generate_mac(other), 0);
    /* 23 random bits: two equal in a row would be a broken generator */
    CU_ASSERT_STRING_NOT_EQUAL(mac, other);
}

static int disk(struct xl_disk *d, const char *spec, const struct xl_loc *loc)
{
    xl_section_init(&xl_disk_section, d);
    dopen();
    return xl_disk_parse(d, spec, loc, diag);
}

static void disk_error(const char *spec, const char *msg)
{
    struct xl_disk d;

    CU_ASSERT_EQUAL(disk(&d, spec, &at), -1);
    CU_ASSERT_STRING_EQUAL(dtext(), msg);
    if (strcmp(dtext(), msg))
        fprintf(stderr, "\n  got:  %s  want: %s", dtext(), msg);
    dclose();
    xl_section_free(&xl_disk_section, &d);
}

static void check_disk(const char *spec, const char *path, const char *vdev, int format,
                       int backend, int rw, int cdrom)
{
    struct xl_disk d;

    CU_ASSERT_EQUAL(disk(&d, spec, &at), 0);
    if (path) {
        CU_ASSERT_STRING_EQUAL(d.pdev_path, path);
    } else {
        CU_ASSERT_PTR_NULL(d.pdev_path);
    }
    CU_ASSERT_STRING_EQUAL(d.vdev, vdev);
    CU_ASSERT_EQUAL(d.format, format);
    CU_ASSERT_EQUAL(d.backend, backend);
    CU_ASSERT_EQUAL(d.readwrite, rw);
    CU_ASSERT_EQUAL(d.is_cdrom, cdrom);
    if (strcmp(dtext(), ""))
        fprintf(stderr, "\n  %s: %s", spec, dtext());
    dclose();
    xl_section_free(&xl_disk_section, &d);
}

static void test_disk_forms(void)
{
    /* the three equivalent spellings of xl-disk-configuration(5) */
    check_disk("/dev/vg/guest,,hda", "/dev/vg/guest", "hda", XL_FORMAT_RAW, XL_BACKEND_PHY, 1, 0);
    check_disk("/dev/vg/guest,raw,hda,rw", "/dev/vg/guest", "hda", XL_FORMAT_RAW, XL_BACKEND_PHY,
               1, 0);
    check_disk("format=raw, vdev=hda, access=rw, target=/dev/vg/guest", "/dev/vg/guest", "hda",
               XL_FORMAT_RAW, XL_BACKEND_PHY, 1, 0);
    check_disk("/var/img/a.qcow2,qcow2,xvdb,ro", "/var/img/a.qcow2", "xvdb", XL_FORMAT_QCOW2,
               XL_BACKEND_QDISK, 0, 0);
    /* target= keeps the rest, commas included */
    check_disk("vdev=xvdc,target=/img/a,b,c", "/img/a,b,c", "xvdc", XL_FORMAT_RAW,
               XL_BACKEND_QDISK, 1, 0);
    /* ... and is taken as it is: "phy:" is part of that file's name */
    check_disk("vdev=xvdc,target=phy:x", "phy:x", "xvdc", XL_FORMAT_RAW, XL_BACKEND_QDISK, 1, 0);
    check_disk("/img/cd.iso,raw,hdc,devtype=cdrom", "/img/cd.iso", "hdc", XL_FORMAT_RAW,
               XL_BACKEND_QDISK, 0, 1);
    check_disk(",,hdc,cdrom", NULL, "hdc", XL_FORMAT_EMPTY, XL_BACKEND_UNKNOWN, 0, 1);
    check_disk("backendtype=qdisk,/dev/vg/x,raw,xvdd,w", "/dev/vg/x", "xvdd", XL_FORMAT_RAW,
               XL_BACKEND_QDISK, 1, 0);
}

static void test_disk_legacy(void)
{
    check_disk("phy:/dev/vg/lv,xvda,w", "/dev/vg/lv", "xvda", XL_FORMAT_RAW, XL_BACKEND_PHY, 1, 0);
    check_disk("phy:sda1,xvda1,r", "/dev/sda1", "xvda1", XL_FORMAT_RAW, XL_BACKEND_PHY, 0, 0);
    check_disk("file:/img/disk.img,xvda,w", "/img/disk.img", "xvda", XL_FORMAT_RAW,
               XL_BACKEND_QDISK, 1, 0);
    check_disk("file:/img/cd.iso,hdc:cdrom,r", "/img/cd.iso", "hdc", XL_FORMAT_RAW,
               XL_BACKEND_QDISK, 0, 1);
    check_disk("tap:aio:/img/disk.img,xvdb,w", "/img/disk.img", "xvdb", XL_FORMAT_RAW,
               XL_BACKEND_TAP, 1, 0);
    check_disk("tap:qcow2:/img/d.qcow2,xvdb,r", "/img/d.qcow2", "xvdb", XL_FORMAT_QCOW2,
               XL_BACKEND_TAP, 0, 0);
    /* no prefix, but a vdev where the format would be: still the old form */
    check_disk("/dev/vg/lv,xvda,w", "/dev/vg/lv", "xvda", XL_FORMAT_RAW, XL_BACKEND_PHY, 1, 0);
}

static void test_disk_flags(void)
{
    struct xl_disk d;

    CU_ASSERT_EQUAL(disk(&d, "/dev/x,raw,xvda,rw,backend=stor,script=block-iscsi,discard,"
                             "direct-io-safe,untrusted",
                         NULL),
                    0);
    CU_ASSERT_STRING_EQUAL(d.backend_domname, "stor");
    CU_ASSERT_STRING_EQUAL(d.script, "block-iscsi");
    CU_ASSERT_EQUAL(d.discard_enable, 1);
    CU_ASSERT_EQUAL(d.direct_io_safe, 1);
    CU_ASSERT_EQUAL(d.trusted, 0);
    dclose();
    xl_section_free(&xl_disk_section, &d);
    CU_ASSERT_EQUAL(disk(&d, "no-discard,/dev/x,raw,xvda", NULL), 0);
    CU_ASSERT_EQUAL(d.discard_enable, 0);
    dclose();
    xl_section_free(&xl_disk_section, &d);
}

static void test_disk_errors(void)
{
    disk_error("/dev/x,raw", "t.cfg:3:8: error: disk: no vdev in '/dev/x,raw' (e.g. "
                             "'/dev/vg/guest,raw,xvda,rw')\n");
    disk_error("/dev/x,vmdk,xvda",
               "t.cfg:3:16: error: disk: unknown format 'vmdk' (expected raw, qcow, qcow2, vhd or "
               "qed)\n");
    disk_error("/dev/x,raw,xvda,rx",
               "t.cfg:3:25: error: disk: invalid access 'rx' (expected rw, w, ro or r)\n");
    disk_error("/dev/x,raw,vda",
               "t.cfg:3:20: error: disk: invalid vdev 'vda' (expected e.g. xvda, xvdb1, hda, sda)\n");
    disk_error("backendtype=iscsi,/dev/x,raw,xvda",
               "t.cfg:3:9: error: disk: invalid backendtype 'iscsi' (expected phy, qdisk, tap or "
               "standalone)\n");
    disk_error("/dev/x,raw,xvda,foo=bar", "t.cfg:3:25: error: disk: unrecognized argument 'foo=bar'\n");
    disk_error("/dev/x,raw,xvda,rw,extra",
               "t.cfg:3:28: error: disk: too many positional parameters at 'extra'\n");
    disk_error(",raw,xvda", "t.cfg:3:8: error: disk: no target in ',raw,xvda': only a cdrom may be "
                            "empty\n");
    disk_error("devtype=floppy,/dev/x,raw,xvda",
               "t.cfg:3:9: error: disk: invalid devtype 'floppy' (expected cdrom)\n");
}

static void test_vdev_numbers(void)
{
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvda"), 51712);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvdb"), 51728);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvda1"), 51713);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvdp15"), (202 << 8) | (15 << 4) | 15);
    /* disk 16 and above, or partition 16 and above: the extended scheme */
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvdq"), (1 << 28) | (16 << 8));
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvdq1"), (1 << 28) | (16 << 8) | 1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvdaa"), (1 << 28) | (26 << 8));
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvda16"), (1 << 28) | 16);
    CU_ASSERT_EQUAL(xl_vdev_to_number("d0p1"), 51713);
    CU_ASSERT_EQUAL(xl_vdev_to_number("d20"), (1 << 28) | (20 << 8));
    CU_ASSERT_EQUAL(xl_vdev_to_number("hda"), 3 << 8);
    CU_ASSERT_EQUAL(xl_vdev_to_number("hdb"), (3 << 8) | 64);
    CU_ASSERT_EQUAL(xl_vdev_to_number("hdc"), 22 << 8);
    CU_ASSERT_EQUAL(xl_vdev_to_number("hda1"), (3 << 8) | 1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("sda"), 8 << 8);
    CU_ASSERT_EQUAL(xl_vdev_to_number("sdb1"), (8 << 8) | 16 | 1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("sdq"), 65 << 8);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvd"), -1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvda0"), -1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvdA"), -1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("xvda256"), -1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("vda"), -1);
    CU_ASSERT_EQUAL(xl_vdev_to_number("hda64"), -1);
}

static void suite(void)
{
    CU_pSuite s = CU_add_suite("xl_dev", NULL, NULL);

    CU_add_test(s, "vif defaults", test_vif_defaults);
    CU_add_test(s, "vif keys", test_vif_all_keys);
    CU_add_test(s, "vif rate", test_vif_rate);
    CU_add_test(s, "vif errors", test_vif_errors);
    CU_add_test(s, "MAC generation", test_mac_generation);
    CU_add_test(s, "disk forms", test_disk_forms);
    CU_add_test(s, "disk legacy form", test_disk_legacy);
    CU_add_test(s, "disk flags", test_disk_flags);
    CU_add_test(s, "disk errors", test_disk_errors);
    CU_add_test(s, "vdev numbers", test_vdev_numbers);
}
TOOL_TEST_SUITE(suite);
