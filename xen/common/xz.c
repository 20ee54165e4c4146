/*
 * XZ decompression (see xenolith/xz.h), written for Xenolith from the
 * public descriptions: "The .xz File Format" 1.x (container, VLIs, checks,
 * index), the LZMA2 chunk format, the LZMA specification (range coder and
 * model), and the x86 BCJ filter as xz applies it (filter ID 0x04).
 *
 * Invariants every function below keeps:
 *  - in_pos <= in_len and out_pos <= out_size, except in the LZMA chunk
 *    loop, where the range coder may count bytes past the chunk's end
 *    without reading them (the loop then fails);
 *  - a match copies only from [dict_start, out_pos): the distance is
 *    checked against the bytes decoded since the dictionary reset;
 *  - each loop either consumes input, produces output or is bounded by a
 *    small constant, so no input can make the decoder spin.
 */
#include <xenolith/xz.h>

#define XZ_MAGIC "\xfd" "7zXZ"
#define XZ_MAGIC_LEN 6
#define XZ_HEADER_LEN 12 /* stream header and stream footer alike */
#define XZ_FOOTER_MAGIC "YZ"

#define CHECK_NONE 0x00
#define CHECK_CRC32 0x01
#define CHECK_CRC64 0x04

#define FILTER_X86 0x04
#define FILTER_LZMA2 0x21

#define CRC32_POLY 0xedb88320u           /* reflected IEEE 802.3 */
#define CRC64_POLY 0xc96c5795d7870f42ull /* reflected ECMA-182 */

/* The record of a block as the index must repeat it. */
struct xz_records {
    uint64_t count, unpadded, uncompressed; /* sums saturate at ~0 */
    uint64_t padded; /* blocks' total size: each unpadded size rounded up to 4 */
    uint32_t hash; /* CRC32 over (unpadded, uncompressed) pairs */
};

static int fail(struct xz_dec *xz, const char *why)
{
    xz->err = why;
    return -1;
}

static uint32_t get_le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static uint32_t get_be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

/* ---- Checks ------------------------------------------------------------ */

/* Bit by bit: for headers and the index, and before any table exists. */
static uint32_t crc32_small(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (unsigned k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1)));
    }
    return ~crc;
}

static void crc_tables_init(struct xz_dec *xz)
{
    for (unsigned i = 0; i < 256; i++) {
        uint32_t c = i;
        uint64_t d = i;

        for (unsigned k = 0; k < 8; k++) {
            c = (c >> 1) ^ (CRC32_POLY & (0u - (c & 1)));
            d = (d >> 1) ^ (CRC64_POLY & (0ull - (d & 1)));
        }
        xz->crc32_table[0][i] = c;
        xz->crc64_table[i] = d;
    }
    /* table[t][i]: the CRC of byte i followed by t zero bytes. */
    for (unsigned t = 1; t < 8; t++)
        for (unsigned i = 0; i < 256; i++) {
            uint32_t c = xz->crc32_table[t - 1][i];

            xz->crc32_table[t][i] = (c >> 8) ^ xz->crc32_table[0][c & 0xff];
        }
}

/* Eight bytes per step (slicing-by-8): the data check of a whole kernel. */
static uint32_t crc32_fast(const struct xz_dec *xz, const uint8_t *p, size_t n)
{
    const uint32_t(*t)[256] = xz->crc32_table;
    uint32_t crc = ~0u;

    for (; n >= 8; n -= 8, p += 8) {
        uint32_t lo = get_le32(p) ^ crc, hi = get_le32(p + 4);

        crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
              t[4][lo >> 24] ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
              t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    }
    while (n--)
        crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

static uint64_t crc64(const struct xz_dec *xz, const uint8_t *p, size_t n)
{
    uint64_t crc = ~0ull;

    while (n--)
        crc = (crc >> 8) ^ xz->crc64_table[(crc ^ *p++) & 0xff];
    return ~crc;
}

/* Bytes of the check field for the check IDs we verify, or -1. */
static int check_size(unsigned check)
{
    switch (check) {
    case CHECK_NONE: return 0;
    case CHECK_CRC32: return 4;
    case CHECK_CRC64: return 8;
    }
    return -1;
}

/* ---- Container primitives ---------------------------------------------- */

/*
 * A variable-length integer (format 1.2): 7 bits a byte, least significant
 * first, at most 9 bytes, no redundant trailing zero byte.
 */
static bool read_vli(const uint8_t *in, size_t end, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;

    for (unsigned i = 0; i < 9 && *pos < end; i++) {
        uint8_t b = in[(*pos)++];

        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i)
                return false;
            *v = r;
            return true;
        }
    }
    return false;
}

