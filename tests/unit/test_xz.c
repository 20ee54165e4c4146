/*
 * XZ decompression (xen/common/xz.c) against files the host's xz made at
 * build time (tests/unit/unit.mk, build/unit/vectors/), and against
 * truncated, bit-flipped and randomly damaged copies of them. Damaged
 * input sits in a buffer of exactly its size, so ASan sees any over-read.
 */
#include <stdlib.h>
#include <xenolith/xz.h>

#include "harness.h"

#define VECTORS "build/unit/vectors/"

static struct xz_dec xz; /* ~38 KiB: never on a stack */

/* A vector file in a malloc'd buffer of exactly its size (at least 1). */
static uint8_t *load(const char *name, size_t *len)
{
    char path[256];
    FILE *f;
    uint8_t *buf;
    long n;

    snprintf(path, sizeof(path), VECTORS "%s", name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "\n  cannot open %s (run from the repository root after make)\n", path);
        return NULL;
    }
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

static uint8_t *dup_exact(const uint8_t *p, size_t len)
{
    uint8_t *q = malloc(len ? len : 1);

    memcpy(q, p, len);
    return q;
}

/* Decompresses in into a fresh buffer of out_size bytes; the result or -1. */
static int run(const uint8_t *in, size_t len, size_t out_size, uint8_t **out, size_t *out_len,
               const char **err)
{
    uint8_t *copy = dup_exact(in, len);
    int rc;

    *out = malloc(out_size ? out_size : 1);
    *out_len = ~(size_t)0;
    rc = xz_decompress(&xz, copy, len, *out, out_size, out_len, err);
    if (rc == 0) {
        CU_ASSERT(*out_len <= out_size);
    } else {
        CU_ASSERT_PTR_NOT_NULL(*err);
        CU_ASSERT_EQUAL(*out_len, ~(size_t)0); /* untouched on failure */
    }
    free(copy);
    return rc;
}

static const struct {
    const char *xz, *original;
} vectors[] = {
    { "ls.x86-crc32.xz", "ls" },       /* as scripts/xz_wrap.sh compresses x86 */
    { "ls.kernel.xz", "ls" },          /* ... with its dict=32MiB */
    { "ls.x86start.xz", "ls" },        /* BCJ with a start offset */
    { "ls.lclppb.xz", "ls" },          /* lc=1 lp=3 pb=3, CRC64 */
    { "ls.dict4k.xz", "ls" },          /* the smallest dictionary */
    { "mixed.x86-crc32.xz", "mixed" }, /* 1 MiB, with uncompressed chunks */
    { "mixed.crc64.xz", "mixed" },
    { "mixed.none.xz", "mixed" },
    { "mixed.fast.xz", "mixed" },      /* preset 0 */
    { "mixed.blocks.xz", "mixed" },    /* 11 blocks */
    { "mixed.sizes.xz", "mixed" },     /* block headers with both sizes */
    { "empty.x86-crc32.xz", "empty" }, /* a stream with no block */
    { "empty.crc64.xz", "empty" },
    { "tiny.x86-crc32.xz", "tiny" },   /* shorter than one x86 instruction */
    { "small.x86-crc32.xz", "small" },
    { "small.none.xz", "small" },
};

static void test_vectors(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
        size_t in_len, orig_len, out_len;
        uint8_t *in = load(vectors[i].xz, &in_len), *orig = load(vectors[i].original, &orig_len);
        uint8_t *out;
        uint64_t indexed = 0;
        const char *err = NULL;
        int rc;

        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
        rc = xz_uncompressed_size(in, in_len, &indexed, &err);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_EQUAL(indexed, orig_len);
        rc = run(in, in_len, orig_len, &out, &out_len, &err);
        if (rc || out_len != orig_len || memcmp(out, orig, orig_len))
            fprintf(stderr, "\n  %s: rc %d (%s), %zu bytes of %zu\n", vectors[i].xz, rc,
                    rc ? err : "no error", out_len, orig_len);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_EQUAL(out_len, orig_len);
        CU_ASSERT(out_len == orig_len && !memcmp(out, orig, orig_len));
        free(in);
        free(orig);
        free(out);
    }
}

