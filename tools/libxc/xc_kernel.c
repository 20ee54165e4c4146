/*
 * The kernel loader of the PV builder: bzImage payload, XZ/gzip, ELF64
 * segments and Xen notes. Every offset read from the file is checked
 * against its size first: the image is input, not trusted.
 */
#include "xc_private.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xen/elfnote.h>
#include <zlib.h>

#include "xc_kernel.h"

#define FAIL(rc, ...) xc_fail_buf(err, errlen, rc, __VA_ARGS__)

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--)
        v = v << 8 | p[n];
    return v;
}

/* Offsets of the x86 boot protocol's setup header (Documentation/x86/boot.rst). */
enum {
    BZ_SETUP_SECTS = 0x1f1,
    BZ_MAGIC = 0x202,
    BZ_VERSION = 0x206,
    BZ_PAYLOAD_OFFSET = 0x248,
    BZ_PAYLOAD_LENGTH = 0x24c,
    BZ_HEADER_END = 0x250,
};

int xc_bzimage_payload(const uint8_t *img, size_t size, size_t *off, size_t *len, char *err,
                       size_t errlen)
{
    unsigned sects;
    uint64_t start, plen;

    if (size < BZ_HEADER_END || memcmp(img + BZ_MAGIC, "HdrS", 4) != 0)
        return -ENOENT;
    if (le(img + BZ_VERSION, 2) < 0x208)
        return FAIL(-EINVAL, "bzImage: boot protocol %#x, 0x208 or later expected (payload)",
                    (unsigned)le(img + BZ_VERSION, 2));
    sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
    start = (uint64_t)(sects + 1) * 512 + le(img + BZ_PAYLOAD_OFFSET, 4);
    plen = le(img + BZ_PAYLOAD_LENGTH, 4);
    if (plen == 0 || start > size || plen > size - start)
        return FAIL(-EINVAL, "bzImage: payload %#llx+%#llx outside the %zu-byte file",
                    (unsigned long long)start, (unsigned long long)plen, size);
    *off = (size_t)start;
    *len = (size_t)plen;
    return 0;
}

/*
 * The output size to start with: gzip ends with it (ISIZE), and Linux
 * appends it to its XZ payload too; anything implausible just means growing.
 */
static size_t first_guess(const uint8_t *in, size_t len)
{
    uint64_t tail = len >= 4 ? le(in + len - 4, 4) : 0;

    return tail > len && tail < (1u << 30) ? (size_t)tail : len * 4 + 4096;
}

static int grow(uint8_t **buf, size_t *cap, char *err, size_t errlen)
{
    uint8_t *n = *cap >= (1ul << 31) ? NULL : realloc(*buf, *cap * 2);

    if (!n)
        return FAIL(-ENOMEM, "decompress: output past %zu bytes", *cap);
    *buf = n;
    *cap *= 2;
    return 0;
}

static int unxz(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
                size_t errlen)
{
    lzma_stream s = LZMA_STREAM_INIT;
    size_t cap = first_guess(in, len);
    uint8_t *buf = malloc(cap);
    lzma_ret r = LZMA_OK;
    int rc = 0;

    if (!buf || lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
        free(buf);
        return FAIL(-ENOMEM, "xz: decoder setup");
    }
    s.next_in = in;
    s.avail_in = len;
    /* Stop at the end of the stream: the size Linux appends is no XZ padding. */
    while (rc == 0 && r == LZMA_OK) {
        if (s.total_out == cap && (rc = grow(&buf, &cap, err, errlen)) != 0)
            break;
        s.next_out = buf + s.total_out;
        s.avail_out = cap - s.total_out;
        r = lzma_code(&s, LZMA_FINISH);
        if (r == LZMA_BUF_ERROR && s.avail_out == 0)
            r = LZMA_OK;
    }
    if (rc == 0 && r != LZMA_STREAM_END)
        rc = FAIL(-EINVAL, "xz: corrupt or truncated payload (liblzma error %d at %llu)", r,
                  (unsigned long long)s.total_in);
    *outlen = s.total_out;
    lzma_end(&s);
    if (rc)
        free(buf);
    else
        *out = buf;
    return rc;
}

