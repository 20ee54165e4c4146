/*
 * xl.cfg: the grammar (every feature and every error with its exact
 * file:line:col text), the keys' validation and defaults, the closest-key
 * suggestion, memory sizes with units.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "tool_harness.h"
#include "xl_cfg.h"

static char *diag_buf;
static size_t diag_len;
static FILE *diag;

static void diag_open(void)
{
    diag_buf = NULL;
    diag = open_memstream(&diag_buf, &diag_len);
}

static const char *diag_text(void)
{
    fflush(diag);
    return diag_buf ? diag_buf : "";
}

static void diag_close(void)
{
    fclose(diag);
    free(diag_buf);
    diag_buf = NULL;
}

/* Parses text as t.cfg; the diagnostics are in diag_text() until diag_close(). */
static int parse_tree(struct xlcfg *cfg, const char *text)
{
    xlcfg_init(cfg);
    diag_open();
    return xlcfg_parse(cfg, "t.cfg", text, diag);
}

static int parse_dom(struct xl_domain_config *c, const char *text)
{
    struct xlcfg cfg;
    int rc = parse_tree(&cfg, text);

    if (rc == 0)
        rc = xl_config_from_cfg(c, &cfg, diag);
    else
        xl_config_init(c);
    xlcfg_free(&cfg);
    return rc;
}

/* The text must fail to parse with exactly msg (one line). */
static void expect_error(const char *text, const char *msg)
{
    struct xl_domain_config c;
    char want[512];

    CU_ASSERT_EQUAL(parse_dom(&c, text), -1);
    snprintf(want, sizeof(want), "%s\n", msg);
    CU_ASSERT_STRING_EQUAL(diag_text(), want);
    if (strcmp(diag_text(), want))
        fprintf(stderr, "\n  got:  %s  want: %s", diag_text(), want);
    diag_close();
    xl_config_dispose(&c);
}

#define BASE "name = \"g\"\nkernel = \"/k\"\n"

static void test_strings_and_escapes(void)
{
    struct xlcfg cfg;
    struct xl_domain_config c;

    CU_ASSERT_EQUAL(parse_tree(&cfg, "s = \"a\\tb\\n\\\"q\\\" \\x41\\101 'x' \\\\\"\n"
                                     "t = 'it\\'s \"here\"'\n"), 0);
    CU_ASSERT_STRING_EQUAL(xlcfg_get(&cfg, "s")->value->text, "a\tb\n\"q\" AA 'x' \\");
    CU_ASSERT_STRING_EQUAL(xlcfg_get(&cfg, "t")->value->text, "it's \"here\"");
    CU_ASSERT_STRING_EQUAL(diag_text(), "");
    diag_close();
    xlcfg_free(&cfg);
    CU_ASSERT_EQUAL(parse_dom(&c, BASE "cmdline = \"a\\tb \\\"q\\\"\"\n"), 0);
    CU_ASSERT_STRING_EQUAL(c.b_info.cmdline, "a\tb \"q\"");
    diag_close();
    xl_config_dispose(&c);
    /* the escapes can write control characters; no value may hold one */
    expect_error(BASE "cmdline = \"a\\nb\"\n",
                 "t.cfg:3:11: error: cmdline: control character 0x0a at offset 1 of the value");
    expect_error(BASE "cmdline = \"caf\xc3\xa9 \\200\"\n",
                 "t.cfg:3:11: error: cmdline: byte 0x80 at offset 6 of the value is not UTF-8");
}

static void test_numbers(void)
{
    struct xl_domain_config c;

    /* kept as text, converted with their C base: 0x hex, leading 0 octal */
    CU_ASSERT_EQUAL(parse_dom(&c, BASE "memory = 0x200\nmaxmem = 02000\nvcpus = \"3\"\n"), 0);
    CU_ASSERT_EQUAL(c.b_info.target_memkb, 512 * 1024);
    CU_ASSERT_EQUAL(c.b_info.max_memkb, 1024 * 1024);
    CU_ASSERT_EQUAL(c.b_info.avail_vcpus, 3);
    diag_close();
    xl_config_dispose(&c);
}