/* Stream flags: byte 0 reserved (zero), byte 1 = check ID in the low nibble. */
static bool flags_valid(const uint8_t *f)
{
    return f[0] == 0 && (f[1] & 0xf0) == 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? ~0ull : a + b;
}

static void record_add(struct xz_records *r, uint64_t unpadded, uint64_t uncompressed)
{
    uint8_t pair[16];

    for (unsigned i = 0; i < 8; i++) {
        pair[i] = (uint8_t)(unpadded >> (8 * i));
        pair[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    r->count++;
    r->unpadded = sat_add(r->unpadded, unpadded);
    r->padded = sat_add(r->padded, sat_add(unpadded, 3) & ~3ull);
    r->uncompressed = sat_add(r->uncompressed, uncompressed);
    r->hash = crc32_small(r->hash, pair, sizeof(pair));
}

/* ---- LZMA range decoder -------------------------------------------------- */

#define RC_TOP (1u << 24)
#define PROB_BITS 11
#define PROB_INIT (1u << (PROB_BITS - 1))
#define PROB_MOVE 5

/*
 * The decoder's input is one LZMA chunk, in[pos..end). Reads past end
 * yield zero and still advance pos, so the chunk loop can check for an
 * overrun once per symbol instead of once per byte.
 */
struct rc {
    uint32_t range, code;
    size_t pos, end;
    const uint8_t *in;
};

static inline __attribute__((always_inline)) void rc_normalize(struct rc *rc)
{
    if (rc->range < RC_TOP) {
        rc->range <<= 8;
        rc->code = (rc->code << 8) | (rc->pos < rc->end ? rc->in[rc->pos] : 0);
        rc->pos++;
    }
}

static inline __attribute__((always_inline)) unsigned rc_bit(struct rc *rc, uint16_t *prob)
{
    uint32_t bound;

    rc_normalize(rc);
    bound = (rc->range >> PROB_BITS) * *prob;
    if (rc->code < bound) {
        rc->range = bound;
        *prob += ((1u << PROB_BITS) - *prob) >> PROB_MOVE;
        return 0;
    }
    rc->range -= bound;
    rc->code -= bound;
    *prob -= *prob >> PROB_MOVE;
    return 1;
}

/* A bit tree of `bits` levels, most significant bit first; probs[1..2^bits). */
static inline __attribute__((always_inline)) unsigned rc_tree(struct rc *rc, uint16_t *probs,
                                                              unsigned bits)
{
    unsigned m = 1;

    for (unsigned i = 0; i < bits; i++)
        m = (m << 1) | rc_bit(rc, &probs[m]);
    return m - (1u << bits);
}

/* The same tree read least significant bit first. */
static inline __attribute__((always_inline)) unsigned rc_tree_reverse(struct rc *rc,
                                                                      uint16_t *probs,
                                                                      unsigned bits)
{
    unsigned m = 1, sym = 0;

    for (unsigned i = 0; i < bits; i++) {
        unsigned b = rc_bit(rc, &probs[m]);

        m = (m << 1) | b;
        sym |= b << i;
    }
    return sym;
}

/* Bits of probability one half, most significant first. */
static inline uint32_t rc_direct(struct rc *rc, unsigned bits)
{
    uint32_t r = 0;

    while (bits--) {
        rc_normalize(rc);
        rc->range >>= 1;
        if (rc->code >= rc->range) {
            rc->code -= rc->range;
            r = (r << 1) | 1;
        } else {
            r <<= 1;
        }
    }
    return r;
}

/* ---- LZMA ---------------------------------------------------------------- */

#define LZMA_LIT_STATES 7 /* states below this follow a literal */
#define LZMA_MATCH_MIN 2
#define DIST_MODEL_START 4
#define DIST_MODEL_END 14
#define ALIGN_BITS 4

static void lzma_reset(struct xz_dec *xz)
{
    uint16_t *p = (uint16_t *)&xz->probs;
    size_t n = offsetof(struct xz_lzma_probs, literal) / sizeof(uint16_t) +
               ((size_t)0x300 << (xz->lc + xz->lp));

    for (size_t i = 0; i < n; i++)
        p[i] = PROB_INIT;
    xz->state = 0;
    xz->rep[0] = xz->rep[1] = xz->rep[2] = xz->rep[3] = 0;
}

/* LZMA2 properties byte: (pb * 5 + lp) * 9 + lc, with lc + lp <= 4. */
static bool lzma_props(struct xz_dec *xz, uint8_t b)
{
    unsigned lc, lp, pb;

    if (b >= 9 * 5 * 5)
        return false;
    lc = b % 9;
    lp = (b / 9) % 5;
    pb = b / 45;
    if (lc + lp > 4)
        return false;
    xz->lc = lc;
    xz->lp = lp;
    xz->lp_mask = (1u << lp) - 1;
    xz->pb_mask = (1u << pb) - 1;
    return true;
}

/* A length, minus LZMA_MATCH_MIN: 0..271. */
static inline __attribute__((always_inline)) unsigned lzma_len(struct rc *rc,
                                                               struct xz_lzma_len *l,
                                                               unsigned pos_state)
{
    if (!rc_bit(rc, &l->choice))
        return rc_tree(rc, l->low[pos_state], 3);
    if (!rc_bit(rc, &l->choice2))
        return 8 + rc_tree(rc, l->mid[pos_state], 3);
    return 16 + rc_tree(rc, l->high, 8);
}

/* The distance of a new match, minus one; 0xffffffff is the end marker. */
static inline uint32_t lzma_dist(struct rc *rc, struct xz_lzma_probs *pr, unsigned len)
{
    unsigned slot = rc_tree(rc, pr->dist_slot[len < 3 ? len : 3], 6);
    unsigned bits;
    uint32_t dist;

    if (slot < DIST_MODEL_START)
        return slot;
    bits = (slot >> 1) - 1;
    dist = (2u | (slot & 1)) << bits;
    if (slot < DIST_MODEL_END)
        return dist + rc_tree_reverse(rc, pr->dist_special + dist - slot, bits);
    dist += rc_direct(rc, bits - ALIGN_BITS) << ALIGN_BITS;
    return dist + rc_tree_reverse(rc, pr->dist_align, ALIGN_BITS);
}

/*
 * Copies a match of len bytes from `back` bytes behind dst, as if byte by
 * byte (the source may overlap what is being written). With eight bytes of
 * room past the match, it moves eight at a time and may scribble up to
 * seven bytes past the match: output not decoded yet, so harmless. A
 * source closer than eight bytes repeats with period `back`; its multiple
 * `d` >= 8 is the same pattern, once the first d - back bytes exist.
 */
static inline __attribute__((always_inline)) void copy_match(uint8_t *dst, size_t back,
                                                             size_t len, size_t room)
{
    const uint8_t *src = dst - back;

    if (len + 8 > room) {
        for (size_t i = 0; i < len; i++)
            dst[i] = src[i];
        return;
    }
    if (back < 8) {
        size_t d = back, n;

        while (d < 8)
            d += back;
        n = d - back;
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
        dst += n;
        src = dst - d;
        len = len > n ? len - n : 0;
    }
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v;

        __builtin_memcpy(&v, src + i, 8);
        __builtin_memcpy(dst + i, &v, 8);
    }
}

/*
 * Decodes one LZMA chunk: `csize` bytes at in_pos into exactly `usize`
 * bytes at out_pos (both already checked against the buffers). In LZMA2 a
 * chunk restarts the range coder, must end on a symbol boundary, and must
 * use up its compressed bytes exactly.
 */
static int lzma_chunk(struct xz_dec *xz, size_t csize, size_t usize)
{
    struct xz_lzma_probs *pr = &xz->probs;
    uint8_t *out = xz->out;
    size_t pos = xz->out_pos, end = pos + usize, dict = xz->dict_start;
    uint32_t state = xz->state, rep0 = xz->rep[0], rep1 = xz->rep[1];
    uint32_t rep2 = xz->rep[2], rep3 = xz->rep[3];
    unsigned lc = xz->lc, lp_mask = xz->lp_mask, pb_mask = xz->pb_mask;
    struct rc rc;

    if (csize < 5 || xz->in[xz->in_pos] != 0)
        return fail(xz, "LZMA chunk: bad range coder start");
    rc.in = xz->in;
    rc.pos = xz->in_pos + 5;
    rc.end = xz->in_pos + csize;
    rc.range = ~0u;
    rc.code = (uint32_t)xz->in[xz->in_pos + 1] << 24 | (uint32_t)xz->in[xz->in_pos + 2] << 16 |
              (uint32_t)xz->in[xz->in_pos + 3] << 8 | xz->in[xz->in_pos + 4];

    while (pos < end) {
        unsigned pos_state = (pos - dict) & pb_mask;
        size_t avail = pos - dict; /* bytes a match may reach back over */
        uint32_t len;

        if (!rc_bit(&rc, &pr->is_match[state][pos_state])) {
            unsigned prev = avail ? out[pos - 1] : 0;
            uint16_t *lit = pr->literal[((avail & lp_mask) << lc) + (prev >> (8 - lc))];
            unsigned sym = 1;

            if (state >= LZMA_LIT_STATES) {
                /* After a match: steer by the byte at rep0 until a bit differs. */
                unsigned match;

                if (rep0 >= avail)
                    return fail(xz, "LZMA data: distance before the dictionary");
                match = out[pos - rep0 - 1];
                do {
                    unsigned mbit = (match >> 7) & 1, bit;

                    match <<= 1;
                    bit = rc_bit(&rc, &lit[((1 + mbit) << 8) + sym]);
                    sym = (sym << 1) | bit;
                    if (bit != mbit)
                        break;
                } while (sym < 0x100);
            }
            while (sym < 0x100)
                sym = (sym << 1) | rc_bit(&rc, &lit[sym]);
            out[pos++] = (uint8_t)sym;
            state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
            goto next;
        }

        if (!rc_bit(&rc, &pr->is_rep[state])) {
            /* A match with a new distance. */
            len = lzma_len(&rc, &pr->match_len, pos_state);
            rep3 = rep2;
            rep2 = rep1;
            rep1 = rep0;
            rep0 = lzma_dist(&rc, pr, len);
            state = state < LZMA_LIT_STATES ? 7 : 10;
        } else if (!rc_bit(&rc, &pr->is_rep0[state])) {
            if (!rc_bit(&rc, &pr->is_rep0_long[state][pos_state])) {
                /* Short rep: one byte from rep0. */
                if (rep0 >= avail)
                    return fail(xz, "LZMA data: distance before the dictionary");
                out[pos] = out[pos - rep0 - 1];
                pos++;
                state = state < LZMA_LIT_STATES ? 9 : 11;
                goto next;
            }
            len = lzma_len(&rc, &pr->rep_len, pos_state);
            state = state < LZMA_LIT_STATES ? 8 : 11;
        } else {
            uint32_t dist;

            if (!rc_bit(&rc, &pr->is_rep1[state])) {
                dist = rep1;
            } else {
                if (!rc_bit(&rc, &pr->is_rep2[state])) {
                    dist = rep2;
                } else {
                    dist = rep3;
                    rep3 = rep2;
                }
                rep2 = rep1;
            }
            rep1 = rep0;
            rep0 = dist;
            len = lzma_len(&rc, &pr->rep_len, pos_state);
            state = state < LZMA_LIT_STATES ? 8 : 11;
        }

        /* Copy len + 2 bytes from rep0 + 1 back, overlapping on purpose. */
        len += LZMA_MATCH_MIN;
        if (rep0 >= avail || rep0 >= xz->dict_size) {
            if (rep0 == 0xffffffffu)
                return fail(xz, "LZMA data: end marker inside LZMA2");
            return fail(xz, "LZMA data: distance before the dictionary");
        }
        if (len > end - pos)
            return fail(xz, "LZMA data: match runs past its chunk");
        copy_match(out + pos, (size_t)rep0 + 1, len, xz->out_size - pos);
        pos += len;
    next:
        if (rc.pos > rc.end)
            return fail(xz, "LZMA data: chunk overruns its compressed size");
    }

    /*
     * The encoder flushed five bytes; a last normalisation takes in the
     * final one, and a clean end leaves code at zero.
     */
    rc_normalize(&rc);
    if (rc.pos != rc.end || rc.code != 0)
        return fail(xz, "LZMA data: chunk does not end where its header says");
    xz->in_pos = rc.end;
    xz->out_pos = pos;
    xz->state = state;
    xz->rep[0] = rep0;
    xz->rep[1] = rep1;
    xz->rep[2] = rep2;
    xz->rep[3] = rep3;
    return 0;
}

/* ---- LZMA2 --------------------------------------------------------------- */

/*
 * LZMA2 chunks up to the end byte 0x00, from in_pos up to in_end. A
 * control byte is 0x01/0x02 (uncompressed, with/without dictionary reset)
 * or 1RRUUUUU (LZMA; RR = 0 nothing reset, 1 state reset, 2 state reset
 * and new properties, 3 all that and a dictionary reset; U = bits 16-20 of
 * the uncompressed size - 1). A block starts with a dictionary reset, and
 * the first LZMA chunk after a dictionary reset carries properties.
 */
static int lzma2_decode(struct xz_dec *xz, size_t in_end)
{
    bool need_dict_reset = true, need_props = true;

    for (;;) {
        const uint8_t *in = xz->in;
        size_t usize, csize;
        unsigned c;

        if (xz->in_pos >= in_end)
            return fail(xz, "LZMA2 data truncated");
        c = in[xz->in_pos++];
        if (c == 0x00)
            return 0;
        if (c >= 0xe0 || c == 0x01) {
            need_dict_reset = false;
            need_props = true;
            xz->dict_start = xz->out_pos;
        } else if (need_dict_reset) {
            return fail(xz, "LZMA2 data does not start with a dictionary reset");
        }

        if (c < 0x80) {
            if (c > 0x02)
                return fail(xz, "LZMA2 data: bad control byte");
            if (in_end - xz->in_pos < 2)
                return fail(xz, "LZMA2 data truncated");
            usize = get_be16(in + xz->in_pos) + 1;
            xz->in_pos += 2;
            if (usize > in_end - xz->in_pos)
                return fail(xz, "LZMA2 data truncated");
            if (usize > xz->out_size - xz->out_pos)
                return fail(xz, "output buffer too small");
            memcpy(xz->out + xz->out_pos, in + xz->in_pos, usize);
            xz->in_pos += usize;
            xz->out_pos += usize;
            continue;
        }

        if (in_end - xz->in_pos < 4u + (c >= 0xc0))
            return fail(xz, "LZMA2 data truncated");
        usize = ((size_t)(c & 0x1f) << 16) + get_be16(in + xz->in_pos) + 1;
        csize = get_be16(in + xz->in_pos + 2) + 1;
        xz->in_pos += 4;
        if (c >= 0xc0) {
            if (!lzma_props(xz, in[xz->in_pos++]))
                return fail(xz, "LZMA2 data: bad lc/lp/pb properties");
            need_props = false;
            lzma_reset(xz);
        } else if (need_props) {
            return fail(xz, "LZMA2 data: LZMA chunk without properties");
        } else if (c >= 0xa0) {
            lzma_reset(xz);
        }
        if (csize > in_end - xz->in_pos)
            return fail(xz, "LZMA2 data truncated");
        if (usize > xz->out_size - xz->out_pos)
            return fail(xz, "output buffer too small");
        if (lzma_chunk(xz, csize, usize))
            return -1;
    }
}

/* ---- x86 BCJ ------------------------------------------------------------- */

static inline bool x86_ms_byte(uint8_t b)
{
    return b == 0x00 || b == 0xff;
}

/* The first E8 or E9 byte in buf[i..limit), or limit; eight bytes a step. */
static inline size_t x86_next_branch(const uint8_t *buf, size_t i, size_t limit)
{
    const uint64_t ones = 0x0101010101010101ull;

    for (; limit - i >= 8; i += 8) {
        uint64_t w;

        __builtin_memcpy(&w, buf + i, 8);
        w = (w | ones) ^ (0xe9 * ones); /* a zero byte where E8/E9 was */
        if ((w - ones) & ~w & (0x80 * ones))
            break;
    }
    for (; i < limit; i++)
        if ((buf[i] & 0xfe) == 0xe8)
            return i;
    return limit;
}

/*
 * Undoes the x86 branch converter (filter 0x04) over a whole block's
 * output: the encoder turned the rel32 operand of each plausible E8 (call)
 * / E9 (jmp) into an absolute address, start + offset of the next
 * instruction. `mask` remembers which of the last three bytes were E8/E9
 * candidates, so opcode bytes inside a converted operand are not taken for
 * instructions. The last four bytes are never converted.
 */
static void bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start)
{
    static const bool mask_allowed[8] = { true, true, true, false, true, false, false, false };
    static const uint8_t mask_byte[8] = { 0, 1, 2, 2, 3, 3, 3, 3 };
    uint32_t mask = 0;
    size_t prev = (size_t)-1; /* the last candidate's offset */
    size_t i = 0, limit;

    if (size < 5)
        return;
    limit = size - 4; /* a candidate needs its four operand bytes */
    while ((i = x86_next_branch(buf, i, limit)) < limit) {
        uint8_t *p = buf + i;
        size_t gap = i - prev;
        uint32_t src, dest;

        prev = i;
        if (gap > 3) {
            mask = 0;
        } else {
            mask = (mask << (gap - 1)) & 7;
            if (mask && (!mask_allowed[mask] || x86_ms_byte(p[4 - mask_byte[mask]]))) {
                mask = ((mask << 1) & 7) | 1;
                i++;
                continue;
            }
        }
        if (!x86_ms_byte(p[4])) {
            mask = ((mask << 1) & 7) | 1;
            i++;
            continue;
        }

        src = get_le32(p + 1);
        for (;;) {
            unsigned shift;

            dest = src - (start + (uint32_t)i + 5);
            if (!mask)
                break;
            shift = mask_byte[mask] * 8;
            if (!x86_ms_byte((uint8_t)(dest >> (24 - shift))))
                break;
            src = dest ^ ((1u << (32 - shift)) - 1);
        }
        p[1] = (uint8_t)dest;
        p[2] = (uint8_t)(dest >> 8);
        p[3] = (uint8_t)(dest >> 16);
        p[4] = (dest & (1u << 24)) ? 0xff : 0x00;
        i += 5;
    }
}

