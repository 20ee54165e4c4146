/* Hypervisor command-line parsing (xen/common/cmdline.c). */
#include <xenolith/cmdline.h>

#include "harness.h"

static bool opt_flag = true, opt_other;
static uint32_t opt_num = 7;
static uint64_t opt_big;
static char opt_str[8] = "def";
static char custom_seen[32];

static int parse_custom(const char *v)
{
    if (!strcmp(v, "bad"))
        return -1;
    strlcpy(custom_seen, v, sizeof(custom_seen));
    return 0;
}

static const struct param table[] = {
    { "flag", PARAM_BOOL, &opt_flag, sizeof(opt_flag), NULL },
    { "other_flag", PARAM_BOOL, &opt_other, sizeof(opt_other), NULL },
    { "num", PARAM_UINT, &opt_num, sizeof(opt_num), NULL },
    { "big", PARAM_UINT, &opt_big, sizeof(opt_big), NULL },
    { "str", PARAM_STR, opt_str, sizeof(opt_str), NULL },
    { "custom", PARAM_CUSTOM, NULL, 0, parse_custom },
};

static char warnings[512];

static void warn(const char *opt, const char *why)
{
    size_t n = strlen(warnings);

    snprintf(warnings + n, sizeof(warnings) - n, "[%s: %s]", opt, why);
}

static int parse(const char *s)
{
    warnings[0] = '\0';
    return cmdline_parse(s, table, sizeof(table) / sizeof(table[0]), warn);
}

static void test_values(void)
{
    CU_ASSERT_EQUAL(parse("  num=42 big=0x100000000 str=abc custom=x,y  "), 0);
    CU_ASSERT_EQUAL(opt_num, 42);
    CU_ASSERT_EQUAL(opt_big, 0x100000000ULL);
    CU_ASSERT_STRING_EQUAL(opt_str, "abc");
    CU_ASSERT_STRING_EQUAL(custom_seen, "x,y");
    CU_ASSERT_STRING_EQUAL(warnings, "");
}

static void test_booleans(void)
{
    CU_ASSERT_EQUAL(parse("no-flag other-flag"), 0); /* '-' and '_' are the same */
    CU_ASSERT_FALSE(opt_flag);
    CU_ASSERT_TRUE(opt_other);
    CU_ASSERT_EQUAL(parse("flag=on other_flag=0"), 0);
    CU_ASSERT_TRUE(opt_flag);
    CU_ASSERT_FALSE(opt_other);
    CU_ASSERT_EQUAL(parse("flag=maybe"), 1);
    CU_ASSERT_TRUE(opt_flag); /* unchanged */
    CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "flag=maybe: expected a boolean"));
}

static void test_errors(void)
{
    CU_ASSERT_EQUAL(parse("unknown num=x num=4294967296 str=toolongvalue custom=bad"), 5);
    CU_ASSERT_EQUAL(opt_num, 42); /* bad values leave the old one */
    CU_ASSERT_STRING_EQUAL(opt_str, "abc");
    CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "[unknown: unknown option]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "[num=4294967296: expected an unsigned number]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "[str=toolongvalue: value too long]"));
    CU_ASSERT_EQUAL(parse("no-num"), 1); /* no- only for booleans */
}

static void test_sizes(void)
{
    uint64_t b;
    const char *end;

    CU_ASSERT_EQUAL(parse_size("512M", &end, &b), 0);
    CU_ASSERT_EQUAL(b, 512ULL << 20);
    CU_ASSERT_EQUAL(*end, '\0');
    CU_ASSERT_EQUAL(parse_size("64", &end, &b), 0); /* KiB by default, as Xen */
    CU_ASSERT_EQUAL(b, 64ULL << 10);
    CU_ASSERT_EQUAL(parse_size("2g,max:3G", &end, &b), 0);
    CU_ASSERT_EQUAL(b, 2ULL << 30);
    CU_ASSERT_STRING_EQUAL(end, ",max:3G");
    CU_ASSERT_EQUAL(parse_size("100b", NULL, &b), 0);
    CU_ASSERT_EQUAL(b, 100);
    CU_ASSERT_EQUAL(parse_size("M", NULL, &b), -1);
    CU_ASSERT_EQUAL(parse_size("99999999999T", NULL, &b), -1); /* overflow */
    CU_ASSERT_EQUAL(parse_uint("0x", NULL, &b), -1);
    CU_ASSERT_EQUAL(parse_uint("18446744073709551616", NULL, &b), -1);
}

void register_cmdline_tests(void)
{
    CU_pSuite s = CU_add_suite("cmdline", NULL, NULL);

    CU_add_test(s, "values of each type", test_values);
    CU_add_test(s, "booleans and no-", test_booleans);
    CU_add_test(s, "bad options are reported and ignored", test_errors);
    CU_add_test(s, "sizes and numbers", test_sizes);
}
