/*
 * libxc's kernel loader: a synthetic ELF with Xen notes made here (plain,
 * gzip, XZ, and inside a fake bzImage), bad images, and Debian's kernel
 * (build/linux/vmlinuz) when the tree has fetched it.
 */
#include <elf.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/elfnote.h>
#include <zlib.h>

#include "tool_harness.h"
#include "xc_kernel.h"

#define ERRLEN 256
#define VBASE 0xffffffff80000000ull
#define ENTRY 0xffffffff81000040ull
#define HCALL 0xffffffff81001000ull

struct img {
    uint8_t *p;
    size_t len;
};

static size_t put_note(uint8_t *p, uint32_t type, const void *desc, uint32_t len)
{
    Elf64_Nhdr h = {.n_namesz = 4, .n_descsz = len, .n_type = type};
    size_t dlen = (len + 3) & ~3u;

    memcpy(p, &h, sizeof(h));
    memcpy(p + sizeof(h), "Xen", 4);
    memset(p + sizeof(h) + 4, 0, dlen);
    memcpy(p + sizeof(h) + 4, desc, len);
    return sizeof(h) + 4 + dlen;
}

/* An ELF64 with one 8 KiB PT_LOAD at paddr 16 MiB (memsz 12 KiB) and Linux-like notes. */
static struct img make_elf(bool with_notes)
{
    const size_t notes_off = 0x200, load_off = 0x1000, filesz = 0x2000;
    struct img im = {calloc(1, load_off + filesz), load_off + filesz};
    Elf64_Ehdr *eh = (void *)im.p;
    Elf64_Phdr *ph = (void *)(im.p + sizeof(*eh));
    uint64_t vb = VBASE, po = 0, entry = ENTRY, hc = HCALL;
    uint32_t one = 1;
    size_t n = 0;

    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_entry = 0xffffffff81000000ull;
    eh->e_phoff = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 2;
    eh->e_ehsize = sizeof(*eh);
    if (with_notes) {
        uint8_t *np = im.p + notes_off;

        n += put_note(np + n, XEN_ELFNOTE_GUEST_OS, "linux", 6);
        n += put_note(np + n, XEN_ELFNOTE_XEN_VERSION, "xen-3.0", 8);
        n += put_note(np + n, XEN_ELFNOTE_VIRT_BASE, &vb, 8);
        n += put_note(np + n, XEN_ELFNOTE_PADDR_OFFSET, &po, 8);
        n += put_note(np + n, XEN_ELFNOTE_ENTRY, &entry, 8);
        n += put_note(np + n, XEN_ELFNOTE_HYPERCALL_PAGE, &hc, 8);
        n += put_note(np + n, XEN_ELFNOTE_FEATURES, "!writable_page_tables", 22);
        n += put_note(np + n, XEN_ELFNOTE_LOADER, "generic", 8);
        n += put_note(np + n, XEN_ELFNOTE_MOD_START_PFN, &one, 4);
    }
    ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_offset = load_off, .p_vaddr = 0xffffffff81000000ull,
                         .p_paddr = 0x1000000, .p_filesz = filesz, .p_memsz = 0x3000};
    ph[1] = (Elf64_Phdr){.p_type = PT_NOTE, .p_offset = notes_off, .p_filesz = n};
    for (size_t i = 0; i < filesz; i++)
        im.p[load_off + i] = (uint8_t)(i * 7 + 1);
    return im;
}

static struct img gzip_of(struct img in)
{
    z_stream s = {0};
    struct img out = {malloc(in.len + 1024), 0};

    CU_ASSERT_FATAL(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    s.next_in = in.p;
    s.avail_in = (uInt)in.len;
    s.next_out = out.p;
    s.avail_out = (uInt)in.len + 1024;
    CU_ASSERT_FATAL(deflate(&s, Z_FINISH) == Z_STREAM_END);
    out.len = s.total_out;
    deflateEnd(&s);
    return out;
}

/* XZ with Linux's habit of appending the uncompressed size (le32). */
static struct img xz_of(struct img in)
{
    struct img out = {malloc(in.len + 4096), 0};
    uint32_t size = (uint32_t)in.len;

    CU_ASSERT_FATAL(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in.p, in.len, out.p,
                                            &out.len, in.len + 4096) == LZMA_OK);
    memcpy(out.p + out.len, &size, 4);
    out.len += 4;
    return out;
}

