/*
 * The configuration through its other forms: libxl JSON (written and read
 * back), libvirt XML (both ways), xl.cfg written back; and the command
 * table (prefix lookup, dry-run rules).
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "tool_harness.h"
#include "xl.h"
#include "xl_cfg.h"
#include "xl_cfg_write.h"
#include "xl_check.h"
#include "xl_dev.h"
#include "xl_json.h"
#include "xl_xml.h"

static FILE *diag;
static char *dbuf;
static size_t dlen;

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

/* A guest with every kind of field set. */
static const char full_cfg[] =
    "name = 'web1'\nuuid = '039e9ee6-4a2d-4bd6-a4c2-8ba426ae2656'\n"
    "kernel = '/boot/vmlinuz'\nramdisk = '/boot/initrd.img'\n"
    "cmdline = 'root=/dev/xvda1 console=hvc0 \"q\"'\nmemory = 512\nmaxmem = 1024\n"
    "vcpus = 2\nmaxvcpus = 4\ncpus = '0-3,^2'\ncpu_weight = 512\ncap = 50\n"
    "bootloader_args = [ '-q', '--x' ]\ne820_host = 1\nnomigrate = 0\nlocaltime = 1\n"
    "max_grant_frames = 64\nmax_event_channels = 2047\nseclabel = 'lbl'\n"
    "on_poweroff = 'preserve'\non_crash = 'coredump-restart'\n"
    "vif = [ 'mac=00:16:3e:12:34:56,bridge=br1,ip=10.0.0.2,vifname=w1,rate=10Mb/s@20ms,"
    "mtu=9000,model=e1000,untrusted', '' ]\n"
    "disk = [ '/dev/vg/web1,raw,xvda,rw', 'vdev=xvdb,format=qcow2,access=ro,target=/i/a,b.q',"
    " '/i/cd.iso,raw,hdc,cdrom' ]\n";

static void load_cfg(struct xl_domain_config *c, const char *text)
{
    struct xlcfg cfg;

    xlcfg_init(&cfg);
    CU_ASSERT_EQUAL(xlcfg_parse(&cfg, "t.cfg", text, diag), 0);
    CU_ASSERT_EQUAL(xl_config_from_cfg(c, &cfg, diag), 0);
    xlcfg_free(&cfg);
}

static void test_json_shape(void)
{
    struct xl_domain_config c;
    char *json;

    dopen();
    load_cfg(&c, "name = 'g'\nuuid = '039e9ee6-4a2d-4bd6-a4c2-8ba426ae2656'\nkernel = '/k'\n"
                 "memory = 64\n");
    json = xl_json_domain(&c, -1);
    CU_ASSERT_STRING_EQUAL(json, "{\n"
                                 "    \"domid\": null,\n"
                                 "    \"config\": {\n"
                                 "        \"c_info\": {\n"
                                 "            \"type\": \"pv\",\n"
                                 "            \"name\": \"g\",\n"
                                 "            \"uuid\": \"039e9ee6-4a2d-4bd6-a4c2-8ba426ae2656\"\n"
                                 "        },\n"
                                 "        \"b_info\": {\n"
                                 "            \"max_vcpus\": 1,\n"
                                 "            \"avail_vcpus\": [\n"
                                 "                0\n"
                                 "            ],\n"
                                 "            \"max_memkb\": 65536,\n"
                                 "            \"target_memkb\": 65536,\n"
                                 "            \"sched_params\": {\n\n"
                                 "            },\n"
                                 "            \"kernel\": \"/k\",\n"
                                 "            \"type.pv\": {\n\n"
                                 "            },\n"
                                 "            \"arch_arm\": {\n\n"
                                 "            }\n"
                                 "        },\n"
                                 "        \"on_reboot\": \"restart\",\n"
                                 "        \"on_soft_reset\": \"soft-reset\"\n"
                                 "    }\n"
                                 "}\n");
    free(json);
    json = xl_json_domain(&c, 7);
    CU_ASSERT_EQUAL(strncmp(json, "{\n    \"domid\": 7,\n", 18), 0);
    free(json);
    xl_config_dispose(&c);
    dclose();
}

