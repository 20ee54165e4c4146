/*
 * The device layer's pure half (tools/xl/dom_dev_plan.c): the xenstore key
 * sets of a vif and a vbd with their permissions (xl-inventory A1(c)),
 * devid numbering, the bridge pre-flight against a fake /sys/class/net,
 * and the rule that a disk given writable is not shared.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dom_dev.h"
#include "tool_harness.h"
#include "xl_dev.h"

static const struct dom_dev_node *find(const struct dom_dev_plan *pl, const char *path)
{
    for (size_t i = 0; i < pl->count; i++)
        if (!strcmp(pl->n[i].path, path))
            return &pl->n[i];
    return NULL;
}

static const char *value(const struct dom_dev_plan *pl, const char *path)
{
    const struct dom_dev_node *n = find(pl, path);

    return n && !n->dir ? n->value : NULL;
}

#define FE "/local/domain/7/device/vif/1"
#define BE "/local/domain/0/backend/vif/7/1"

static void test_vif_keys(void)
{
    struct dom_dev_plan pl = { 0 };
    struct xl_nic nic;
    const struct dom_dev_node *d;
    const char *why = NULL;

    xl_section_init(&xl_nic_section, &nic);
    CU_ASSERT_EQUAL_FATAL(xl_vif_parse(&nic, "mac=00:16:3e:01:02:03,bridge=br1,vifname=web0,"
                                             "ip=10.0.0.9,rate=10MB/s", NULL, stderr), 0);
    nic.devid = 1;
    CU_ASSERT_EQUAL_FATAL(dom_dev_vif_plan(&pl, 0, 7, &nic, &why), 0);
    /* The guest owns its end, Dom0 reads it; the backend the other way round. */
    d = find(&pl, FE);
    CU_ASSERT_FATAL(d && d->dir);
    CU_ASSERT_EQUAL(d->owner, 7);
    CU_ASSERT_EQUAL(d->reader, 0);
    d = find(&pl, BE);
    CU_ASSERT_FATAL(d && d->dir);
    CU_ASSERT_EQUAL(d->owner, 0);
    CU_ASSERT_EQUAL(d->reader, 7);
    CU_ASSERT_STRING_EQUAL(value(&pl, FE "/backend"), BE);
    CU_ASSERT_STRING_EQUAL(value(&pl, FE "/backend-id"), "0");
    CU_ASSERT_STRING_EQUAL(value(&pl, FE "/state"), "1");
    CU_ASSERT_STRING_EQUAL(value(&pl, FE "/handle"), "1");
    CU_ASSERT_STRING_EQUAL(value(&pl, FE "/mac"), "00:16:3e:01:02:03");
    CU_ASSERT_STRING_EQUAL(value(&pl, FE "/mtu"), "1500");
    CU_ASSERT_STRING_EQUAL(value(&pl, FE "/trusted"), "1");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/frontend"), FE);
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/frontend-id"), "7");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/online"), "1");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/state"), "1");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/hotplug-status"), "");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/script"), "/etc/xen/scripts/vif-bridge");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/bridge"), "br1");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/type"), "vif");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/vifname"), "web0");
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/ip"), "10.0.0.9");
    /* 10 MB/s in the default 50 ms interval: 500000 bytes */
    CU_ASSERT_STRING_EQUAL(value(&pl, BE "/rate"), "500000,50000");
    CU_ASSERT_PTR_NULL(value(&pl, BE "/mtu"));
    CU_ASSERT_PTR_NULL(value(&pl, BE "/gatewaydev"));
    CU_ASSERT_STRING_EQUAL(value(&pl, "/libxl/7/device/vif/1/backend"), BE);
    dom_dev_plan_free(&pl);
    nic.devid = -1;
    CU_ASSERT_EQUAL(dom_dev_vif_plan(&pl, 0, 7, &nic, &why), -1);
    CU_ASSERT_STRING_EQUAL(why, "no devid");
    dom_dev_plan_free(&pl);
    xl_section_free(&xl_nic_section, &nic);
}