static void test_lists_across_lines(void)
{
    struct xlcfg cfg;
    const struct xlcfg_setting *s;

    CU_ASSERT_EQUAL(parse_tree(&cfg, "x = [ 1,\n  [ \"a\", [] ], # comment\n\n  'b',\n]\n"), 0);
    s = xlcfg_get(&cfg, "x");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->value->kind, XLCFG_LIST);
    CU_ASSERT_EQUAL_FATAL(s->value->n, 3);
    CU_ASSERT_EQUAL(s->value->items[0]->kind, XLCFG_NUMBER);
    CU_ASSERT_STRING_EQUAL(s->value->items[0]->text, "1");
    CU_ASSERT_EQUAL(s->value->items[1]->kind, XLCFG_LIST);
    CU_ASSERT_EQUAL(s->value->items[1]->n, 2);
    CU_ASSERT_EQUAL(s->value->items[1]->items[1]->n, 0);
    CU_ASSERT_STRING_EQUAL(s->value->items[2]->text, "b");
    CU_ASSERT_EQUAL(s->value->items[2]->loc.line, 4);
    CU_ASSERT_EQUAL(s->value->items[2]->loc.col, 3);
    diag_close();
    xlcfg_free(&cfg);
}

static void test_comments_separators_last_line(void)
{
    struct xl_domain_config c;

    /* ';' separates, '#' comments, CRLF, and no newline at the end */
    CU_ASSERT_EQUAL(parse_dom(&c, "# a guest\r\nname = \"g\" # its name\r\n"
                                  "kernel = \"/k\"; memory = 64;; vcpus = 2\nmaxvcpus = 4"),
                    0);
    CU_ASSERT_STRING_EQUAL(c.c_info.name, "g");
    CU_ASSERT_EQUAL(c.b_info.target_memkb, 64 * 1024);
    CU_ASSERT_EQUAL(c.b_info.max_vcpus, 4);
    CU_ASSERT_EQUAL(c.b_info.avail_vcpus, 2);
    diag_close();
    xl_config_dispose(&c);
}

static void test_last_wins_and_append(void)
{
    struct xl_domain_config c;

    CU_ASSERT_EQUAL(parse_dom(&c, BASE "memory = 64\nmemory = 128\nextra = \"a\"\n"
                                       "extra += \" b\"\nvif = [ 'bridge=br0' ]\n"
                                       "vif += [ 'bridge=br1' ]\n"),
                    0);
    CU_ASSERT_EQUAL(c.b_info.target_memkb, 128 * 1024);
    CU_ASSERT_STRING_EQUAL(c.b_info.cmdline, "a b");
    CU_ASSERT_EQUAL_FATAL(c.num_nics, 2);
    CU_ASSERT_STRING_EQUAL(c.nics[1].bridge, "br1");
    CU_ASSERT_EQUAL(c.nics[1].devid, 1);
    diag_close();
    xl_config_dispose(&c);
}