static void test_json_list(void)
{
    struct xl_domain_config a, b;
    const struct xl_domain_config *cs[] = {&a, &b};
    const long ids[] = {0, 5};
    char *json, err[128];
    yajl_val root;

    dopen();
    load_cfg(&a, "name = 'a'\nkernel = '/k'\n");
    load_cfg(&b, full_cfg);
    json = xl_json_domain_list(cs, ids, 2);
    CU_ASSERT_EQUAL(strncmp(json, "[\n    {\n        \"domid\": 0,\n", 28), 0);
    root = yajl_tree_parse(json, err, sizeof(err));
    CU_ASSERT_TRUE_FATAL(YAJL_IS_ARRAY(root));
    CU_ASSERT_EQUAL(root->u.array.len, 2);
    {
        struct xl_domain_config back;
        char *again, *orig = xl_json_domain(&b, 5);

        CU_ASSERT_EQUAL(xl_json_read_config(&back, root->u.array.values[1], diag), 0);
        again = xl_json_domain(&back, 5);
        CU_ASSERT_STRING_EQUAL(orig, again);
        free(orig);
        free(again);
        xl_config_dispose(&back);
    }
    yajl_tree_free(root);
    free(json);
    xl_config_dispose(&a);
    xl_config_dispose(&b);
    dclose();
}

static void test_json_round_trip(void)
{
    struct xl_domain_config c, back;
    char *a, *b;

    dopen();
    load_cfg(&c, full_cfg);
    a = xl_json_domain(&c, 3);
    CU_ASSERT_EQUAL(xl_json_parse_domain(&back, a, diag), 0);
    b = xl_json_domain(&back, 3);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_EQUAL(back.b_info.cpumap, "0-1,3");
    CU_ASSERT_EQUAL(back.b_info.avail_vcpus, 2);
    CU_ASSERT_EQUAL(back.nics[0].trusted, 0);
    CU_ASSERT_STRING_EQUAL(back.disks[1].pdev_path, "/i/a,b.q");
    CU_ASSERT_STRING_EQUAL(dtext(), "");
    free(a);
    free(b);
    xl_config_dispose(&c);
    xl_config_dispose(&back);
    dclose();
}

static void test_json_errors(void)
{
    struct xl_domain_config c;

    dopen();
    CU_ASSERT_EQUAL(xl_json_parse_domain(&c, "{ \"config\": ", diag), -1);
    CU_ASSERT_EQUAL(strncmp(dtext(), "xl: error: invalid JSON: ", 25), 0);
    dclose();
    dopen();
    CU_ASSERT_EQUAL(xl_json_parse_domain(&c, "{\"b_info\": {\"max_memkb\": \"x\"}}", diag), -1);
    CU_ASSERT_STRING_EQUAL(dtext(), "xl: error: JSON b_info.max_memkb: expected an integer\n");
    dclose();
    dopen();
    CU_ASSERT_EQUAL(xl_json_parse_domain(&c, "{\"disks\": [{\"readwrite\": 2}]}", diag), -1);
    CU_ASSERT_STRING_EQUAL(dtext(), "xl: error: JSON disks.readwrite: expected an integer from 0 to 1\n");
    dclose();
    dopen();
    CU_ASSERT_EQUAL(xl_json_parse_domain(&c, "{\"on_crash\": \"explode\"}", diag), -1);
    CU_ASSERT_STRING_EQUAL(dtext(), "xl: error: JSON on_crash: expected one of libxl's names\n");
    dclose();
    dopen();
    CU_ASSERT_EQUAL(xl_json_parse_domain(&c, "{\"b_info\": {\"sched_params\": {\"weight\": true}}}",
                                         diag),
                    -1);
    CU_ASSERT_STRING_EQUAL(dtext(),
                           "xl: error: JSON b_info.sched_params.weight: expected an integer\n");
    dclose();
}

static void check_error(const char *json, const char *msg)
{
    struct xl_domain_config c;

    dopen();
    CU_ASSERT_EQUAL_FATAL(xl_json_parse_domain(&c, json, diag), 0);
    CU_ASSERT_EQUAL(xl_config_check(&c, "s.json", diag), -1);
    CU_ASSERT_STRING_EQUAL(dtext(), msg);
    if (strcmp(dtext(), msg))
        fprintf(stderr, "\n  got:  %s  want: %s", dtext(), msg);
    xl_config_dispose(&c);
    dclose();
}

