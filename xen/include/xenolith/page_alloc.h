/*
 * Machine-frame bookkeeping: one struct page_info per frame below the top of
 * RAM, saying what the frame is. Invariant: a frame is handed out only from
 * FRAME_FREE, and only an allocated frame (XEN or DOMAIN) can be freed.
 * Host-compilable: no locks or arch code here (the caller serialises).
 */
#ifndef XENOLITH_PAGE_ALLOC_H
#define XENOLITH_PAGE_ALLOC_H

#include <xenolith/lib.h>

enum frame_state {
    FRAME_HOLE = 0, /* not RAM: firmware hole, MMIO, beyond the memory map */
    FRAME_RESERVED, /* RAM the firmware or the boot path keeps */
    FRAME_XEN,      /* the hypervisor's image or its own allocations */
    FRAME_MODULE,   /* a boot module (Dom0 kernel, initrd) until consumed */
    FRAME_FREE,
    FRAME_DOMAIN,   /* owned by a domain (page_info.owner) */
    FRAME_STATES
};

/* The use-specific fields belong to the page-type code (xenolith/mm.h). */
struct page_info {
    uint8_t state;
    uint8_t type;        /* PGT_*: what the frame is used as */
    uint8_t flags;       /* PGF_*: validated, pinned, allocated */
    uint8_t clean;       /* FRAME_FREE and known to hold only zeros (frames_scrub) */
    uint16_t owner;      /* domid, for FRAME_DOMAIN */
    uint16_t pad2;
    uint32_t count;      /* general references: mappings, pins, the allocation */
    uint32_t type_count; /* references that rely on the current type */
    /* The flush clock when its last writable mapping went, or it was freed (asm/flushtlb.h). */
    uint64_t tlbflush_stamp;
};

struct frame_table {
    struct page_info *pages;
    uint64_t nr;       /* frames described: 0 .. nr-1 */
    uint64_t hint;     /* where the next search starts */
    uint64_t counts[FRAME_STATES];
    uint64_t dirty_lo, dirty_hi; /* frames freed and not yet scrubbed lie in [lo, hi) */
};

#define INVALID_MFN (~0UL)

void frames_init(struct frame_table *ft, struct page_info *pages, uint64_t nr);
/* HOLE -> FREE for [first, first+count) clipped to the table. */
void frames_add_ram(struct frame_table *ft, uint64_t first, uint64_t count);
/* FREE -> state; frames already taken keep theirs. Returns frames changed. */
uint64_t frames_reserve(struct frame_table *ft, uint64_t first, uint64_t count,
                        enum frame_state state);
/* A contiguous run of count FREE frames, or INVALID_MFN. */
uint64_t frames_alloc(struct frame_table *ft, uint64_t count,
                      enum frame_state state, uint16_t owner);
/*
 * A run of 2^order FREE frames aligned to its size and wholly below frame
 * limit (INVALID_MFN: anywhere), or INVALID_MFN.
 */
uint64_t frames_alloc_extent(struct frame_table *ft, unsigned order, uint64_t limit,
                             enum frame_state state, uint16_t owner);
/* Returns 0, or -1 (and changes nothing) if any frame was not allocated. */
int frames_free(struct frame_table *ft, uint64_t first, uint64_t count);
/* from -> FREE for the frames of [first, first+count) in state from; returns how many. */
uint64_t frames_release(struct frame_table *ft, uint64_t first, uint64_t count,
                        enum frame_state from);
const char *frame_state_name(enum frame_state s);
/*
 * Clears up to max frames freed since boot that are still FREE and not
 * clean, with clear(), marking them clean; looks at no more than 8 * max
 * frames. True while some may be left (the caller goes on when idle).
 */
bool frames_scrub(struct frame_table *ft, unsigned max, void (*clear)(uint64_t mfn));

extern struct frame_table frame_table;

static inline struct page_info *mfn_to_page(uint64_t mfn)
{
    return mfn < frame_table.nr ? &frame_table.pages[mfn] : NULL;
}

/* Serialises the frame table between CPUs (the frames_* calls take no lock). */
void frames_lock(void);
void frames_unlock(void);

/* The hypervisor's own pages, zeroed, through the direct map. */
void *alloc_xen_pages(unsigned count);
void free_xen_pages(void *va, unsigned count);

#endif