static int gunzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
                  size_t errlen)
{
    z_stream s = {0};
    size_t cap = first_guess(in, len);
    uint8_t *buf = malloc(cap);
    int r = Z_OK, rc = 0;

    if (!buf || inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) {
        free(buf);
        return FAIL(-ENOMEM, "gzip: decoder setup");
    }
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)len;
    while (rc == 0 && r == Z_OK) {
        if (s.total_out == cap && (rc = grow(&buf, &cap, err, errlen)) != 0)
            break;
        s.next_out = buf + s.total_out;
        s.avail_out = (uInt)(cap - s.total_out);
        r = inflate(&s, Z_NO_FLUSH);
        if (r == Z_BUF_ERROR && s.avail_out == 0)
            r = Z_OK;
    }
    if (rc == 0 && r != Z_STREAM_END)
        rc = FAIL(-EINVAL, "gzip: corrupt or truncated payload (zlib error %d)", r);
    *outlen = s.total_out;
    inflateEnd(&s);
    if (rc)
        free(buf);
    else
        *out = buf;
    return rc;
}

int xc_decompress(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
                  size_t errlen)
{
    static const uint8_t xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0};

    if (len >= 6 && memcmp(in, xz, 6) == 0)
        return unxz(in, len, out, outlen, err, errlen);
    if (len >= 2 && in[0] == 0x1f && in[1] == 0x8b)
        return gunzip(in, len, out, outlen, err, errlen);
    return FAIL(-EINVAL, "decompress: XZ or gzip data expected");
}

static void copy_str(char *dst, size_t n, const uint8_t *src, size_t len)
{
    size_t l = strnlen((const char *)src, len);

    if (l >= n)
        l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
}

/* One Xen note (public/elfnote.h): numbers are 4 or 8 bytes, strings NUL-ended. */
static void note_apply(struct xc_elf_notes *n, uint32_t type, const uint8_t *d, size_t len)
{
    uint64_t v = len == 4 || len == 8 ? le(d, (unsigned)len) : 0;

    switch (type) {
    case XEN_ELFNOTE_ENTRY: n->entry = v, n->has_entry = true; break;
    case XEN_ELFNOTE_HYPERCALL_PAGE: n->hypercall_page = v, n->has_hypercall_page = true; break;
    case XEN_ELFNOTE_VIRT_BASE: n->virt_base = v, n->has_virt_base = true; break;
    case XEN_ELFNOTE_PADDR_OFFSET: n->paddr_offset = v, n->has_paddr_offset = true; break;
    case XEN_ELFNOTE_INIT_P2M: n->init_p2m = v, n->has_init_p2m = true; break;
    case XEN_ELFNOTE_MOD_START_PFN: n->mod_start_pfn = v != 0; break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES: n->supported_features = (uint32_t)v; break;
    case XEN_ELFNOTE_FEATURES: copy_str(n->features, sizeof(n->features), d, len); break;
    case XEN_ELFNOTE_XEN_VERSION: copy_str(n->xen_version, sizeof(n->xen_version), d, len); break;
    case XEN_ELFNOTE_GUEST_OS: copy_str(n->guest_os, sizeof(n->guest_os), d, len); break;
    case XEN_ELFNOTE_LOADER: copy_str(n->loader, sizeof(n->loader), d, len); break;
    default: break; /* informational, or not needed by a 64-bit PV DomU */
    }
}

static size_t align4(size_t x)
{
    return (x + 3) & ~(size_t)3;
}

/* Walks one note area; the count of Xen notes found. */
static unsigned notes_walk(const uint8_t *p, size_t len, struct xc_elf_notes *n)
{
    unsigned found = 0;
    size_t off = 0;

    while (len - off >= sizeof(Elf64_Nhdr)) {
        const Elf64_Nhdr *h = (const void *)(p + off);
        size_t name = off + sizeof(*h), desc = name + align4(h->n_namesz);

        if (h->n_namesz > len || h->n_descsz > len || desc > len ||
            align4(h->n_descsz) > len - desc)
            break;
        if (h->n_namesz == 4 && memcmp(p + name, "Xen", 4) == 0) {
            note_apply(n, h->n_type, p + desc, h->n_descsz);
            found++;
        }
        off = desc + align4(h->n_descsz);
    }
    return found;
}