#define GOOD_CINFO "\"c_info\": {\"type\": \"pv\", \"name\": \"g\", \"uuid\": \"039e9ee6-4a2d-4bd6-a4c2-8ba426ae2656\"}"
#define GOOD_BINFO "\"b_info\": {\"max_vcpus\": 1, \"avail_vcpus\": [0], \"max_memkb\": 1024, \"target_memkb\": 1024, \"kernel\": \"/k\"}"

static void test_config_check(void)
{
    struct xl_domain_config c;

    dopen();
    CU_ASSERT_EQUAL_FATAL(xl_json_parse_domain(&c, "{" GOOD_CINFO ", " GOOD_BINFO "}", diag), 0);
    CU_ASSERT_EQUAL(xl_config_check(&c, "s.json", diag), 0);
    xl_config_dispose(&c);
    dclose();
    check_error("{\"c_info\": {\"type\": \"hvm\", \"name\": \"g\"}}",
                "s.json: error: c_info.type: Xenolith runs PV guests (\"pv\")\n");
    check_error("{\"c_info\": {\"type\": \"pv\"}}",
                "s.json: error: c_info.name: a domain name must be set\n");
    check_error("{" GOOD_CINFO ", \"b_info\": {\"max_memkb\": 1024, \"target_memkb\": 1024}}",
                "s.json: error: b_info: a PV guest needs a kernel or a bootloader\n");
    check_error("{" GOOD_CINFO ", \"b_info\": {\"kernel\": \"/k\", \"max_memkb\": 512, "
                "\"target_memkb\": 1024}}",
                "s.json: error: b_info: need 0 < target_memkb (1024) <= max_memkb (512)\n");
    check_error("{" GOOD_CINFO ", \"b_info\": {\"kernel\": \"/k\", \"max_memkb\": 1024, "
                "\"target_memkb\": 1024, \"max_vcpus\": 1, \"avail_vcpus\": [0, 1]}}",
                "s.json: error: b_info: need 1 <= vcpus (2) <= max_vcpus (1) <= 4096\n");
    check_error("{" GOOD_CINFO ", " GOOD_BINFO ", \"nics\": [{\"mac\": \"ff:ff:ff:ff:ff:ff\"}]}",
                "s.json: error: nics[0].mac: a multicast MAC address (low bit of the first octet "
                "set) cannot be a NIC's\n");
    check_error("{" GOOD_CINFO ", " GOOD_BINFO ", \"nics\": [{\"rate_bytes_per_interval\": 10}]}",
                "s.json: error: nics[0]: rate_bytes_per_interval and rate_interval_usecs go "
                "together\n");
    check_error("{" GOOD_CINFO ", " GOOD_BINFO ", \"nics\": [{\"ip\": \"10.0.0.1,10.0.0.2\"}]}",
                "s.json: error: nics[0].ip: no ',' and no spaces at the ends, in "
                "\"10.0.0.1,10.0.0.2\"\n");
    check_error("{" GOOD_CINFO ", " GOOD_BINFO ", \"disks\": [{\"vdev\": \"xvda\"}]}",
                "s.json: error: disks[0].pdev_path: missing (only a cdrom may be empty)\n");
    check_error("{" GOOD_CINFO ", " GOOD_BINFO ", \"disks\": [{\"vdev\": \"xvda\", \"pdev_path\": \"/a\"}, {\"vdev\": \"xvda\", \"pdev_path\": \"/b\"}]}",
                "s.json: error: disks[1].vdev: xvda is used twice\n");
    check_error("{" GOOD_CINFO ", \"b_info\": {\"kernel\": \"/k\\u0007\"}}",
                "s.json: error: b_info.kernel: control character in the value\n");
    check_error("{" GOOD_CINFO ", " GOOD_BINFO ", \"disks\": [{\"vdev\": \"floppy\"}]}",
                "s.json: error: disks[0].vdev: not a virtual disk name\n");
}

static void test_device_json(void)
{
    struct xl_nic n;
    char *j;

    dopen();
    xl_section_init(&xl_nic_section, &n);
    CU_ASSERT_EQUAL(xl_vif_parse(&n, "rate=2000000B/s", NULL, diag), 0);
    j = xl_json_nic(&n);
    CU_ASSERT_STRING_EQUAL(j, "{\n"
                              "    \"bridge\": \"xenbr0\",\n"
                              "    \"script\": \"/etc/xen/scripts/vif-bridge\",\n"
                              "    \"nictype\": \"vif\",\n"
                              "    \"rate_bytes_per_interval\": 100000,\n"
                              "    \"rate_interval_usecs\": 50000\n"
                              "}\n");
    free(j);
    xl_section_free(&xl_nic_section, &n);
    dclose();
}