/* ---- Blocks, index, streams --------------------------------------------- */

struct block_filters {
    bool x86;
    uint32_t x86_start;
    uint64_t csize, usize; /* ~0 when the header does not say */
};

/* Block header (format 3.1): size, flags, optional sizes, filter flags, CRC32. */
static int block_header(struct xz_dec *xz, struct block_filters *bf)
{
    const uint8_t *in = xz->in;
    size_t start = xz->in_pos, hsize = ((size_t)in[start] + 1) * 4, end, pos;
    unsigned flags, nfilters;
    uint64_t id, psize;

    if (hsize > xz->in_len - start)
        return fail(xz, "block header truncated");
    end = start + hsize - 4;
    if (crc32_small(0, in + start, hsize - 4) != get_le32(in + end))
        return fail(xz, "block header CRC32 mismatch");
    flags = in[start + 1];
    if (flags & 0x3c)
        return fail(xz, "block header: reserved flags set");
    nfilters = (flags & 3) + 1;
    pos = start + 2;
    bf->csize = bf->usize = ~0ull;
    if ((flags & 0x40) && (!read_vli(in, end, &pos, &bf->csize) || !bf->csize))
        return fail(xz, "block header: bad compressed size");
    if ((flags & 0x80) && !read_vli(in, end, &pos, &bf->usize))
        return fail(xz, "block header: bad uncompressed size");

    bf->x86 = false;
    bf->x86_start = 0;
    for (unsigned i = 0; i < nfilters; i++) {
        bool last = i == nfilters - 1;

        if (!read_vli(in, end, &pos, &id) || !read_vli(in, end, &pos, &psize) ||
            psize > end - pos)
            return fail(xz, "block header: bad filter flags");
        if (!last && id == FILTER_X86 && !bf->x86 && (psize == 0 || psize == 4)) {
            bf->x86 = true;
            if (psize == 4)
                bf->x86_start = get_le32(in + pos);
        } else if (last && id == FILTER_LZMA2 && psize == 1) {
            if (in[pos] > 40)
                return fail(xz, "block header: bad LZMA2 dictionary size");
            xz->dict_size = in[pos] == 40 ? 0xffffffffu
                                          : (2u | (in[pos] & 1)) << (in[pos] / 2 + 11);
        } else {
            return fail(xz, "block header: unsupported filter chain (need [x86 BCJ +] LZMA2)");
        }
        pos += psize;
    }
    for (; pos < end; pos++)
        if (in[pos])
            return fail(xz, "block header: padding not zero");
    xz->in_pos = start + hsize;
    return 0;
}

