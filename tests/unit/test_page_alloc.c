/* The frame allocator's bookkeeping (xen/common/page_alloc.c). */
#include <xenolith/page_alloc.h>

#include "harness.h"

#define NR 64

static struct frame_table ft;
static struct page_info pages[NR];

static void fresh(void)
{
    frames_init(&ft, pages, NR);
}

static uint64_t total(void)
{
    uint64_t t = 0;

    for (int s = 0; s < FRAME_STATES; s++)
        t += ft.counts[s];
    return t;
}

static void test_init_is_all_hole(void)
{
    fresh();
    CU_ASSERT_EQUAL(ft.counts[FRAME_HOLE], NR);
    CU_ASSERT_EQUAL(ft.counts[FRAME_FREE], 0);
    CU_ASSERT_EQUAL(frames_alloc(&ft, 1, FRAME_XEN, 0), INVALID_MFN);
}

static void test_ram_and_reserve(void)
{
    fresh();
    frames_add_ram(&ft, 8, 32);          /* 8..39 */
    frames_add_ram(&ft, 60, 100);        /* clipped to 60..63 */
    CU_ASSERT_EQUAL(ft.counts[FRAME_FREE], 36);
    CU_ASSERT_EQUAL(frames_reserve(&ft, 0, 10, FRAME_RESERVED), 2); /* only 8, 9 were RAM */
    CU_ASSERT_EQUAL(frames_reserve(&ft, 10, 4, FRAME_XEN), 4);
    CU_ASSERT_EQUAL(frames_reserve(&ft, 12, 4, FRAME_MODULE), 2); /* 12, 13 already XEN */
    CU_ASSERT_EQUAL(pages[5].state, FRAME_HOLE);
    CU_ASSERT_EQUAL(pages[9].state, FRAME_RESERVED);
    CU_ASSERT_EQUAL(pages[13].state, FRAME_XEN);
    CU_ASSERT_EQUAL(pages[15].state, FRAME_MODULE);
    CU_ASSERT_EQUAL(ft.counts[FRAME_FREE], 28);
    CU_ASSERT_EQUAL(total(), NR);
}

static void test_alloc_contiguous_skips_taken(void)
{
    uint64_t a, b;

    fresh();
    frames_add_ram(&ft, 0, 16);
    frames_reserve(&ft, 4, 1, FRAME_RESERVED);
    a = frames_alloc(&ft, 5, FRAME_DOMAIN, 7); /* 0..3 is too short */
    CU_ASSERT_EQUAL(a, 5);
    CU_ASSERT_EQUAL(pages[5].owner, 7);
    CU_ASSERT_EQUAL(pages[9].state, FRAME_DOMAIN);
    b = frames_alloc(&ft, 4, FRAME_XEN, 0); /* continues after 9, no wrap needed */
    CU_ASSERT_EQUAL(b, 10);
    CU_ASSERT_EQUAL(frames_alloc(&ft, 3, FRAME_XEN, 0), 0); /* wraps to the start */
    CU_ASSERT_EQUAL(frames_alloc(&ft, 3, FRAME_XEN, 0), INVALID_MFN); /* 3 and 14,15 left */
    CU_ASSERT_EQUAL(frames_alloc(&ft, 2, FRAME_XEN, 0), 14);
    CU_ASSERT_EQUAL(total(), NR);
}

static void test_free_rules(void)
{
    uint64_t a;

    fresh();
    frames_add_ram(&ft, 0, 8);
    a = frames_alloc(&ft, 4, FRAME_XEN, 0);
    CU_ASSERT_EQUAL(frames_free(&ft, a, 5), -1);    /* frame 4 is free: refused whole */
    CU_ASSERT_EQUAL(pages[a].state, FRAME_XEN);      /* nothing changed */
    CU_ASSERT_EQUAL(frames_free(&ft, a, 4), 0);
    CU_ASSERT_EQUAL(frames_free(&ft, a, 4), -1);    /* double free */
    CU_ASSERT_EQUAL(frames_free(&ft, NR - 1, 2), -1); /* beyond the table */
    CU_ASSERT_EQUAL(frames_free(&ft, 0, 0), -1);
    CU_ASSERT_EQUAL(ft.counts[FRAME_FREE], 8);
}

static void test_release_modules(void)
{
    fresh();
    frames_add_ram(&ft, 0, 16);
    frames_reserve(&ft, 2, 3, FRAME_MODULE);
    CU_ASSERT_EQUAL(frames_free(&ft, 2, 3), -1); /* modules are not allocations */
    CU_ASSERT_EQUAL(frames_release(&ft, 0, 16, FRAME_MODULE), 3);
    CU_ASSERT_EQUAL(ft.counts[FRAME_FREE], 16);
    CU_ASSERT_EQUAL(ft.counts[FRAME_MODULE], 0);
}