/* Two streams with four bytes of stream padding between them. */
static void test_concatenated(void)
{
    size_t in_len, a_len, b_len, out_len;
    uint8_t *in = load("concat.xz", &in_len), *a = load("mixed", &a_len), *b = load("ls", &b_len);
    uint8_t *out;
    uint64_t indexed;
    const char *err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(in && a && b);
    CU_ASSERT_EQUAL(xz_uncompressed_size(in, in_len, &indexed, &err), 0);
    CU_ASSERT_EQUAL(indexed, a_len + b_len);
    CU_ASSERT_EQUAL_FATAL(run(in, in_len, a_len + b_len, &out, &out_len, &err), 0);
    CU_ASSERT_EQUAL(out_len, a_len + b_len);
    CU_ASSERT(!memcmp(out, a, a_len) && !memcmp(out + a_len, b, b_len));
    free(in);
    free(a);
    free(b);
    free(out);
}

static void expect_error(const uint8_t *in, size_t len, size_t out_size, const char *what)
{
    uint8_t *out;
    size_t out_len;
    const char *err = NULL;

    CU_ASSERT_EQUAL(run(in, len, out_size, &out, &out_len, &err), -1);
    if (!err || !strstr(err, what))
        fprintf(stderr, "\n  error was: %s (expected '%s')\n", err ? err : "none", what);
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, what));
    free(out);
}

static void test_output_buffer_size(void)
{
    size_t in_len, orig_len, out_len;
    uint8_t *in = load("ls.x86-crc32.xz", &in_len), *orig = load("ls", &orig_len), *out;
    const char *err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(in && orig);
    expect_error(in, in_len, orig_len - 1, "output buffer too small");
    expect_error(in, in_len, 0, "output buffer too small");
    CU_ASSERT_EQUAL(run(in, in_len, orig_len + 4096, &out, &out_len, &err), 0);
    CU_ASSERT_EQUAL(out_len, orig_len);
    CU_ASSERT(!memcmp(out, orig, orig_len));
    free(out);
    free(in);
    free(orig);
}