static int block_check(struct xz_dec *xz, unsigned check, const uint8_t *data, size_t len)
{
    const uint8_t *field = xz->in + xz->in_pos;

    switch (check) {
    case CHECK_CRC32:
        if (crc32_fast(xz, data, len) != get_le32(field))
            return fail(xz, "block data CRC32 mismatch");
        break;
    case CHECK_CRC64:
        if (crc64(xz, data, len) != get_le64(field))
            return fail(xz, "block data CRC64 mismatch");
        break;
    }
    return 0;
}

static int decode_block(struct xz_dec *xz, unsigned check, struct xz_records *rec)
{
    size_t start = xz->in_pos, data, in_end, out_start = xz->out_pos, csize, usize;
    unsigned csum = (unsigned)check_size(check);
    struct block_filters bf;

    if (block_header(xz, &bf))
        return -1;
    data = xz->in_pos;
    in_end = xz->in_len;
    if (bf.csize != ~0ull) {
        if (bf.csize > in_end - data)
            return fail(xz, "block truncated");
        in_end = data + bf.csize;
    }
    if (lzma2_decode(xz, in_end))
        return -1;
    csize = xz->in_pos - data;
    usize = xz->out_pos - out_start;
    if ((bf.csize != ~0ull && bf.csize != csize) || (bf.usize != ~0ull && bf.usize != usize))
        return fail(xz, "block sizes differ from its header");
    if (bf.x86)
        bcj_x86_decode(xz->out + out_start, usize, bf.x86_start);

    while ((xz->in_pos - start) & 3) {
        if (xz->in_pos >= xz->in_len)
            return fail(xz, "block truncated");
        if (xz->in[xz->in_pos++])
            return fail(xz, "block padding not zero");
    }
    if (csum > xz->in_len - xz->in_pos)
        return fail(xz, "block check truncated");
    if (block_check(xz, check, xz->out + out_start, usize))
        return -1;
    xz->in_pos += csum;
    record_add(rec, (data - start) + csize + csum, usize);
    return 0;
}