static void test_xml_both_ways(void)
{
    struct xl_domain_config c, back;
    char *xml, *a, *b;

    dopen();
    load_cfg(&c, full_cfg);
    xml = xl_xml_domain(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<memory unit=\"KiB\">1048576</memory>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<currentMemory unit=\"KiB\">524288</currentMemory>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<vcpu placement=\"static\" current=\"2\" cpuset=\"0-3,^2\">4</vcpu>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<type arch=\"x86_64\" machine=\"xenpv\">linux</type>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<source dev=\"/dev/vg/web1\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<driver name=\"qemu\" type=\"qcow2\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<disk type=\"file\" device=\"cdrom\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<outbound average=\"1250\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<console type=\"pty\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<clock offset=\"localtime\" adjustment=\"reset\"/>"));
    CU_ASSERT_EQUAL(xl_xml_parse_domain(&back, xml, "t.xml", diag), 0);
    CU_ASSERT_STRING_EQUAL(dtext(), "");
    /* libvirt's bandwidth has no interval: the same 1,250,000 B/s over 50 ms */
    CU_ASSERT_EQUAL(back.nics[0].rate_bytes_per_interval, 62500);
    CU_ASSERT_EQUAL(back.nics[0].rate_interval_usecs, 50000);
    back.nics[0].rate_bytes_per_interval = c.nics[0].rate_bytes_per_interval;
    back.nics[0].rate_interval_usecs = c.nics[0].rate_interval_usecs;
    /* what XML cannot say: the vif trust flag, e820_host, nomigrate, grant limits */
    back.nics[0].trusted = c.nics[0].trusted;
    back.b_info.e820_host = c.b_info.e820_host;
    back.b_info.disable_migrate = c.b_info.disable_migrate;
    back.b_info.max_grant_frames = c.b_info.max_grant_frames;
    back.b_info.event_channels = c.b_info.event_channels;
    back.b_info.sched_cap = c.b_info.sched_cap;
    a = xl_json_domain(&c, -1);
    b = xl_json_domain(&back, -1);
    CU_ASSERT_STRING_EQUAL(a, b);
    if (strcmp(a, b))
        fprintf(stderr, "\n%s\n---\n%s\n", a, b);
    free(a);
    free(b);
    free(xml);
    xl_config_dispose(&c);
    xl_config_dispose(&back);
    dclose();
}

/* Written by hand in libvirt's style (its quotes, units and attributes). */
static const char libvirt_xml[] =
    "<domain type='xen'>\n"
    "  <name>XenGuest2</name>\n"
    "  <uuid>c7a5fdb2-cdaf-9455-926a-d65c16db1809</uuid>\n"
    "  <memory unit='MiB'>579</memory>\n"
    "  <currentMemory unit='KiB'>403456</currentMemory>\n"
    "  <vcpu placement='static'>1</vcpu>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='xenpv'>linux</type>\n"
    "    <kernel>/tmp/vmlinuz</kernel>\n"
    "    <initrd>/tmp/initrd</initrd>\n"
    "    <cmdline>root=/dev/xvda1 console=hvc0</cmdline>\n"
    "  </os>\n"
    "  <clock offset='utc' adjustment='reset'/>\n"
    "  <on_poweroff>destroy</on_poweroff>\n"
    "  <on_reboot>restart</on_reboot>\n"
    "  <on_crash>preserve</on_crash>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <source file='/var/lib/xen/images/XenGuest2'/>\n"
    "      <target dev='xvda' bus='xen'/>\n"
    "    </disk>\n"
    "    <disk type='block' device='cdrom'>\n"
    "      <driver name='phy'/>\n"
    "      <source dev='/dev/sr0'/>\n"
    "      <target dev='hdc' bus='xen'/>\n"
    "      <readonly/>\n"
    "    </disk>\n"
    "    <interface type='bridge'>\n"
    "      <mac address='00:16:3e:66:92:9c'/>\n"
    "      <source bridge='xenbr1'/>\n"
    "      <script path='vif-bridge'/>\n"
    "      <model type='netfront'/>\n"
    "    </interface>\n"
    "    <console type='pty'>\n"
    "      <target type='xen' port='0'/>\n"
    "    </console>\n"
    "  </devices>\n"
    "</domain>\n";