static void test_grammar_errors(void)
{
    expect_error(BASE "memory = 512 +\n",
                 "t.cfg:3:14: error: unexpected '+' (xl.cfg is not Python: is this an xm config?)");
    expect_error("name = \"abc\nkernel = \"/k\"\n", "t.cfg:1:8: error: unterminated string \"abc");
    expect_error("name = \"a\\qb\"\n", "t.cfg:1:10: error: invalid escape '\\q' in string");
    expect_error("name = \"a\\0b\"\n", "t.cfg:1:10: error: invalid escape '\\0' in string");
    expect_error("name = \"a\\x00\"\n", "t.cfg:1:10: error: invalid escape '\\x00' in string");
    expect_error("name \"a\"\n",
                 "t.cfg:1:6: error: expected '=' or '+=' after the key, found string \"a\"");
    expect_error(BASE "disk = [ 'a',\n", "t.cfg:3:8: error: unterminated list: '[' has no ']'");
    expect_error(BASE "disk = [ 'a' 'b' ]\n",
                 "t.cfg:3:14: error: expected ',' or ']', found string \"b\"");
    expect_error(BASE "memory = 1 2\n",
                 "t.cfg:3:12: error: expected end of line or ';' after the value, found '2'");
    expect_error("Memory = 1\n", "t.cfg:1:1: error: invalid key 'Memory': keys are lower-case");
    expect_error(BASE "memory = 1\nmemory += 2\n",
                 "t.cfg:4:8: error: '+=' cannot extend the number 'memory' (set at line 3) with a "
                 "number");
    expect_error(BASE "extra = 'a'\nextra += [ 'b' ]\n",
                 "t.cfg:4:7: error: '+=' cannot extend the string 'extra' (set at line 3) with a "
                 "list");
    expect_error("type = pv\n", "t.cfg:1:8: error: expected a value (string, number or list), "
                                "found 'pv' (strings are quoted: \"pv\")");
    expect_error("= 1\n", "t.cfg:1:1: error: expected a key, found '='");
    expect_error("name = \n", "t.cfg:1:8: error: expected a value (string, number or list), "
                              "found end of line");
    expect_error("name = 'a' ]\n",
                 "t.cfg:1:12: error: expected end of line or ';' after the value, found ']'");
    expect_error("name = 'a'\x01\n", "t.cfg:1:11: error: unexpected byte 0x01");
}

static void test_key_errors(void)
{
    expect_error(BASE "memory = \"abc\"\n", "t.cfg:3:10: error: memory: expected a number, found 'abc'");
    expect_error(BASE "memory = [ 1 ]\n", "t.cfg:3:10: error: memory: expected a number, found a list");
    expect_error(BASE "memory = 0\n", "t.cfg:3:10: error: memory: 0 is out of range (1 to 4294967295)");
    expect_error(BASE "vcpus = 0\n", "t.cfg:3:9: error: vcpus: 0 is out of range (1 to 4096)");
    expect_error(BASE "cpu_weight = 70000\n",
                 "t.cfg:3:14: error: cpu_weight: 70000 is out of range (1 to 65535)");
    expect_error("name = \"a/b\"\nkernel = \"/k\"\n",
                 "t.cfg:1:8: error: name: invalid name \"a/b\": a domain name must not contain "
                 "'/', spaces or control characters");
    expect_error("name = \"42\"\nkernel = \"/k\"\n",
                 "t.cfg:1:8: error: name: invalid name \"42\": a domain name must not be all "
                 "digits (it would read as a domain id)");
    expect_error(BASE "uuid = \"1234\"\n",
                 "t.cfg:3:8: error: uuid: invalid UUID \"1234\" (expected "
                 "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    expect_error(BASE "on_crash = \"explode\"\n",
                 "t.cfg:3:12: error: on_crash: invalid action \"explode\" (expected destroy, "
                 "restart, rename-restart, preserve, coredump-destroy, coredump-restart or "
                 "soft-reset)");
    expect_error(BASE "cpus = \"5-2\"\n",
                 "t.cfg:3:8: error: cpus: invalid CPU list \"5-2\" (expected \"all\" or e.g. "
                 "\"0-3,^2\", CPUs 0-511)");
    expect_error("name = \"g\"\nkernel = 1\n",
                 "t.cfg:2:10: error: kernel: expected a string, found a number");
    expect_error(BASE "vcpus = 4\nmaxvcpus = 2\n",
                 "t.cfg:3:9: error: vcpus (4) must not exceed maxvcpus (2)");
    expect_error(BASE "memory = 512\nmaxmem = 256\n",
                 "t.cfg:4:10: error: maxmem (256 MiB) must not be below memory (512 MiB)");
    expect_error("kernel = \"/k\"\n",
                 "t.cfg:1:1: error: name: a domain name must be set (name = \"...\")");
    expect_error("name = \"g\"\n",
                 "t.cfg:1:1: error: a PV guest needs kernel = \"...\" (or bootloader = \"pygrub\")");
    expect_error(BASE "type = \"hvm\"\n",
                 "t.cfg:3:8: error: type: \"hvm\" guests are not supported: Xenolith runs PV "
                 "guests (type=\"pv\")");
    expect_error(BASE "vif = 'bridge=xenbr0'\n",
                 "t.cfg:3:7: error: vif: expected a list of strings like [ '...' ], found a string");
    expect_error(BASE "disk = [ 1 ]\n", "t.cfg:3:10: error: disk: expected a string, found a number");
    expect_error(BASE "disk = [ '/a,raw,xvda', '/b,raw,xvda' ]\n",
                 "t.cfg:3:25: error: disk: vdev xvda is used twice (disks 0 and 1)");
}