static void test_vbd_keys(void)
{
    struct dom_dev_plan pl = { 0 };
    struct xl_disk disk;
    const char *why = NULL;

    xl_section_init(&xl_disk_section, &disk);
    CU_ASSERT_EQUAL_FATAL(xl_disk_parse(&disk, "file:/srv/g.img,xvdb,r", NULL, stderr), 0);
    CU_ASSERT_EQUAL_FATAL(dom_dev_vbd_plan(&pl, 0, 3, &disk, "file", &why), 0);
#define VFE "/local/domain/3/device/vbd/51728"
#define VBE "/local/domain/0/backend/vbd/3/51728"
    CU_ASSERT_PTR_NOT_NULL(find(&pl, VFE));
    CU_ASSERT_EQUAL(find(&pl, VFE)->owner, 3);
    CU_ASSERT_EQUAL(find(&pl, VBE)->owner, 0);
    CU_ASSERT_EQUAL(find(&pl, VBE)->reader, 3);
    CU_ASSERT_STRING_EQUAL(value(&pl, VFE "/virtual-device"), "51728");
    CU_ASSERT_STRING_EQUAL(value(&pl, VFE "/device-type"), "disk");
    CU_ASSERT_STRING_EQUAL(value(&pl, VFE "/backend"), VBE);
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/params"), "/srv/g.img");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/mode"), "r");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/type"), "file");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/dev"), "xvdb");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/script"), "/etc/xen/scripts/block");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/hotplug-status"), "");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/removable"), "0");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/bootable"), "1");
    CU_ASSERT_STRING_EQUAL(value(&pl, VBE "/specification"), "xen");
    dom_dev_plan_free(&pl);
    xl_section_free(&xl_disk_section, &disk);
}

static void test_vbd_type(void)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/img", tool_test_tmpdir());
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(dom_dev_vbd_type(path), "file");
    CU_ASSERT_STRING_EQUAL(dom_dev_vbd_type("/dev/null-not-there"), "phy");
}

static void test_next_devid(void)
{
    char *none[] = { NULL };
    char *some[] = { "0", "3", "1" };
    char *odd[] = { "x", "2" };

    CU_ASSERT_EQUAL(dom_dev_next_devid(none, 0), 0);
    CU_ASSERT_EQUAL(dom_dev_next_devid(some, 3), 4);
    CU_ASSERT_EQUAL(dom_dev_next_devid(odd, 2), 3);
}

static void test_bridge_check(void)
{
    char root[256], p[300], why[160];

    snprintf(root, sizeof(root), "%s/net", tool_test_tmpdir());
    mkdir(root, 0755);
    snprintf(p, sizeof(p), "%s/xenbr0", root);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/xenbr0/bridge", root);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/eth0", root);
    mkdir(p, 0755);
    CU_ASSERT_EQUAL(dom_dev_check_bridge(root, "xenbr0", why, sizeof(why)), 0);
    CU_ASSERT_EQUAL(dom_dev_check_bridge(root, "xenbr1", why, sizeof(why)), -1);
    CU_ASSERT_STRING_EQUAL(why, "bridge xenbr1 does not exist");
    CU_ASSERT_EQUAL(dom_dev_check_bridge(root, "eth0", why, sizeof(why)), -1);
    CU_ASSERT_STRING_EQUAL(why, "eth0 is a network interface but not a bridge");
}

static void test_sharing(void)
{
    struct dom_dev_use uses[] = {
        { 1, "/srv/a.img", true },
        { 2, "/srv/b.img", false },
    };

    /* writable elsewhere: nobody else, in any mode */
    CU_ASSERT_EQUAL(dom_dev_sharing_conflict(uses, 2, "/srv/a.img", true), 0);
    CU_ASSERT_EQUAL(dom_dev_sharing_conflict(uses, 2, "/srv/a.img", false), 0);
    /* read-only elsewhere: more readers, no writer */
    CU_ASSERT_EQUAL(dom_dev_sharing_conflict(uses, 2, "/srv/b.img", false), -1);
    CU_ASSERT_EQUAL(dom_dev_sharing_conflict(uses, 2, "/srv/b.img", true), 1);
    CU_ASSERT_EQUAL(dom_dev_sharing_conflict(uses, 2, "/srv/c.img", true), -1);
}

static void suite(void)
{
    CU_pSuite s = CU_add_suite("dom_dev", NULL, NULL);

    CU_add_test(s, "vif xenstore keys", test_vif_keys);
    CU_add_test(s, "vbd xenstore keys", test_vbd_keys);
    CU_add_test(s, "vbd type", test_vbd_type);
    CU_add_test(s, "next devid", test_next_devid);
    CU_add_test(s, "bridge pre-flight", test_bridge_check);
    CU_add_test(s, "disk sharing", test_sharing);
}
TOOL_TEST_SUITE(suite);