/*
 * Index (format 4): 0x00, record count, (unpadded, uncompressed) per
 * block, zero padding to four bytes, CRC32. Parses in[pos..end) into *rec;
 * returns the index size or 0 if it is malformed.
 */
static size_t parse_index(const uint8_t *in, size_t pos, size_t end, struct xz_records *rec)
{
    size_t start = pos;
    uint64_t count, unpadded, uncompressed;

    if (pos >= end || in[pos++] != 0x00 || !read_vli(in, end, &pos, &count))
        return 0;
    for (uint64_t i = 0; i < count; i++) {
        if (!read_vli(in, end, &pos, &unpadded) || !read_vli(in, end, &pos, &uncompressed) ||
            unpadded == 0)
            return 0;
        record_add(rec, unpadded, uncompressed);
    }
    while ((pos - start) & 3)
        if (pos >= end || in[pos++])
            return 0;
    if (end - pos < 4 || crc32_small(0, in + start, pos - start) != get_le32(in + pos))
        return 0;
    return pos + 4 - start;
}

static bool same_records(const struct xz_records *a, const struct xz_records *b)
{
    return a->count == b->count && a->unpadded == b->unpadded &&
           a->uncompressed == b->uncompressed && a->hash == b->hash;
}

/* Stream footer (format 2.1.2): CRC32, backward size, flags, "YZ". */
static bool footer_valid(const uint8_t *f)
{
    return !memcmp(f + 10, XZ_FOOTER_MAGIC, 2) && flags_valid(f + 8) &&
           crc32_small(0, f + 4, 6) == get_le32(f);
}