/* frames_alloc_extent: aligned, below the limit, highest first. */
static void test_extent_aligned_below_limit(void)
{
    fresh();
    frames_add_ram(&ft, 0, 40);
    frames_reserve(&ft, 29, 1, FRAME_XEN);                        /* spoils 28..31 */
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 2, 32, FRAME_DOMAIN, 3), 24);
    CU_ASSERT_EQUAL(pages[27].owner, 3);
    CU_ASSERT_EQUAL(pages[28].state, FRAME_FREE);
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 3, INVALID_MFN, FRAME_DOMAIN, 3), 32);
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 3, INVALID_MFN, FRAME_DOMAIN, 3), 16);
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 0, 1, FRAME_XEN, 0), 0); /* only frame 0 is below 1 */
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 0, 1, FRAME_XEN, 0), INVALID_MFN);
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 0, 0, FRAME_XEN, 0), INVALID_MFN);
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 4, INVALID_MFN, FRAME_XEN, 0), INVALID_MFN); /* 0 and 16 taken */
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 3, 16, FRAME_XEN, 0), 8);
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 2, 8, FRAME_XEN, 0), 4);
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 2, 8, FRAME_XEN, 0), INVALID_MFN); /* 1..3 is short */
    CU_ASSERT_EQUAL(frames_alloc_extent(&ft, 40, INVALID_MFN, FRAME_XEN, 0), INVALID_MFN);
    CU_ASSERT_EQUAL(total(), NR);
}

/*
 * Freed frames are the next handed out: a domain created after another
 * was destroyed gets its frames back, which the host has already touched
 * (under QEMU a never-touched frame cost 10 us to clear, a reused one 1).
 */
static void test_freed_frames_come_back_first(void)
{
    uint64_t a, b;

    fresh();
    frames_add_ram(&ft, 0, NR);
    a = frames_alloc(&ft, 8, FRAME_DOMAIN, 1);
    b = frames_alloc(&ft, 8, FRAME_DOMAIN, 2);
    CU_ASSERT_EQUAL(a, 0);
    CU_ASSERT_EQUAL(b, 8);
    CU_ASSERT_EQUAL(frames_free(&ft, a, 8), 0);
    CU_ASSERT_EQUAL(frames_alloc(&ft, 4, FRAME_DOMAIN, 3), a);
    CU_ASSERT_EQUAL(frames_alloc(&ft, 4, FRAME_DOMAIN, 3), a + 4);
    CU_ASSERT_EQUAL(frames_alloc(&ft, 1, FRAME_DOMAIN, 3), 16); /* then on past b */
}

static uint64_t scrubbed[NR];
static unsigned nr_scrubbed;

static void fake_clear(uint64_t mfn)
{
    scrubbed[nr_scrubbed++] = mfn;
}

/*
 * The idle scrubber clears the frames freed since boot that are still
 * free, a batch at a time, and nothing else: not the frames never used
 * (cleared at allocation), not those handed out again meanwhile.
 */
static void test_scrub_freed_frames(void)
{
    uint64_t a;

    fresh();
    nr_scrubbed = 0;
    frames_add_ram(&ft, 0, NR);
    CU_ASSERT_FALSE(frames_scrub(&ft, 4, fake_clear)); /* nothing freed yet */
    a = frames_alloc(&ft, 8, FRAME_DOMAIN, 1);
    CU_ASSERT_EQUAL(frames_free(&ft, a, 8), 0);
    CU_ASSERT_EQUAL(frames_alloc(&ft, 2, FRAME_DOMAIN, 2), a); /* 0, 1 in use again */
    CU_ASSERT_TRUE(frames_scrub(&ft, 4, fake_clear));
    CU_ASSERT_EQUAL(nr_scrubbed, 4);
    CU_ASSERT_EQUAL(scrubbed[0], a + 2);
    CU_ASSERT_FALSE(frames_scrub(&ft, 4, fake_clear));
    CU_ASSERT_EQUAL(nr_scrubbed, 6);
    for (uint64_t m = a + 2; m < a + 8; m++)
        CU_ASSERT_EQUAL(pages[m].clean, 1);
    CU_ASSERT_EQUAL(pages[a].clean, 0);
    CU_ASSERT_EQUAL(pages[a + 8].clean, 0); /* never used: left to the allocation */
    CU_ASSERT_EQUAL(frames_free(&ft, a, 2), 0);
    CU_ASSERT_EQUAL(pages[a].clean, 0); /* freed again: dirty again */
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(frame_state_name(FRAME_XEN), "hypervisor");
    CU_ASSERT_STRING_EQUAL(frame_state_name(FRAME_STATES), "?");
}

void register_page_alloc_tests(void)
{
    CU_pSuite s = CU_add_suite("page_alloc", NULL, NULL);

    CU_add_test(s, "a new table is all hole", test_init_is_all_hole);
    CU_add_test(s, "RAM and reservations", test_ram_and_reserve);
    CU_add_test(s, "contiguous first fit", test_alloc_contiguous_skips_taken);
    CU_add_test(s, "free only what was allocated", test_free_rules);
    CU_add_test(s, "boot modules are released", test_release_modules);
    CU_add_test(s, "aligned extents below a limit", test_extent_aligned_below_limit);
    CU_add_test(s, "freed frames come back first", test_freed_frames_come_back_first);
    CU_add_test(s, "idle scrub of freed frames", test_scrub_freed_frames);
    CU_add_test(s, "state names", test_names);
}