static void test_xml_from_libvirt(void)
{
    struct xl_domain_config c;

    dopen();
    CU_ASSERT_EQUAL_FATAL(xl_xml_parse_domain(&c, libvirt_xml, "g.xml", diag), 0);
    CU_ASSERT_STRING_EQUAL(c.c_info.name, "XenGuest2");
    CU_ASSERT_EQUAL(c.b_info.max_memkb, 579 * 1024);
    CU_ASSERT_EQUAL(c.b_info.target_memkb, 403456);
    CU_ASSERT_EQUAL(c.b_info.max_vcpus, 1);
    CU_ASSERT_STRING_EQUAL(c.b_info.ramdisk, "/tmp/initrd");
    CU_ASSERT_EQUAL(c.act.on_crash, XL_ACTION_PRESERVE);
    CU_ASSERT_EQUAL_FATAL(c.num_disks, 2);
    CU_ASSERT_EQUAL(c.disks[0].backend, XL_BACKEND_QDISK);
    CU_ASSERT_EQUAL(c.disks[0].readwrite, 1);
    CU_ASSERT_EQUAL(c.disks[1].backend, XL_BACKEND_PHY);
    CU_ASSERT_EQUAL(c.disks[1].is_cdrom, 1);
    CU_ASSERT_EQUAL(c.disks[1].readwrite, 0);
    CU_ASSERT_EQUAL_FATAL(c.num_nics, 1);
    CU_ASSERT_STRING_EQUAL(c.nics[0].mac, "00:16:3e:66:92:9c");
    CU_ASSERT_STRING_EQUAL(c.nics[0].bridge, "xenbr1");
    CU_ASSERT_STRING_EQUAL(c.nics[0].script, "/etc/xen/scripts/vif-bridge");
    CU_ASSERT_STRING_EQUAL(c.nics[0].model, "netfront");
    CU_ASSERT_STRING_EQUAL(dtext(), "");
    xl_config_dispose(&c);
    dclose();
}

static void xml_error(const char *xml, const char *msg)
{
    struct xl_domain_config c;

    dopen();
    CU_ASSERT_EQUAL(xl_xml_parse_domain(&c, xml, "g.xml", diag), -1);
    CU_ASSERT_STRING_EQUAL(dtext(), msg);
    if (strcmp(dtext(), msg))
        fprintf(stderr, "\n  got:  %s  want: %s", dtext(), msg);
    dclose();
}

static void test_xml_errors(void)
{
    xml_error("<domain type='xen'>\n<name>x</name>\n</domian>\n",
              "g.xml:3:10: error: invalid XML: Opening and ending tag mismatch: domain line 1 and "
              "domian\n");
    xml_error("<vm/>\n", "g.xml:1: error: the root element must be <domain>\n");
    xml_error("<domain type='kvm'/>\n", "g.xml:1: error: <domain type='kvm'>: expected type='xen'\n");
    xml_error("<domain type='xen'>\n  <name>g</name>\n</domain>\n",
              "g.xml:1: error: <memory> is missing\n");
    xml_error("<domain type='xen'>\n  <name>g</name>\n  <memory unit='parsecs'>1</memory>\n</domain>\n",
              "g.xml:3: error: <memory>: expected a size with a unit such as 'KiB'\n");
    xml_error("<domain type='xen'>\n  <name>g</name>\n  <memory>1024</memory>\n"
              "  <os><type arch='x86_64' machine='xenfv'>hvm</type></os>\n</domain>\n",
              "g.xml:4: error: <os><type>hvm</type>: Xenolith runs PV guests (<type "
              "machine='xenpv'>linux</type>)\n");
    xml_error("<domain type='xen'>\n  <name>1/2</name>\n</domain>\n",
              "g.xml:2: error: <name>: 1/2: a domain name must not contain '/', spaces or control "
              "characters\n");
}