static bool in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

/* PT_NOTE segments first; section headers for images without them. */
static unsigned notes_find(const uint8_t *img, size_t size, const Elf64_Ehdr *eh,
                           struct xc_elf_notes *n)
{
    const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff);
    unsigned found = 0;

    for (unsigned i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_NOTE && in_file(ph[i].p_offset, ph[i].p_filesz, size))
            found += notes_walk(img + ph[i].p_offset, ph[i].p_filesz, n);
    if (found || eh->e_shentsize != sizeof(Elf64_Shdr) ||
        !in_file(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), size))
        return found;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff) + i * sizeof(Elf64_Shdr);

        if (sh->sh_type == SHT_NOTE && in_file(sh->sh_offset, sh->sh_size, size))
            found += notes_walk(img + sh->sh_offset, sh->sh_size, n);
    }
    return found;
}

static int elf_header_check(const uint8_t *img, size_t size, char *err, size_t errlen)
{
    const Elf64_Ehdr *eh = (const void *)img;

    if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return FAIL(-EINVAL, "kernel: an ELF image or a bzImage expected");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
        eh->e_machine != EM_X86_64)
        return FAIL(-EINVAL, "kernel: a 64-bit little-endian x86-64 ELF expected");
    if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
        !in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), size))
        return FAIL(-EINVAL, "kernel: program headers outside the %zu-byte image", size);
    return 0;
}

/*
 * Where a segment lands: libelf's rule (elf_xen_addr_calc_check), by the
 * physical address: virt = p_paddr + VIRT_BASE - PADDR_OFFSET. Without
 * notes VIRT_BASE is 0 and PADDR_OFFSET defaults to VIRT_BASE.
 */
static void apply_defaults(struct xc_kernel *k, const Elf64_Ehdr *eh)
{
    struct xc_elf_notes *n = &k->notes;

    k->virt_base = n->has_virt_base ? n->virt_base : 0;
    if (!n->has_paddr_offset)
        n->paddr_offset = k->virt_base;
    k->entry = n->has_entry ? n->entry : eh->e_entry;
}

static int segments_add(const uint8_t *img, size_t size, const Elf64_Ehdr *eh,
                        struct xc_kernel *k, char *err, size_t errlen)
{
    const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff);

    k->vstart = UINT64_MAX;
    k->vend = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        struct xc_kernel_seg *s = &k->seg[k->nseg];

        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        if (k->nseg == XC_KERNEL_MAX_SEGS)
            return FAIL(-E2BIG, "kernel: more than %d PT_LOAD segments", XC_KERNEL_MAX_SEGS);
        if (!in_file(ph[i].p_offset, ph[i].p_filesz, size) || ph[i].p_filesz > ph[i].p_memsz)
            return FAIL(-EINVAL, "kernel: segment %u (%#llx+%#llx) outside the image", i,
                        (unsigned long long)ph[i].p_offset,
                        (unsigned long long)ph[i].p_filesz);
        s->vaddr = ph[i].p_paddr + k->virt_base - k->notes.paddr_offset;
        s->offset = ph[i].p_offset;
        s->filesz = ph[i].p_filesz;
        s->memsz = ph[i].p_memsz;
        if (s->vaddr < k->virt_base || s->vaddr + s->memsz < s->vaddr)
            return FAIL(-EINVAL, "kernel: segment %u at %#llx below VIRT_BASE %#llx", i,
                        (unsigned long long)s->vaddr, (unsigned long long)k->virt_base);
        if (s->vaddr < k->vstart)
            k->vstart = s->vaddr;
        if (s->vaddr + s->memsz > k->vend)
            k->vend = s->vaddr + s->memsz;
        k->nseg++;
    }
    if (!k->nseg)
        return FAIL(-EINVAL, "kernel: no PT_LOAD segment");
    k->vstart &= ~(XC_PAGE_SIZE - 1);
    k->vend = (k->vend + XC_PAGE_SIZE - 1) & ~(XC_PAGE_SIZE - 1);
    return 0;
}

