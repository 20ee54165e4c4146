/*
 * Linux bzImage kernels (xen/common/bzimage.c): finding the compressed
 * kernel inside one, as Xen's Dom0 builder does before it parses the ELF.
 *
 * The x86 boot protocol's setup header (Documentation/x86/boot.rst in
 * Linux) sits at offset 0x1f1: setup_sects (0x1f1; 0 means 4), the magic
 * "HdrS" (0x202), the protocol version (0x206), and from version 2.08
 * payload_offset (0x248) and payload_length (0x24c), which locate the
 * compressed vmlinux counting from the protected-mode code, i.e. from
 * (setup_sects + 1) * 512. On x86, Linux appends the decompressed size as
 * a little-endian 32-bit number to the compressed data, inside
 * payload_length (arch/x86/boot/compressed/Makefile, size_append).
 *
 * How the Dom0 builder uses this:
 *
 *     if (!is_elf(img, size) && !bzimage_payload(img, size, &p, &plen)) {
 *         if (bzimage_xz_sizes(p, plen, &xz_len, &out_size, &err))
 *             fail(err);
 *         out = alloc(out_size), ctx = alloc(sizeof(struct xz_dec));
 *         if (xz_decompress(ctx, p, xz_len, out, out_size, &out_len, &err))
 *             fail(err);
 *         img = out, size = out_len;
 *     }
 *     elf_kernel_parse(&k, img, size, ...);
 *
 * Every field is checked against the image's size. Host-compilable.
 */
#ifndef XENOLITH_BZIMAGE_H
#define XENOLITH_BZIMAGE_H

#include <xenolith/lib.h>

/* The ELF magic, and room for the identification bytes. */
bool is_elf(const void *image, size_t size);

/*
 * The compressed payload of a bzImage, within image[0..size). Returns 0;
 * -1 if this is no bzImage (no "HdrS"); -2 if it is one this cannot use:
 * boot protocol older than 2.08 (no payload fields), or a payload outside
 * the image.
 */
int bzimage_payload(const void *image, size_t size, const void **payload,
                    size_t *payload_len);

/* The payload's compression by its magic: "xz", "gzip", ..., or "unknown". */
const char *bzimage_payload_format(const void *payload, size_t len);

/*
 * For an XZ payload: the length of the XZ data proper (payload_len minus
 * the appended size) and the decompressed size, the appended one checked
 * against the XZ index. Returns 0, or -1 with a reason in *err.
 */
int bzimage_xz_sizes(const void *payload, size_t payload_len, size_t *xz_len,
                     size_t *out_size, const char **err);

#endif