static void test_refusals(void)
{
    size_t len, orig_len;
    uint8_t *in, *orig = load("mixed", &orig_len);
    uint8_t *padded;
    uint8_t *out;
    size_t out_len;
    const char *err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
    in = load("mixed.sha256.xz", &len);
    expect_error(in, len, orig_len, "unsupported check type");
    free(in);
    in = load("mixed.delta.xz", &len);
    expect_error(in, len, orig_len, "unsupported filter chain");
    free(in);

    in = load("small.x86-crc32.xz", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    expect_error(in, 0, orig_len, "no XZ data");
    in[0] ^= 1;
    expect_error(in, len, orig_len, "bad magic");
    in[0] ^= 1;

    /* After a stream: zero padding in fours, nothing else. */
    padded = calloc(1, len + 8);
    memcpy(padded, in, len);
    CU_ASSERT_EQUAL(run(padded, len + 8, orig_len, &out, &out_len, &err), 0);
    free(out);
    CU_ASSERT_EQUAL(run(padded, len + 4, orig_len, &out, &out_len, &err), 0);
    free(out);
    expect_error(padded, len + 3, orig_len, "trailing garbage");
    memcpy(padded + len, "\0\0\0\0abcd", 8);
    expect_error(padded, len + 8, orig_len, "trailing garbage");
    free(padded);
    padded = calloc(1, len + 16);
    memcpy(padded, in, len);
    memcpy(padded + len, "abcdefghijklmnop", 16);
    expect_error(padded, len + 16, orig_len, "bad magic");
    free(padded);
    free(in);
    free(orig);
}

/* Every cut of a small file, and 64 of a larger one: always an error. */
static void test_truncation(void)
{
    static const char *const names[] = { "small.x86-crc32.xz", "ls.x86-crc32.xz" };

    for (size_t v = 0; v < ARRAY_SIZE(names); v++) {
        size_t len, out_len;
        uint8_t *in = load(names[v], &len), *out;
        size_t step = v == 0 ? 1 : len / 64;
        unsigned failures = 0;

        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        for (size_t cut = 0; cut < len; cut += step) {
            uint8_t *copy = dup_exact(in, cut);
            uint64_t size;
            const char *err;

            if (run(in, cut, 1 << 20, &out, &out_len, &err) != -1 ||
                xz_uncompressed_size(copy, cut, &size, &err) != -1)
                failures++;
            free(out);
            free(copy);
        }
        if (failures)
            fprintf(stderr, "\n  %s: %u cuts accepted\n", names[v], failures);
        CU_ASSERT_EQUAL(failures, 0);
        free(in);
    }
}

/* Reasons seen while damaging input: each check must have fired at least once. */
static const char *seen[64];

static void saw(const char *err)
{
    for (size_t i = 0; i < ARRAY_SIZE(seen); i++) {
        if (seen[i] == err)
            return;
        if (!seen[i]) {
            seen[i] = err;
            return;
        }
    }
}

static bool was_seen(const char *what)
{
    for (size_t i = 0; i < ARRAY_SIZE(seen) && seen[i]; i++)
        if (strstr(seen[i], what))
            return true;
    return false;
}

/*
 * Damaged input must fail, or decode to the original (a bit that does not
 * matter); without a check, anything but a crash is allowed.
 */
static void damaged(const uint8_t *in, size_t len, const uint8_t *orig, size_t orig_len,
                    bool checked, unsigned *accepted)
{
    uint8_t *out;
    size_t out_len;
    uint64_t size;
    const char *err = NULL;
    uint8_t *copy = dup_exact(in, len);

    if (run(in, len, orig_len, &out, &out_len, &err) == 0) {
        if (checked)
            CU_ASSERT(out_len == orig_len && !memcmp(out, orig, orig_len));
        ++*accepted;
    } else {
        saw(err);
    }
    (void)xz_uncompressed_size(copy, len, &size, &err);
    free(copy);
    free(out);
}

static void test_bit_flips(void)
{
    static const char *const names[] = { "small.x86-crc32.xz", "small.none.xz" };
    size_t orig_len;
    uint8_t *orig = load("small", &orig_len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
    memset(seen, 0, sizeof(seen));
    for (size_t v = 0; v < ARRAY_SIZE(names); v++) {
        size_t len;
        uint8_t *in = load(names[v], &len);
        unsigned accepted = 0;

        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        for (size_t pos = 0; pos < len; pos++) {
            bool edge = pos < 64 || len - pos <= 64; /* headers: every bit */

            for (unsigned bit = 0; bit < 8; bit++) {
                if (!edge && bit != pos % 8)
                    continue;
                in[pos] ^= 1u << bit;
                damaged(in, len, orig, orig_len, v == 0, &accepted);
                in[pos] ^= 1u << bit;
            }
        }
        printf("(%s: %u harmless flips) ", names[v], accepted);
        free(in);
    }
    CU_ASSERT(was_seen("block header CRC32 mismatch"));
    CU_ASSERT(was_seen("block data CRC32 mismatch"));
    CU_ASSERT(was_seen("stream header corrupt"));
    CU_ASSERT(was_seen("stream footer corrupt"));
    CU_ASSERT(was_seen("index"));
    CU_ASSERT(was_seen("LZMA data: chunk does not end"));
    free(orig);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/*
 * Random damage: a few bytes overwritten, the data behind the headers
 * only (where the CRC32 of headers does not stop it early), and a random
 * cut. The LZMA decoder's own checks (distance, chunk end) must hold.
 */
static void test_random_damage(void)
{
    static const char *const names[] = { "small.x86-crc32.xz", "small.none.xz",
                                         "tiny.x86-crc32.xz" };
    size_t small_len, tiny_len;
    uint8_t *small = load("small", &small_len), *tiny = load("tiny", &tiny_len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(small && tiny);
    memset(seen, 0, sizeof(seen));
    for (size_t v = 0; v < ARRAY_SIZE(names); v++) {
        size_t len;
        uint8_t *in = load(names[v], &len), *work;
        unsigned accepted = 0;

        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        work = malloc(len);
        for (unsigned iter = 0; iter < 3000; iter++) {
            size_t cut = len, lo = 24, span = len > 48 ? len - 48 : 1;

            memcpy(work, in, len);
            for (unsigned n = 1 + next_random() % 4; n; n--)
                work[lo + next_random() % span] = (uint8_t)next_random();
            if (iter % 4 == 3)
                cut = next_random() % len;
            damaged(work, cut, v == 2 ? tiny : small, v == 2 ? tiny_len : small_len,
                    v != 1, &accepted);
        }
        free(work);
        free(in);
    }
    CU_ASSERT(was_seen("distance before the dictionary"));
    CU_ASSERT(was_seen("LZMA2 data"));
    free(small);
    free(tiny);
}

void register_xz_tests(void)
{
    CU_pSuite s = CU_add_suite("xz", NULL, NULL);

    CU_add_test(s, "vectors decompress to their originals", test_vectors);
    CU_add_test(s, "concatenated streams with padding", test_concatenated);
    CU_add_test(s, "output buffer too small or larger", test_output_buffer_size);
    CU_add_test(s, "unsupported checks, filters, magic, trailing data", test_refusals);
    CU_add_test(s, "truncated input is an error at every cut", test_truncation);
    CU_add_test(s, "flipped bits: an error or the original", test_bit_flips);
    CU_add_test(s, "random damage never crashes", test_random_damage);
}