static void test_defaults(void)
{
    struct xl_domain_config c;

    CU_ASSERT_EQUAL(parse_dom(&c, BASE), 0);
    CU_ASSERT_EQUAL(c.c_info.type, XL_DOMTYPE_PV);
    /* libxl: 32 MiB when memory= is absent; maxmem follows memory */
    CU_ASSERT_EQUAL(c.b_info.target_memkb, 32768);
    CU_ASSERT_EQUAL(c.b_info.max_memkb, 32768);
    CU_ASSERT_EQUAL(c.b_info.avail_vcpus, 1);
    CU_ASSERT_EQUAL(c.b_info.max_vcpus, 1);
    CU_ASSERT_EQUAL(c.act.on_poweroff, XL_ACTION_DESTROY);
    CU_ASSERT_EQUAL(c.act.on_reboot, XL_ACTION_RESTART);
    CU_ASSERT_EQUAL(c.act.on_crash, XL_ACTION_DESTROY);
    CU_ASSERT_EQUAL(c.act.on_watchdog, XL_ACTION_DESTROY);
    CU_ASSERT_EQUAL(c.act.on_soft_reset, XL_ACTION_SOFT_RESET);
    CU_ASSERT_TRUE(xl_valid_uuid(c.c_info.uuid));
    CU_ASSERT_PTR_NULL(c.b_info.cmdline);
    CU_ASSERT_EQUAL(c.b_info.localtime, -1);
    diag_close();
    xl_config_dispose(&c);
}

static void test_all_pv_keys(void)
{
    struct xl_domain_config c;

    CU_ASSERT_EQUAL(parse_dom(&c, "name = 'g'\nbuilder = 'generic'\nbootloader = 'pygrub'\n"
                                  "bootloader_args = [ '-q' ]\nuuid = '039E9EE6-4A2D-4BD6-A4C2-8BA426AE2656'\n"
                                  "memory = 256\nmaxmem = 512\nvcpus = 2\nmaxvcpus = 4\n"
                                  "cpus = 'all'\ncpu_weight = 512\ncap = 50\n"
                                  "on_poweroff = 'preserve'\non_reboot = 'rename-restart'\n"
                                  "on_crash = 'coredump-restart'\non_watchdog = 'coredump-destroy'\n"
                                  "on_soft_reset = 'destroy'\nmax_grant_frames = 64\n"
                                  "max_maptrack_frames = 1024\nmax_event_channels = 2047\n"
                                  "e820_host = 1\nnomigrate = 1\ndriver_domain = 0\n"
                                  "seclabel = 'system_u:system_r:domU_t'\nlocaltime = 0\npool = 'p'\n"),
                    0);
    CU_ASSERT_STRING_EQUAL(c.c_info.uuid, "039e9ee6-4a2d-4bd6-a4c2-8ba426ae2656");
    CU_ASSERT_STRING_EQUAL(c.b_info.bootloader, "pygrub");
    CU_ASSERT_STRING_EQUAL(c.b_info.bootloader_args[0], "-q");
    CU_ASSERT_EQUAL(c.b_info.max_memkb, 512 * 1024);
    CU_ASSERT_EQUAL(c.b_info.target_memkb, 256 * 1024);
    CU_ASSERT_STRING_EQUAL(c.b_info.cpumap, "all");
    CU_ASSERT_EQUAL(c.b_info.sched_weight, 512);
    CU_ASSERT_EQUAL(c.b_info.sched_cap, 50);
    CU_ASSERT_EQUAL(c.act.on_poweroff, XL_ACTION_PRESERVE);
    CU_ASSERT_EQUAL(c.act.on_reboot, XL_ACTION_RENAME_RESTART);
    CU_ASSERT_EQUAL(c.act.on_crash, XL_ACTION_COREDUMP_RESTART);
    CU_ASSERT_EQUAL(c.act.on_watchdog, XL_ACTION_COREDUMP_DESTROY);
    CU_ASSERT_EQUAL(c.act.on_soft_reset, XL_ACTION_DESTROY);
    CU_ASSERT_EQUAL(c.b_info.max_grant_frames, 64);
    CU_ASSERT_EQUAL(c.b_info.max_maptrack_frames, 1024);
    CU_ASSERT_EQUAL(c.b_info.event_channels, 2047);
    CU_ASSERT_EQUAL(c.b_info.e820_host, 1);
    CU_ASSERT_EQUAL(c.b_info.disable_migrate, 1);
    CU_ASSERT_EQUAL(c.c_info.driver_domain, 0);
    CU_ASSERT_EQUAL(c.b_info.localtime, 0);
    CU_ASSERT_STRING_EQUAL(c.c_info.ssid_label, "system_u:system_r:domU_t");
    CU_ASSERT_STRING_EQUAL(c.c_info.pool_name, "p");
    CU_ASSERT_STRING_EQUAL(diag_text(), "");
    diag_close();
    xl_config_dispose(&c);
}

