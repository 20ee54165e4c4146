/* The console daemon's ring transfer and buffer, and the client's escape parsing. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "console_client.h"
#include "cons_ring.h"
#include "tool_harness.h"

static struct xencons_interface ring;

/* The guest's side of out[]: what a PV kernel's hvc driver does. */
static void guest_write(const char *s)
{
    for (; *s; s++)
        ring.out[MASK_XENCONS_IDX(ring.out_prod++, ring.out)] = *s;
}

static void test_read_out_wraps(void)
{
    char dst[4096];
    long n;

    memset(&ring, 0, sizeof(ring));
    /* Start near the 32-bit wrap of the free-running indexes. */
    ring.out_cons = ring.out_prod = 0xfffffffe;
    guest_write("hello, console");
    n = cons_ring_read_out(&ring, dst, sizeof(dst));
    CU_ASSERT_EQUAL(n, 14);
    CU_ASSERT_EQUAL(memcmp(dst, "hello, console", 14), 0);
    CU_ASSERT_EQUAL(ring.out_cons, ring.out_prod);
    CU_ASSERT_EQUAL(cons_ring_read_out(&ring, dst, sizeof(dst)), 0);
}

static void test_read_out_partial(void)
{
    char dst[4];

    memset(&ring, 0, sizeof(ring));
    guest_write("abcdef");
    CU_ASSERT_EQUAL(cons_ring_read_out(&ring, dst, sizeof(dst)), 4);
    CU_ASSERT_EQUAL(memcmp(dst, "abcd", 4), 0);
    CU_ASSERT_EQUAL(cons_ring_read_out(&ring, dst, sizeof(dst)), 2);
    CU_ASSERT_EQUAL(memcmp(dst, "ef", 2), 0);
}

static void test_read_out_bad_indexes(void)
{
    char dst[16];

    memset(&ring, 0, sizeof(ring));
    ring.out_prod = sizeof(ring.out) + 1; /* more than the ring holds */
    CU_ASSERT_EQUAL(cons_ring_read_out(&ring, dst, sizeof(dst)), -1);
    CU_ASSERT_EQUAL(ring.out_cons, 0); /* left alone */
}

static void test_fill_in(void)
{
    char big[2000];

    memset(&ring, 0, sizeof(ring));
    CU_ASSERT_EQUAL(cons_ring_fill_in(&ring, "ls\n", 3), 3);
    CU_ASSERT_EQUAL(ring.in_prod, 3);
    CU_ASSERT_EQUAL(memcmp(ring.in, "ls\n", 3), 0);
    memset(big, 'x', sizeof(big));
    /* Only what fits: the ring is 1024 bytes and holds 3 already. */
    CU_ASSERT_EQUAL(cons_ring_fill_in(&ring, big, sizeof(big)), (long)sizeof(ring.in) - 3);
    CU_ASSERT_EQUAL(cons_ring_fill_in(&ring, "y", 1), 0);
    ring.in_cons = 1000;
    CU_ASSERT_EQUAL(cons_ring_fill_in(&ring, "yz", 2), 2);
    CU_ASSERT_EQUAL(ring.in[MASK_XENCONS_IDX(1024 + 1, ring.in)], 'z');
    ring.in_cons = ring.in_prod + 1; /* consumer ahead of producer: nonsense */
    CU_ASSERT_EQUAL(cons_ring_fill_in(&ring, "q", 1), -1);
}

static void test_buffer_keeps_newest(void)
{
    struct cons_buf b;
    const char *p;
    char all[16];
    size_t got = 0, n;

    CU_ASSERT_EQUAL_FATAL(cons_buf_init(&b, 8), 0);
    cons_buf_put(&b, "abcde", 5);
    cons_buf_put(&b, "fghij", 5); /* 10 into 8: a and b are dropped */
    CU_ASSERT_EQUAL(b.len, 8);
    CU_ASSERT_EQUAL(b.dropped, 2);
    while ((n = cons_buf_peek(&b, &p)) > 0) {
        memcpy(all + got, p, n);
        got += n;
        cons_buf_consume(&b, n);
    }
    CU_ASSERT_EQUAL(got, 8);
    CU_ASSERT_EQUAL(memcmp(all, "cdefghij", 8), 0);
    cons_buf_put(&b, "0123456789AB", 12); /* larger than the buffer at once */
    CU_ASSERT_EQUAL(b.len, 8);
    CU_ASSERT_EQUAL(b.dropped, 2 + 4);
    n = cons_buf_peek(&b, &p);
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_EQUAL(memcmp(p, "456789AB", 8), 0);
    cons_buf_free(&b);
}

static void test_escape(void)
{
    CU_ASSERT_EQUAL(console_parse_escape("^]"), 0x1d);
    CU_ASSERT_EQUAL(console_parse_escape("^a"), 0x01);
    CU_ASSERT_EQUAL(console_parse_escape("^?"), 0x7f);
    CU_ASSERT_EQUAL(console_parse_escape("q"), 'q');
    CU_ASSERT_EQUAL(console_parse_escape(""), -1);
    CU_ASSERT_EQUAL(console_parse_escape("^"), '^'); /* a lone caret is itself */
    CU_ASSERT_EQUAL(console_parse_escape("^1"), -1);
    CU_ASSERT_EQUAL(console_parse_escape("ab"), -1);
}

static void register_console_tests(void)
{
    CU_pSuite s = CU_add_suite("console", NULL, NULL);

    CU_add_test(s, "ring output across the index wrap", test_read_out_wraps);
    CU_add_test(s, "ring output in pieces", test_read_out_partial);
    CU_add_test(s, "ring output with impossible indexes", test_read_out_bad_indexes);
    CU_add_test(s, "ring input fills only the free space", test_fill_in);
    CU_add_test(s, "buffer keeps the newest bytes", test_buffer_keeps_newest);
    CU_add_test(s, "escape character parsing", test_escape);
}
TOOL_TEST_SUITE(register_console_tests);