static int decode_stream(struct xz_dec *xz)
{
    const uint8_t *in = xz->in, *hdr = in + xz->in_pos;
    struct xz_records blocks = { 0 }, index = { 0 };
    size_t index_size;
    unsigned check;

    if (xz->in_len - xz->in_pos < XZ_HEADER_LEN)
        return fail(xz, "stream header truncated");
    if (memcmp(hdr, XZ_MAGIC, XZ_MAGIC_LEN))
        return fail(xz, "not XZ data (bad magic)");
    if (!flags_valid(hdr + 6) || crc32_small(0, hdr + 6, 2) != get_le32(hdr + 8))
        return fail(xz, "stream header corrupt");
    check = hdr[7] & 0x0f;
    if (check_size(check) < 0)
        return fail(xz, "unsupported check type (only none, CRC32, CRC64)");
    xz->in_pos += XZ_HEADER_LEN;

    for (;;) {
        if (xz->in_pos >= xz->in_len)
            return fail(xz, "stream truncated");
        if (in[xz->in_pos] == 0x00)
            break; /* the index indicator */
        if (decode_block(xz, check, &blocks))
            return -1;
    }

    index_size = parse_index(in, xz->in_pos, xz->in_len, &index);
    if (!index_size)
        return fail(xz, "index corrupt or truncated");
    if (!same_records(&blocks, &index))
        return fail(xz, "index does not match the blocks");
    xz->in_pos += index_size;

    if (xz->in_len - xz->in_pos < XZ_HEADER_LEN)
        return fail(xz, "stream footer truncated");
    if (!footer_valid(in + xz->in_pos))
        return fail(xz, "stream footer corrupt");
    if (((uint64_t)get_le32(in + xz->in_pos + 4) + 1) * 4 != index_size)
        return fail(xz, "stream footer: backward size does not match the index");
    if (memcmp(in + xz->in_pos + 8, hdr + 6, 2))
        return fail(xz, "stream footer flags differ from the header");
    xz->in_pos += XZ_HEADER_LEN;
    return 0;
}

