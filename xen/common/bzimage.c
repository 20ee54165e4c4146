/* Finding the compressed kernel in a bzImage (see xenolith/bzimage.h). */
#include <xenolith/bzimage.h>
#include <xenolith/xz.h>

/* Setup header offsets (Linux Documentation/x86/boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_HEADER 0x202 /* "HdrS" */
#define BZ_VERSION 0x206
#define BZ_PAYLOAD_OFFSET 0x248
#define BZ_PAYLOAD_LENGTH 0x24c
#define BZ_MIN_SIZE 0x250
#define BZ_PAYLOAD_VERSION 0x0208 /* the first with payload_offset/length */

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool is_elf(const void *image, size_t size)
{
    return size >= 16 && !memcmp(image, "\177ELF", 4);
}

int bzimage_payload(const void *image, size_t size, const void **payload,
                    size_t *payload_len)
{
    const uint8_t *img = image;
    uint64_t setup_sects, offset, length;

    if (size < BZ_MIN_SIZE || memcmp(img + BZ_HEADER, "HdrS", 4))
        return -1;
    if ((img[BZ_VERSION] | img[BZ_VERSION + 1] << 8) < BZ_PAYLOAD_VERSION)
        return -2;
    setup_sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
    /* 64-bit sums of 32-bit fields: no overflow. */
    offset = (setup_sects + 1) * 512 + le32(img + BZ_PAYLOAD_OFFSET);
    length = le32(img + BZ_PAYLOAD_LENGTH);
    if (!length || offset > size || length > size - offset)
        return -2;
    *payload = img + offset;
    *payload_len = length;
    return 0;
}

/* The compressors Linux's CONFIG_KERNEL_* choices write, by their magic. */
static const struct {
    const char *name;
    size_t len;
    const char *magic;
} formats[] = {
    { "xz", 6, "\xfd" "7zXZ\0" },
    { "gzip", 2, "\x1f\x8b" },
    { "bzip2", 3, "BZh" },
    { "lzma", 3, "\x5d\0\0" },
    { "lzo", 4, "\x89LZO" },
    { "lz4", 4, "\x02\x21\x4c\x18" },
    { "zstd", 4, "\x28\xb5\x2f\xfd" },
};

const char *bzimage_payload_format(const void *payload, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
        if (len >= formats[i].len && !memcmp(payload, formats[i].magic, formats[i].len))
            return formats[i].name;
    return "unknown";
}

int bzimage_xz_sizes(const void *payload, size_t payload_len, size_t *xz_len,
                     size_t *out_size, const char **err)
{
    const char *format = bzimage_payload_format(payload, payload_len);
    uint64_t indexed;

    if (strcmp(format, "xz")) {
        *err = "bzImage payload is not XZ-compressed (only XZ is supported)";
        return -1;
    }
    if (payload_len < 4) {
        *err = "bzImage payload too short";
        return -1;
    }
    if (xz_uncompressed_size(payload, payload_len - 4, &indexed, err))
        return -1;
    if (indexed != le32((const uint8_t *)payload + payload_len - 4)) {
        *err = "bzImage: the size appended to the payload differs from the XZ index";
        return -1;
    }
    if (indexed > (size_t)-1) {
        *err = "bzImage: decompressed size too large";
        return -1;
    }
    *xz_len = payload_len - 4;
    *out_size = (size_t)indexed;
    return 0;
}
