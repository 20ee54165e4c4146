/*
 * bzImage payloads (xen/common/bzimage.c): synthetic setup headers around
 * an XZ vector (build/unit/vectors/), and Debian's own kernel when
 * scripts/fetch-linux.sh has put it at build/linux/vmlinuz.
 */
#include <stdlib.h>
#include <xenolith/bzimage.h>
#include <xenolith/elf.h>
#include <xenolith/xz.h>

#include "harness.h"

#define KERNEL "build/linux/vmlinuz"

static struct xz_dec xz;

static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc(n ? n : 1);
    if (buf && fread(buf, 1, n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/*
 * A bzImage as Linux lays one out: setup sectors, then the protected-mode
 * code, whose payload_offset bytes in hold the XZ data and the appended
 * decompressed size. Sizes the image exactly, for ASan.
 */
static uint8_t *bzimage, *xzdata, *original;
static size_t bz_len, xz_len, orig_len;

#define PAYLOAD_OFFSET 0x180

static void build(unsigned setup_sects)
{
    size_t pm = ((setup_sects ? setup_sects : 4) + 1) * 512;

    if (!xzdata) {
        xzdata = load("build/unit/vectors/ls.x86-crc32.xz", &xz_len);
        original = load("build/unit/vectors/ls", &orig_len);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(xzdata && original);
    free(bzimage);
    bz_len = pm + PAYLOAD_OFFSET + xz_len + 4 + 100;
    bzimage = calloc(1, bz_len);
    bzimage[0x1f1] = (uint8_t)setup_sects;
    put16(bzimage + 0x1fe, 0xaa55);
    memcpy(bzimage + 0x202, "HdrS", 4);
    put16(bzimage + 0x206, 0x020f);
    put32(bzimage + 0x248, PAYLOAD_OFFSET);
    put32(bzimage + 0x24c, xz_len + 4);
    memcpy(bzimage + pm + PAYLOAD_OFFSET, xzdata, xz_len);
    put32(bzimage + pm + PAYLOAD_OFFSET + xz_len, orig_len);
}

static void test_synthetic(void)
{
    static const unsigned sects[] = { 1, 0, 39, 255 };

    for (size_t i = 0; i < ARRAY_SIZE(sects); i++) {
        size_t pm = ((sects[i] ? sects[i] : 4) + 1) * 512, plen, xlen, out_size, out_len;
        const void *payload;
        const char *err = NULL;
        uint8_t *out;

        build(sects[i]);
        CU_ASSERT_FALSE(is_elf(bzimage, bz_len));
        CU_ASSERT_EQUAL_FATAL(bzimage_payload(bzimage, bz_len, &payload, &plen), 0);
        CU_ASSERT_PTR_EQUAL(payload, bzimage + pm + PAYLOAD_OFFSET);
        CU_ASSERT_EQUAL(plen, xz_len + 4);
        CU_ASSERT_STRING_EQUAL(bzimage_payload_format(payload, plen), "xz");
        CU_ASSERT_EQUAL_FATAL(bzimage_xz_sizes(payload, plen, &xlen, &out_size, &err), 0);
        CU_ASSERT_EQUAL(xlen, xz_len);
        CU_ASSERT_EQUAL(out_size, orig_len);
        out = malloc(out_size);
        CU_ASSERT_EQUAL(xz_decompress(&xz, payload, xlen, out, out_size, &out_len, &err), 0);
        CU_ASSERT(out_len == orig_len && !memcmp(out, original, orig_len));
        CU_ASSERT_TRUE(is_elf(out, out_len));
        free(out);
    }
}

static void test_not_bzimage(void)
{
    static const uint8_t elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    const void *payload;
    size_t plen;

    CU_ASSERT_TRUE(is_elf(elf, sizeof(elf)));
    CU_ASSERT_FALSE(is_elf(elf, 3));
    CU_ASSERT_EQUAL(bzimage_payload(elf, sizeof(elf), &payload, &plen), -1);

    build(1);
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, 0x24f, &payload, &plen), -1); /* header cut */
    bzimage[0x205] = 'Z';
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), -1);
}

static void test_bad_headers(void)
{
    const void *payload;
    size_t plen, pm = 1024;

    build(1);
    put16(bzimage + 0x206, 0x0207); /* no payload fields before 2.08 */
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), -2);

    build(1);
    put32(bzimage + 0x24c, bz_len - pm - PAYLOAD_OFFSET); /* ends at the image's end */
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), 0);
    put32(bzimage + 0x24c, bz_len - pm - PAYLOAD_OFFSET + 1);
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), -2);
    put32(bzimage + 0x24c, 0xffffffff);
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), -2);
    put32(bzimage + 0x24c, 0);
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), -2);

    build(1);
    put32(bzimage + 0x248, 0xffffffff);
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), -2);
    put32(bzimage + 0x248, bz_len - pm);
    put32(bzimage + 0x24c, 1);
    CU_ASSERT_EQUAL(bzimage_payload(bzimage, bz_len, &payload, &plen), -2);
}