/* A fake bzImage: 1 setup sector + boot sector, header fields at their offsets. */
static struct img bzimage_of(struct img payload, uint16_t version)
{
    const unsigned sects = 1, pm_off = (sects + 1) * 512, pl_off = 0x40;
    struct img out = {calloc(1, pm_off + pl_off + payload.len), pm_off + pl_off + payload.len};
    uint32_t off32 = pl_off, len32 = (uint32_t)payload.len;

    out.p[0x1f1] = sects;
    memcpy(out.p + 0x202, "HdrS", 4);
    memcpy(out.p + 0x206, &version, 2);
    memcpy(out.p + 0x248, &off32, 4);
    memcpy(out.p + 0x24c, &len32, 4);
    memcpy(out.p + pm_off + pl_off, payload.p, payload.len);
    return out;
}

static void check_synthetic(const struct xc_kernel *k)
{
    CU_ASSERT_EQUAL(k->virt_base, VBASE);
    CU_ASSERT_EQUAL(k->entry, ENTRY);
    CU_ASSERT_TRUE(k->notes.has_hypercall_page);
    CU_ASSERT_EQUAL(k->notes.hypercall_page, HCALL);
    CU_ASSERT_TRUE(k->notes.mod_start_pfn);
    CU_ASSERT_STRING_EQUAL(k->notes.xen_version, "xen-3.0");
    CU_ASSERT_STRING_EQUAL(k->notes.guest_os, "linux");
    CU_ASSERT_STRING_EQUAL(k->notes.loader, "generic");
    CU_ASSERT_STRING_EQUAL(k->notes.features, "!writable_page_tables");
    CU_ASSERT_EQUAL(k->nseg, 1);
    CU_ASSERT_EQUAL(k->vstart, 0xffffffff81000000ull);
    CU_ASSERT_EQUAL(k->vend, 0xffffffff81003000ull);
}

static void test_elf_notes(void)
{
    struct img im = make_elf(true);
    struct xc_kernel k;
    char err[ERRLEN];

    CU_ASSERT_EQUAL_FATAL(xc_kernel_load(im.p, im.len, &k, err, sizeof(err)), 0);
    CU_ASSERT_FALSE(k.owned);
    check_synthetic(&k);
    xc_kernel_free(&k);
    free(im.p);
}

static void test_compressed_forms(void)
{
    struct img elf = make_elf(true), gz = gzip_of(elf), xz = xz_of(elf);
    struct img bz_gz = bzimage_of(gz, 0x20f), bz_xz = bzimage_of(xz, 0x20f);
    struct img *forms[] = {&gz, &xz, &bz_gz, &bz_xz};
    char err[ERRLEN];

    for (size_t i = 0; i < 4; i++) {
        struct xc_kernel k;
        int rc = xc_kernel_load(forms[i]->p, forms[i]->len, &k, err, sizeof(err));

        CU_ASSERT_EQUAL(rc, 0);
        if (rc) {
            fprintf(stderr, "form %zu: %s\n", i, err);
            continue;
        }
        CU_ASSERT_TRUE(k.owned);
        CU_ASSERT_EQUAL(k.size, elf.len);
        CU_ASSERT_EQUAL(memcmp(k.image, elf.p, elf.len), 0);
        check_synthetic(&k);
        xc_kernel_free(&k);
    }
    free(elf.p), free(gz.p), free(xz.p), free(bz_gz.p), free(bz_xz.p);
}