static void test_cmdline_rules(void)
{
    struct xl_domain_config c;

    CU_ASSERT_EQUAL(parse_dom(&c, BASE "root = '/dev/xvda1'\nextra = 'console=hvc0'\n"), 0);
    CU_ASSERT_STRING_EQUAL(c.b_info.cmdline, "root=/dev/xvda1 console=hvc0");
    diag_close();
    xl_config_dispose(&c);
    CU_ASSERT_EQUAL(parse_dom(&c, BASE "root = '/dev/xvda1'\n"), 0);
    CU_ASSERT_STRING_EQUAL(c.b_info.cmdline, "root=/dev/xvda1");
    diag_close();
    xl_config_dispose(&c);
    /* xl.cfg(5): cmdline wins over root and extra */
    CU_ASSERT_EQUAL(parse_dom(&c, BASE "extra = 'x'\ncmdline = 'quiet'\n"), 0);
    CU_ASSERT_STRING_EQUAL(c.b_info.cmdline, "quiet");
    CU_ASSERT_STRING_EQUAL(diag_text(),
                           "t.cfg:3:1: warning: ignoring root= and extra= because cmdline= is set\n");
    diag_close();
    xl_config_dispose(&c);
}

static void test_unknown_key_warning(void)
{
    struct xl_domain_config c;

    /* Xen ignores them silently; Xenolith warns, names the closest, goes on */
    CU_ASSERT_EQUAL(parse_dom(&c, BASE "memroy = 512\nzzzzzzzz = 1\nvfb = [ 'vnc=1' ]\n"), 0);
    CU_ASSERT_STRING_EQUAL(diag_text(),
                           "t.cfg:3:1: warning: unknown key 'memroy' (did you mean 'memory'?)\n"
                           "t.cfg:4:1: warning: unknown key 'zzzzzzzz'\n"
                           "t.cfg:5:1: warning: 'vfb' is not supported by Xenolith yet; ignored\n");
    CU_ASSERT_EQUAL(c.b_info.target_memkb, 32768);
    diag_close();
    xl_config_dispose(&c);
}

static void test_closest_key(void)
{
    const char *const *keys = xl_cfg_known_keys();

    CU_ASSERT_EQUAL(xl_edit_distance("memroy", "memory"), 1);
    CU_ASSERT_EQUAL(xl_edit_distance("kitten", "sitting"), 3);
    CU_ASSERT_EQUAL(xl_edit_distance("", "abc"), 3);
    CU_ASSERT_EQUAL(xl_edit_distance("same", "same"), 0);
    CU_ASSERT_STRING_EQUAL(xl_closest("memroy", keys), "memory");
    CU_ASSERT_STRING_EQUAL(xl_closest("vcpu", keys), "vcpus");
    CU_ASSERT_STRING_EQUAL(xl_closest("kernal", keys), "kernel");
    CU_ASSERT_STRING_EQUAL(xl_closest("on_crahs", keys), "on_crash");
    CU_ASSERT_STRING_EQUAL(xl_closest("ramdsik", keys), "ramdisk");
    CU_ASSERT_PTR_NULL(xl_closest("zzzzzz", keys));
    CU_ASSERT_PTR_NULL(xl_closest("q", keys));
}

