/* Frame bookkeeping and allocation (see xenolith/page_alloc.h). */
#include <xenolith/page_alloc.h>

void frames_init(struct frame_table *ft, struct page_info *pages, uint64_t nr)
{
    memset(pages, 0, nr * sizeof(*pages));
    memset(ft, 0, sizeof(*ft));
    ft->pages = pages;
    ft->nr = nr;
    ft->counts[FRAME_HOLE] = nr;
}

static void set_state(struct frame_table *ft, uint64_t mfn,
                      enum frame_state state, uint16_t owner)
{
    struct page_info *pg = &ft->pages[mfn];

    ft->counts[pg->state]--;
    ft->counts[state]++;
    if (state == FRAME_FREE)
        pg->clean = 0; /* whatever it held is still there */
    pg->state = state;
    pg->owner = owner;
    pg->type = 0;
    pg->flags = 0;
    pg->count = 0;
    pg->type_count = 0;
}

static uint64_t clip(const struct frame_table *ft, uint64_t first, uint64_t count)
{
    if (first >= ft->nr)
        return 0;
    return count > ft->nr - first ? ft->nr - first : count;
}

void frames_add_ram(struct frame_table *ft, uint64_t first, uint64_t count)
{
    count = clip(ft, first, count);
    for (uint64_t m = first; m < first + count; m++)
        if (ft->pages[m].state == FRAME_HOLE)
            set_state(ft, m, FRAME_FREE, 0);
}

/* from -> to for every frame of the range in state from; returns how many moved. */
static uint64_t frames_move(struct frame_table *ft, uint64_t first, uint64_t count,
                            enum frame_state from, enum frame_state to)
{
    uint64_t changed = 0;

    count = clip(ft, first, count);
    for (uint64_t m = first; m < first + count; m++)
        if (ft->pages[m].state == from) {
            set_state(ft, m, to, 0);
            changed++;
        }
    return changed;
}

uint64_t frames_reserve(struct frame_table *ft, uint64_t first, uint64_t count,
                        enum frame_state state)
{
    return frames_move(ft, first, count, FRAME_FREE, state);
}

/* First fit from the hint, wrapping once. */
uint64_t frames_alloc(struct frame_table *ft, uint64_t count,
                      enum frame_state state, uint16_t owner)
{
    uint64_t start = ft->hint, run = 0, m;

    if (!count || count > ft->counts[FRAME_FREE])
        return INVALID_MFN;
    for (uint64_t scanned = 0; scanned < ft->nr + count; scanned++) {
        m = (start + scanned) % ft->nr;
        if (m == 0)
            run = 0; /* a run never wraps around the end */
        if (ft->pages[m].state != FRAME_FREE) {
            run = 0;
            continue;
        }
        if (++run == count) {
            uint64_t first = m + 1 - count;

            for (uint64_t i = first; i <= m; i++)
                set_state(ft, i, state, owner);
            ft->hint = (m + 1) % ft->nr;
            return first;
        }
    }
    return INVALID_MFN;
}

/*
 * Top down, so that the frames only an address-limited request can use
 * stay free the longest. Aligned blocks never overlap: each frame is
 * looked at once at most.
 */
uint64_t frames_alloc_extent(struct frame_table *ft, unsigned order, uint64_t limit,
                             enum frame_state state, uint16_t owner)
{
    uint64_t size, top = MIN(limit, ft->nr), base;

    if (order >= 32 || (size = 1UL << order) > top || size > ft->counts[FRAME_FREE])
        return INVALID_MFN;
    for (base = (top - size) & ~(size - 1);; base -= size) {
        uint64_t m = base + size;

        while (m > base && ft->pages[m - 1].state == FRAME_FREE)
            m--;
        if (m == base) {
            for (m = base; m < base + size; m++)
                set_state(ft, m, state, owner);
            return base;
        }
        if (base == 0)
            return INVALID_MFN;
    }
}

int frames_free(struct frame_table *ft, uint64_t first, uint64_t count)
{
    if (!count || first >= ft->nr || count > ft->nr - first)
        return -1;
    for (uint64_t m = first; m < first + count; m++) {
        uint8_t s = ft->pages[m].state;

        if (s != FRAME_XEN && s != FRAME_DOMAIN)
            return -1;
    }
    for (uint64_t m = first; m < first + count; m++)
        set_state(ft, m, FRAME_FREE, 0);
    if (first < ft->hint)
        ft->hint = first;
    if (ft->dirty_lo == ft->dirty_hi) {
        ft->dirty_lo = first;
        ft->dirty_hi = first + count;
    } else {
        ft->dirty_lo = MIN(ft->dirty_lo, first);
        ft->dirty_hi = MAX(ft->dirty_hi, first + count);
    }
    return 0;
}

uint64_t frames_release(struct frame_table *ft, uint64_t first, uint64_t count,
                        enum frame_state from)
{
    return frames_move(ft, first, count, from, FRAME_FREE);
}

/*
 * Freed frames are cleared while the machine is idle, as Xen scrubs in
 * its idle loop, so that a new domain's populate seldom clears anything.
 * Frames never used since boot are not in the span: touching all of RAM
 * would cost the host more than clearing at allocation does.
 */
bool frames_scrub(struct frame_table *ft, unsigned max, void (*clear)(uint64_t mfn))
{
    unsigned cleared = 0;

    for (uint64_t looked = 0; ft->dirty_lo < ft->dirty_hi && cleared < max && looked < 8UL * max;
         looked++, ft->dirty_lo++) {
        struct page_info *pg = &ft->pages[ft->dirty_lo];

        if (pg->state == FRAME_FREE && !pg->clean) {
            clear(ft->dirty_lo);
            pg->clean = 1;
            cleared++;
        }
    }
    if (ft->dirty_lo >= ft->dirty_hi)
        ft->dirty_lo = ft->dirty_hi = 0;
    return ft->dirty_lo != ft->dirty_hi;
}

const char *frame_state_name(enum frame_state s)
{
    static const char *const names[FRAME_STATES] = {
        [FRAME_HOLE] = "hole",     [FRAME_RESERVED] = "reserved",
        [FRAME_XEN] = "hypervisor", [FRAME_MODULE] = "module",
        [FRAME_FREE] = "free",     [FRAME_DOMAIN] = "domain",
    };

    return (unsigned)s < FRAME_STATES ? names[s] : "?";
}
