/*
 * XZ decompression, enough for Linux kernels (xen/common/xz.c).
 *
 * Linux compresses a bzImage payload with scripts/xz_wrap.sh:
 * `xz --check=crc32 --x86 --lzma2=dict=32MiB`, one stream of one block
 * whose filter chain is x86 BCJ then LZMA2. This decoder reads the .xz
 * container of the XZ file format 1.x: streams and stream padding, blocks,
 * the index, the check types none, CRC32 and CRC64 (each verified), and
 * the filter chains LZMA2 or x86 BCJ + LZMA2. Anything else is refused
 * with a one-line reason, never guessed at.
 *
 * Single call: the whole input is in memory, and the output buffer, being
 * whole too, is the LZMA dictionary. Work memory is the caller's struct
 * xz_dec: 38,616 bytes on x86_64 (28 KiB of LZMA probabilities, 10 KiB of
 * CRC tables), too big for the 32 KiB hypervisor stack, so allocate it or
 * make it static; it holds nothing between calls. No allocation, no
 * floating point, no libc: host-compilable for the unit tests.
 *
 * Every input byte is untrusted: corrupt or truncated input gets an error,
 * never a read or write outside the two buffers, and every loop is bounded
 * by input consumed or output produced.
 */
#ifndef XENOLITH_XZ_H
#define XENOLITH_XZ_H

#include <xenolith/lib.h>

/* LZMA length coder: 2..273 in three trees (low/mid by position state). */
struct xz_lzma_len {
    uint16_t choice, choice2;
    uint16_t low[16][8], mid[16][8], high[256];
};

/* LZMA probabilities (11-bit, reset to 1024); literal[] holds 1 << (lc + lp). */
struct xz_lzma_probs {
    uint16_t is_match[12][16], is_rep[12], is_rep0[12], is_rep1[12], is_rep2[12];
    uint16_t is_rep0_long[12][16];
    uint16_t dist_slot[4][64], dist_special[115], dist_align[16];
    struct xz_lzma_len match_len, rep_len;
    uint16_t literal[16][0x300];
};

/* Work memory of one decompression; every field is private to xz.c. */
struct xz_dec {
    struct xz_lzma_probs probs;
    uint32_t crc32_table[8][256]; /* slicing-by-8 */
    uint64_t crc64_table[256];

    /* The call in progress. */
    const uint8_t *in;
    size_t in_len, in_pos;
    uint8_t *out;
    size_t out_size, out_pos;
    const char *err;

    /* LZMA state, kept across the chunks of an LZMA2 block. */
    size_t dict_start; /* output offset of the last dictionary reset */
    uint32_t dict_size;
    uint32_t state, rep[4];
    unsigned lc, lp, lp_mask, pb_mask;
};

/*
 * Decompresses the .xz data in[0..in_len) (one or more streams, with
 * optional stream padding, and nothing else) into out[0..out_size).
 * Returns 0 with the decompressed length in *out_len, or -1 with a short
 * reason in *err (a static string; err may be NULL) and *out_len
 * untouched. Bytes of out past the decompressed data are unspecified (match
 * copies may write up to 7 bytes ahead), as is all of out on failure.
 */
int xz_decompress(struct xz_dec *xz, const uint8_t *in, size_t in_len, uint8_t *out,
                  size_t out_size, size_t *out_len, const char **err);

/*
 * The decompressed size as the streams' indexes record it, read from the
 * end of in[0..in_len) without decompressing: to size the output buffer.
 * Returns 0 or -1 with *err as above.
 */
int xz_uncompressed_size(const uint8_t *in, size_t in_len, uint64_t *size,
                         const char **err);

#endif