int xc_elf_parse(const uint8_t *img, size_t size, struct xc_kernel *k, char *err,
                 size_t errlen)
{
    const Elf64_Ehdr *eh = (const void *)img;
    int rc = elf_header_check(img, size, err, errlen);

    if (rc)
        return rc;
    memset(k, 0, sizeof(*k));
    k->image = (uint8_t *)img;
    k->size = size;
    if (!notes_find(img, size, eh, &k->notes))
        return FAIL(-EINVAL, "kernel: no Xen ELF notes (not a Xen PV kernel)");
    apply_defaults(k, eh);
    rc = segments_add(img, size, eh, k, err, errlen);
    if (rc)
        return rc;
    if (k->entry < k->vstart || k->entry >= k->vend)
        return FAIL(-EINVAL, "kernel: entry %#llx outside the image %#llx-%#llx",
                    (unsigned long long)k->entry, (unsigned long long)k->vstart,
                    (unsigned long long)k->vend);
    return 0;
}

int xc_kernel_load(const uint8_t *file, size_t size, struct xc_kernel *k, char *err,
                   size_t errlen)
{
    size_t off = 0, len = size, elf_len = 0;
    uint8_t *elf = NULL;
    int rc = xc_bzimage_payload(file, size, &off, &len, err, errlen);

    if (rc && rc != -ENOENT)
        return rc;
    if (rc == 0 || (size >= 2 && file[0] != 0x7f)) {
        rc = xc_decompress(file + off, len, &elf, &elf_len, err, errlen);
        if (rc)
            return rc;
        rc = xc_elf_parse(elf, elf_len, k, err, errlen);
        if (rc) {
            free(elf);
            return rc;
        }
        k->owned = true;
        return 0;
    }
    return xc_elf_parse(file, size, k, err, errlen);
}

int xc_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    struct stat st;
    uint8_t *buf = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return FAIL(-errno, "%s", path);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = FAIL(-EINVAL, "%s: a regular file expected", path);
        goto out;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        rc = FAIL(-ENOMEM, "%s: %lld bytes", path, (long long)st.st_size);
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n <= 0) {
            rc = FAIL(n < 0 ? -errno : -EIO, "%s: read", path);
            goto out;
        }
        got += (size_t)n;
    }
    *data = buf;
    *size = got;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

/* The file's bytes are kept only if the ELF is the file itself (k->image points there). */
int xc_kernel_read(const char *path, struct xc_kernel *k, char *err, size_t errlen)
{
    uint8_t *file = NULL;
    size_t size = 0;
    int rc = xc_read_file(path, &file, &size, err, errlen);

    if (rc)
        return rc;
    rc = xc_kernel_load(file, size, k, err, errlen);
    if (rc == 0 && !k->owned)
        k->owned = true; /* the ELF is the file buffer */
    else
        free(file);
    return rc;
}

void xc_kernel_free(struct xc_kernel *k)
{
    if (k->owned)
        free(k->image);
    memset(k, 0, sizeof(*k));
}

int xc_kernel_copy(const struct xc_kernel *k, void *mem, uint64_t mem_va, size_t mem_len,
                   char *err, size_t errlen)
{
    for (unsigned i = 0; i < k->nseg; i++) {
        const struct xc_kernel_seg *s = &k->seg[i];
        uint8_t *dst = (uint8_t *)mem + (s->vaddr - mem_va);

        if (s->vaddr < mem_va || s->vaddr - mem_va > mem_len || s->memsz > mem_len - (s->vaddr - mem_va))
            return FAIL(-ERANGE, "kernel: segment at %#llx outside the mapped region",
                        (unsigned long long)s->vaddr);
        memcpy(dst, k->image + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
    return 0;
}