static void test_bzimage_header(void)
{
    struct img elf = make_elf(true), gz = gzip_of(elf), old = bzimage_of(gz, 0x206);
    struct img good = bzimage_of(gz, 0x20f);
    size_t off, len;
    char err[ERRLEN];

    CU_ASSERT_EQUAL(xc_bzimage_payload(elf.p, elf.len, &off, &len, err, sizeof(err)), -ENOENT);
    CU_ASSERT_EQUAL(xc_bzimage_payload(old.p, old.len, &off, &len, err, sizeof(err)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "0x208"));
    CU_ASSERT_EQUAL(xc_bzimage_payload(good.p, good.len, &off, &len, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(off, 2 * 512 + 0x40);
    CU_ASSERT_EQUAL(len, gz.len);
    /* A payload length running past the file. */
    good.p[0x24d] = 0x7f;
    CU_ASSERT_EQUAL(xc_bzimage_payload(good.p, good.len, &off, &len, err, sizeof(err)), -EINVAL);
    free(elf.p), free(gz.p), free(old.p), free(good.p);
}

static void test_bad_images(void)
{
    struct img plain = make_elf(false), elf = make_elf(true), xz = xz_of(elf);
    struct xc_kernel k;
    char err[ERRLEN];
    Elf64_Phdr *ph = (void *)(elf.p + sizeof(Elf64_Ehdr));

    CU_ASSERT_EQUAL(xc_kernel_load(plain.p, plain.len, &k, err, sizeof(err)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no Xen ELF notes"));
    CU_ASSERT_EQUAL(xc_kernel_load(elf.p, 40, &k, err, sizeof(err)), -EINVAL);
    /* Truncated XZ. */
    CU_ASSERT_EQUAL(xc_kernel_load(xz.p, xz.len / 2, &k, err, sizeof(err)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "xz"));
    /* A segment past the end of the file. */
    ph[0].p_filesz = 0x100000;
    ph[0].p_memsz = 0x100000;
    CU_ASSERT_EQUAL(xc_kernel_load(elf.p, elf.len, &k, err, sizeof(err)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "outside the image"));
    /* 32-bit ELF. */
    elf.p[EI_CLASS] = ELFCLASS32;
    CU_ASSERT_EQUAL(xc_kernel_load(elf.p, elf.len, &k, err, sizeof(err)), -EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "64-bit"));
    free(plain.p), free(elf.p), free(xz.p);
}

static void test_copy(void)
{
    struct img elf = make_elf(true);
    struct xc_kernel k;
    char err[ERRLEN];
    size_t mem_len = 0x1000000 + 0x4000;
    uint8_t *mem = malloc(mem_len);

    memset(mem, 0xaa, mem_len);
    CU_ASSERT_EQUAL_FATAL(xc_kernel_load(elf.p, elf.len, &k, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(xc_kernel_copy(&k, mem, VBASE, mem_len, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(memcmp(mem + 0x1000000, elf.p + 0x1000, 0x2000), 0);
    CU_ASSERT_EQUAL(mem[0x1000000 + 0x2000], 0);      /* bss zeroed */
    CU_ASSERT_EQUAL(mem[0x1000000 + 0x2fff], 0);
    CU_ASSERT_EQUAL(mem[0x1000000 + 0x3000], 0xaa);   /* nothing past memsz */
    CU_ASSERT_EQUAL(xc_kernel_copy(&k, mem, VBASE, 0x1000000, err, sizeof(err)), -ERANGE);
    xc_kernel_free(&k);
    free(mem), free(elf.p);
}

/* Debian's bzImage (XZ payload), when scripts/fetch-linux.sh has run. */
static void test_debian_vmlinuz(void)
{
    const char *path = "build/linux/vmlinuz";
    struct xc_kernel k;
    char err[ERRLEN];
    FILE *f = fopen(path, "rb");

    if (!f) {
        printf("\n  SKIP: %s not present (scripts/fetch-linux.sh fetches it) ", path);
        return;
    }
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(xc_kernel_read(path, &k, err, sizeof(err)), 0);
    CU_ASSERT_TRUE(k.notes.has_entry);
    CU_ASSERT_TRUE(k.notes.has_virt_base);
    CU_ASSERT_EQUAL(k.virt_base, VBASE);
    CU_ASSERT_EQUAL(k.notes.paddr_offset, 0);
    CU_ASSERT_EQUAL(k.vstart, 0xffffffff81000000ull); /* CONFIG_PHYSICAL_START 16 MiB */
    CU_ASSERT_TRUE(k.entry >= k.vstart && k.entry < k.vend);
    CU_ASSERT_STRING_EQUAL(k.notes.xen_version, "xen-3.0");
    CU_ASSERT_STRING_EQUAL(k.notes.guest_os, "linux");
    CU_ASSERT_TRUE(k.notes.mod_start_pfn);
    CU_ASSERT_TRUE(k.notes.has_init_p2m);
    CU_ASSERT_TRUE(k.vend - k.vstart < (256u << 20));
    xc_kernel_free(&k);
}

static void suite(void)
{
    CU_pSuite s = CU_add_suite("libxc kernel loader", NULL, NULL);

    CU_add_test(s, "ELF with Xen notes", test_elf_notes);
    CU_add_test(s, "gzip, XZ and bzImage forms", test_compressed_forms);
    CU_add_test(s, "bzImage header", test_bzimage_header);
    CU_add_test(s, "bad images are refused with a reason", test_bad_images);
    CU_add_test(s, "segments copied, bss zeroed", test_copy);
    CU_add_test(s, "Debian vmlinuz", test_debian_vmlinuz);
}
TOOL_TEST_SUITE(suite);