int xz_decompress(struct xz_dec *xz, const uint8_t *in, size_t in_len, uint8_t *out,
                  size_t out_size, size_t *out_len, const char **err)
{
    int rc = 0;

    xz->in = in;
    xz->in_len = in_len;
    xz->in_pos = 0;
    xz->out = out;
    xz->out_size = out_size;
    xz->out_pos = 0;
    xz->err = NULL;
    crc_tables_init(xz);

    if (in_len == 0)
        rc = fail(xz, "no XZ data");
    while (!rc && xz->in_pos < in_len) {
        rc = decode_stream(xz);
        /* Stream padding: zero bytes, a multiple of four, between streams. */
        while (!rc && in_len - xz->in_pos >= 4 && !get_le32(in + xz->in_pos))
            xz->in_pos += 4;
        if (!rc && xz->in_pos < in_len && in_len - xz->in_pos < XZ_HEADER_LEN)
            rc = fail(xz, "trailing garbage after the XZ stream");
    }
    if (err)
        *err = xz->err;
    if (rc)
        return -1;
    *out_len = xz->out_pos;
    return 0;
}

/*
 * The last stream of in[0..*end), found from its footer: moves *end to its
 * first byte and returns its decompressed size, or NULL with the reason.
 */
static const char *stream_backwards(const uint8_t *in, size_t *end, uint64_t *usize)
{
    struct xz_records rec = { 0 };
    const uint8_t *f;
    uint64_t index_size, stream_size;
    size_t start;

    if (*end < 2 * XZ_HEADER_LEN)
        return "XZ data truncated";
    f = in + *end - XZ_HEADER_LEN;
    if (!footer_valid(f))
        return "stream footer corrupt";
    index_size = ((uint64_t)get_le32(f + 4) + 1) * 4;
    if (index_size > *end - 2 * XZ_HEADER_LEN)
        return "stream footer: bad backward size";
    if (parse_index(in, *end - XZ_HEADER_LEN - index_size, *end - XZ_HEADER_LEN, &rec) !=
        index_size)
        return "index corrupt";
    stream_size = 2 * XZ_HEADER_LEN + index_size + rec.padded;
    if (rec.padded > *end || stream_size > *end)
        return "index sizes exceed the data";
    start = *end - stream_size;
    if (memcmp(in + start, XZ_MAGIC, XZ_MAGIC_LEN) || memcmp(in + start + 6, f + 8, 2) ||
        crc32_small(0, in + start + 6, 2) != get_le32(in + start + 8))
        return "stream header not where the index says";
    *end = start;
    *usize = rec.uncompressed;
    return NULL;
}

/* Streams from the last to the first, skipping the padding after each. */
int xz_uncompressed_size(const uint8_t *in, size_t in_len, uint64_t *size, const char **err)
{
    const char *why = in_len ? NULL : "no XZ data";
    size_t end = in_len;
    uint64_t total = 0, usize = 0;

    while (end > 0 && !why) {
        while (end >= 4 && !get_le32(in + end - 4))
            end -= 4;
        if (end == 0)
            why = "stream padding before the first stream";
        else if (!(why = stream_backwards(in, &end, &usize)) &&
                 (usize == ~0ull || total + usize < total))
            why = "uncompressed size overflows";
        total += usize;
    }
    if (err)
        *err = why;
    if (why)
        return -1;
    *size = total;
    return 0;
}