static void test_memory_units(void)
{
    CU_ASSERT_EQUAL(xl_parse_memkb("1024"), 1024);
    CU_ASSERT_EQUAL(xl_parse_memkb("1024k"), 1024);
    CU_ASSERT_EQUAL(xl_parse_memkb("1024K"), 1024);
    CU_ASSERT_EQUAL(xl_parse_memkb("512m"), 512 * 1024);
    CU_ASSERT_EQUAL(xl_parse_memkb("512M"), 512 * 1024);
    CU_ASSERT_EQUAL(xl_parse_memkb("2g"), 2 * 1024 * 1024);
    CU_ASSERT_EQUAL(xl_parse_memkb("1t"), 1024LL * 1024 * 1024);
    CU_ASSERT_EQUAL(xl_parse_memkb("1b"), 1);
    CU_ASSERT_EQUAL(xl_parse_memkb("1025B"), 2);
    CU_ASSERT_EQUAL(xl_parse_memkb("0"), 0);
    CU_ASSERT_EQUAL(xl_parse_memkb(""), -1);
    CU_ASSERT_EQUAL(xl_parse_memkb("12x"), -1);
    CU_ASSERT_EQUAL(xl_parse_memkb("-5"), -1);
    CU_ASSERT_EQUAL(xl_parse_memkb("1mb"), -1);
    CU_ASSERT_EQUAL(xl_parse_memkb("m"), -1);
    CU_ASSERT_EQUAL(xl_parse_memkb("99999999999999999999"), -1);
    CU_ASSERT_EQUAL(xl_parse_memkb("9999999999t"), -1);
}

static void test_cpumap(void)
{
    unsigned char bits[8];

    CU_ASSERT_EQUAL(xl_cpumap_parse("0-3,^2", bits, 64), 4);
    CU_ASSERT_EQUAL(bits[0], 0x0b);
    CU_ASSERT_EQUAL(xl_cpumap_parse("5", bits, 64), 6);
    CU_ASSERT_EQUAL(xl_cpumap_parse("1,", bits, 64), 2);
    CU_ASSERT_EQUAL(xl_cpumap_parse("a", bits, 64), -1);
    CU_ASSERT_EQUAL(xl_cpumap_parse("64", bits, 64), -1);
    CU_ASSERT_EQUAL(xl_cpumap_parse("3-", bits, 64), -1);
}

static void suite(void)
{
    CU_pSuite s = CU_add_suite("xl_cfg", NULL, NULL);

    CU_add_test(s, "strings and escapes", test_strings_and_escapes);
    CU_add_test(s, "numbers keep their base", test_numbers);
    CU_add_test(s, "nested lists across lines", test_lists_across_lines);
    CU_add_test(s, "comments, ';', CRLF, last line", test_comments_separators_last_line);
    CU_add_test(s, "last assignment wins, +=", test_last_wins_and_append);
    CU_add_test(s, "grammar errors", test_grammar_errors);
    CU_add_test(s, "key validation errors", test_key_errors);
    CU_add_test(s, "libxl defaults", test_defaults);
    CU_add_test(s, "every PV key", test_all_pv_keys);
    CU_add_test(s, "cmdline, root, extra", test_cmdline_rules);
    CU_add_test(s, "unknown key warning", test_unknown_key_warning);
    CU_add_test(s, "closest key", test_closest_key);
    CU_add_test(s, "memory units", test_memory_units);
    CU_add_test(s, "cpu lists", test_cpumap);
}
TOOL_TEST_SUITE(suite);