static void test_cfg_writer_round_trip(void)
{
    struct xl_domain_config c, back;
    char *text, *a, *b;

    dopen();
    load_cfg(&c, full_cfg);
    text = xl_cfg_format(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    load_cfg(&back, text);
    a = xl_json_domain(&c, -1);
    b = xl_json_domain(&back, -1);
    CU_ASSERT_STRING_EQUAL(a, b);
    if (strcmp(a, b))
        fprintf(stderr, "\n%s\n", text);
    CU_ASSERT_STRING_EQUAL(dtext(), "");
    free(a);
    free(b);
    free(text);
    xl_config_dispose(&c);
    xl_config_dispose(&back);
    dclose();
}

static void test_prefix_lookup(void)
{
    int amb;

    CU_ASSERT_STRING_EQUAL(xl_cmd_lookup("li", &amb)->name, "list");
    CU_ASSERT_STRING_EQUAL(xl_cmd_lookup("create", &amb)->name, "create");
    CU_ASSERT_STRING_EQUAL(xl_cmd_lookup("network-a", &amb)->name, "network-attach");
    CU_ASSERT_STRING_EQUAL(xl_cmd_lookup("vm", &amb)->name, "vm-list");
    CU_ASSERT_STRING_EQUAL(xl_cmd_lookup("domid", &amb)->name, "domid");
    CU_ASSERT_STRING_EQUAL(xl_cmd_lookup("cr", &amb)->name, "create");
    CU_ASSERT_PTR_NULL(xl_cmd_lookup("c", &amb));
    CU_ASSERT_TRUE(amb);
    CU_ASSERT_PTR_NULL(xl_cmd_lookup("dom", &amb));
    CU_ASSERT_TRUE(amb);
    CU_ASSERT_PTR_NULL(xl_cmd_lookup("network", &amb));
    CU_ASSERT_TRUE(amb);
    CU_ASSERT_PTR_NULL(xl_cmd_lookup("frobnicate", &amb));
    CU_ASSERT_FALSE(amb);
    CU_ASSERT_PTR_NULL(xl_cmd_lookup("", &amb));
    /* every command has its usage and help, and names are unique */
    for (size_t i = 0; i < xl_cmd_count; i++) {
        CU_ASSERT_PTR_NOT_NULL(xl_cmd_table[i].fn);
        CU_ASSERT_PTR_NOT_NULL(xl_cmd_table[i].usage);
        CU_ASSERT_TRUE(xl_cmd_table[i].help && *xl_cmd_table[i].help);
        CU_ASSERT_PTR_EQUAL(xl_cmd_lookup(xl_cmd_table[i].name, &amb), &xl_cmd_table[i]);
    }
}

static int run(const char *line)
{
    char buf[256], *argv[16];
    int argc = 0;

    snprintf(buf, sizeof(buf), "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 15; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    return xl_dispatch(argc, argv);
}

static void test_dispatch(void)
{
    FILE *saved = stderr;

    /* the messages themselves are checked by tests/integration/xl-golden.sh */
    stderr = fopen("/dev/null", "w");
    CU_ASSERT_EQUAL(run("-N list"), 1);
    CU_ASSERT_EQUAL(run("list"), 1);
    CU_ASSERT_EQUAL(run("li -l"), 1);
    CU_ASSERT_EQUAL(run("list -q"), 1);
    CU_ASSERT_EQUAL(run("mem-set g 12x"), 1);
    CU_ASSERT_EQUAL(run("destroy"), 1);
    CU_ASSERT_EQUAL(run("frob"), 1);
    CU_ASSERT_EQUAL(run("-Z list"), 1);
    fclose(stderr);
    stderr = saved;
}

static void suite(void)
{
    CU_pSuite s = CU_add_suite("xl_convert", NULL, NULL);

    CU_add_test(s, "JSON shape", test_json_shape);
    CU_add_test(s, "JSON round trip", test_json_round_trip);
    CU_add_test(s, "JSON list (xl list -l)", test_json_list);
    CU_add_test(s, "JSON reader errors", test_json_errors);
    CU_add_test(s, "device JSON", test_device_json);
    CU_add_test(s, "common rules (JSON input)", test_config_check);
    CU_add_test(s, "XML both ways", test_xml_both_ways);
    CU_add_test(s, "XML from libvirt", test_xml_from_libvirt);
    CU_add_test(s, "XML errors", test_xml_errors);
    CU_add_test(s, "xl.cfg written back", test_cfg_writer_round_trip);
    CU_add_test(s, "command prefixes", test_prefix_lookup);
    CU_add_test(s, "dispatch failures", test_dispatch);
}
TOOL_TEST_SUITE(suite);