static void test_payload_sizes(void)
{
    const void *payload;
    size_t plen, xlen, out_size;
    const char *err = NULL;
    uint8_t *p;

    build(1);
    CU_ASSERT_EQUAL_FATAL(bzimage_payload(bzimage, bz_len, &payload, &plen), 0);
    p = (uint8_t *)payload;

    put32(p + plen - 4, orig_len + 1);
    CU_ASSERT_EQUAL(bzimage_xz_sizes(payload, plen, &xlen, &out_size, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "differs from the XZ index"));
    put32(p + plen - 4, orig_len);

    CU_ASSERT_EQUAL(bzimage_xz_sizes(payload, plen - 1, &xlen, &out_size, &err), -1);
    CU_ASSERT_EQUAL(bzimage_xz_sizes(payload, 3, &xlen, &out_size, &err), -1);

    memcpy(p, "\x1f\x8b\x08\x00", 4);
    CU_ASSERT_STRING_EQUAL(bzimage_payload_format(payload, plen), "gzip");
    CU_ASSERT_EQUAL(bzimage_xz_sizes(payload, plen, &xlen, &out_size, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "not XZ"));
    memcpy(p, "\x28\xb5\x2f\xfd", 4);
    CU_ASSERT_STRING_EQUAL(bzimage_payload_format(payload, plen), "zstd");
    memcpy(p, "????", 4);
    CU_ASSERT_STRING_EQUAL(bzimage_payload_format(payload, plen), "unknown");
    CU_ASSERT_STRING_EQUAL(bzimage_payload_format(payload, 1), "unknown");
}

/* Debian's linux-image-*-amd64: XZ, x86 BCJ, CRC32, the size appended. */
static void test_debian_kernel(void)
{
    size_t len, plen, xlen, out_size, out_len = 0;
    uint8_t *img = load(KERNEL, &len), *out;
    const void *payload;
    const char *err = NULL;
    struct elf_kernel k;
    char why[160];

    if (!img) {
        printf("(skipped: no %s; scripts/fetch-linux.sh puts one there) ", KERNEL);
        CU_PASS("no Debian kernel to decompress");
        return;
    }
    CU_ASSERT_EQUAL_FATAL(bzimage_payload(img, len, &payload, &plen), 0);
    CU_ASSERT_STRING_EQUAL(bzimage_payload_format(payload, plen), "xz");
    if (bzimage_xz_sizes(payload, plen, &xlen, &out_size, &err))
        fprintf(stderr, "\n  %s: %s\n", KERNEL, err);
    CU_ASSERT_EQUAL_FATAL(err, NULL);
    out = malloc(out_size);
    if (xz_decompress(&xz, payload, xlen, out, out_size, &out_len, &err))
        fprintf(stderr, "\n  %s: %s\n", KERNEL, err);
    CU_ASSERT_EQUAL(err, NULL);
    CU_ASSERT_EQUAL(out_len, out_size);
    CU_ASSERT(is_elf(out, out_len) && out[4] == 2 /* ELFCLASS64 */);
    /* And it is a Xen PV kernel as the Dom0 builder will read it. */
    if (elf_kernel_parse(&k, out, out_len, why, sizeof(why))) {
        fprintf(stderr, "\n  %s: %s\n", KERNEL, why);
        CU_FAIL("the decompressed kernel is not a Xen PV kernel");
    } else {
        CU_ASSERT_STRING_EQUAL(k.guest_os, "linux");
    }
    printf("(%zu -> %zu bytes) ", xlen, out_len);
    free(out);
    free(img);
}

static int cleanup(void)
{
    free(bzimage);
    free(xzdata);
    free(original);
    bzimage = xzdata = original = NULL;
    return 0;
}

void register_bzimage_tests(void)
{
    CU_pSuite s = CU_add_suite("bzimage", NULL, cleanup);

    CU_add_test(s, "payload of a synthetic bzImage decompresses", test_synthetic);
    CU_add_test(s, "ELF images and others are not bzImages", test_not_bzimage);
    CU_add_test(s, "old protocols and out-of-bounds payloads", test_bad_headers);
    CU_add_test(s, "appended size, payload formats", test_payload_sizes);
    CU_add_test(s, "Debian's kernel bzImage (build/linux/vmlinuz)", test_debian_kernel);
}
