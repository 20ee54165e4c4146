/* PV kernel ELF and Xen-note parsing (xen/common/elf.c). */
#include <xen/elfnote.h>
#include <xen/features.h>
#include <xenolith/elf.h>

#include "harness.h"

/* A synthetic kernel: ELF header, a PT_LOAD and a PT_NOTE, then the notes. */
static uint8_t img[4096];
static size_t notes_len;
static char err[160];

#define NOTES_OFF 512
#define VBASE 0xffffffff80000000ULL
#define LINUX_P2M_BASE 0x8000000000ULL /* Linux 6.1's INIT_P2M: L4 slot 1 */

static void put64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }
static void put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void put16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }

static void phdr(unsigned i, uint32_t type, uint64_t off, uint64_t paddr,
                 uint64_t filesz, uint64_t memsz)
{
    size_t p = 64 + i * 56;

    put32(p, type);
    put64(p + 8, off);
    put64(p + 16, paddr + VBASE);
    put64(p + 24, paddr);
    put64(p + 32, filesz);
    put64(p + 40, memsz);
}

static void note(uint32_t type, const void *desc, uint32_t size)
{
    size_t p = NOTES_OFF + notes_len;

    put32(p, 4);
    put32(p + 4, size);
    put32(p + 8, type);
    memcpy(img + p + 12, "Xen", 4);
    memcpy(img + p + 16, desc, size);
    notes_len += 16 + ((size + 3) & ~3u);
    phdr(1, 4, NOTES_OFF, 0, notes_len, notes_len);
}

static void note64(uint32_t type, uint64_t v) { note(type, &v, 8); }
static void note_str(uint32_t type, const char *s) { note(type, s, strlen(s) + 1); }

/* A valid image: load 0x1000 bytes at paddr 0x100000, Linux-like notes. */
static void build(void)
{
    memset(img, 0, sizeof(img));
    notes_len = 0;
    memcpy(img, "\177ELF", 4);
    img[4] = 2; /* 64-bit */
    img[5] = 1; /* little-endian */
    put16(16, 2);
    put16(18, 62);
    put64(24, VBASE + 0x100000); /* e_entry */
    put64(32, 64);               /* e_phoff */
    put16(54, 56);               /* e_phentsize */
    put16(56, 2);                /* e_phnum */
    phdr(0, 1, 0, 0x100000, 0x800, 0x1000);
    note_str(XEN_ELFNOTE_GUEST_OS, "linux");
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note64(XEN_ELFNOTE_VIRT_BASE, VBASE);
    note64(XEN_ELFNOTE_PADDR_OFFSET, 0);
    note64(XEN_ELFNOTE_ENTRY, VBASE + 0x100040);
    note64(XEN_ELFNOTE_HYPERCALL_PAGE, VBASE + 0x100800);
    note_str(XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb|bogus");
    note64(XEN_ELFNOTE_MOD_START_PFN, 1);
    note64(XEN_ELFNOTE_INIT_P2M, LINUX_P2M_BASE);
}

static int parse(struct elf_kernel *k)
{
    return elf_kernel_parse(k, img, sizeof(img), err, sizeof(err));
}

static void test_linux_like(void)
{
    struct elf_kernel k;

    build();
    CU_ASSERT_EQUAL_FATAL(parse(&k), 0);
    CU_ASSERT_STRING_EQUAL(k.guest_os, "linux");
    CU_ASSERT_EQUAL(k.virt_base, VBASE);
    CU_ASSERT_EQUAL(k.entry, VBASE + 0x100040);
    CU_ASSERT_EQUAL(k.hypercall_page, VBASE + 0x100800);
    CU_ASSERT_EQUAL(k.virt_kstart, VBASE + 0x100000);
    CU_ASSERT_EQUAL(k.virt_kend, VBASE + 0x101000);
    CU_ASSERT_TRUE(k.unmapped_initrd);
    CU_ASSERT_EQUAL(k.features_required, 1U << XENFEAT_writable_page_tables);
    CU_ASSERT_EQUAL(k.features_supported,
                    (1U << XENFEAT_writable_page_tables) | (1U << XENFEAT_pae_pgdir_above_4gb));
    CU_ASSERT_FALSE(k.has_supported_features_note);
    CU_ASSERT_EQUAL(k.p2m_base, LINUX_P2M_BASE);
}

static void test_defaults(void)
{
    struct elf_kernel k;

    build();
    notes_len = 0; /* only the two notes a loader insists on */
    note_str(XEN_ELFNOTE_LOADER, "generic");
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    put64(24, 0x100010);
    phdr(0, 1, 0, 0x100000, 0x800, 0x1000);
    CU_ASSERT_EQUAL_FATAL(parse(&k), 0);
    CU_ASSERT_EQUAL(k.virt_base, 0);          /* VIRT_BASE unset: 0 */
    CU_ASSERT_EQUAL(k.entry, 0x100010);       /* ENTRY unset: e_entry */
    CU_ASSERT_EQUAL(k.virt_kstart, 0x100000); /* PADDR_OFFSET unset: 0 */
    CU_ASSERT_EQUAL(k.p2m_base, ELF_UNSET);   /* no INIT_P2M: the list in the region */
}

static void expect_error(const char *what)
{
    struct elf_kernel k;

    CU_ASSERT_EQUAL(parse(&k), -1);
    if (!strstr(err, what))
        fprintf(stderr, "\n  error was: %s (expected '%s')\n", err, what);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, what));
}

static void test_refusals(void)
{
    build();
    img[4] = 1;
    expect_error("not a 64-bit");

    build();
    memcpy(img, "\177ELG", 4);
    expect_error("not an ELF image");

    build();
    notes_len = 0;
    phdr(1, 0, 0, 0, 0, 0); /* no notes at all */
    expect_error("no Xen ELF notes");

    build();
    note_str(XEN_ELFNOTE_XEN_VERSION, "xen-2.0"); /* the last note wins */
    expect_error("XEN_VERSION note is 'xen-2.0'");

    build();
    note_str(XEN_ELFNOTE_GUEST_OS, "plan9");
    expect_error("expected LOADER 'generic' or GUEST_OS 'linux'");

    build();
    note64(XEN_ELFNOTE_ENTRY, VBASE + 0x200000);
    expect_error("outside the image");

    build();
    note_str(XEN_ELFNOTE_FEATURES, "!no_such_feature");
    expect_error("unknown required feature 'no_such_feature'");

    build();
    note64(XEN_ELFNOTE_INIT_P2M, VBASE + 0x100100);
    expect_error("INIT_P2M");
}

static void test_bounds(void)
{
    struct elf_kernel k;

    build();
    phdr(0, 1, 4000, 0x100000, 0x800, 0x1000); /* file data past the end */
    expect_error("load segment 0");

    build();
    put64(32, 4090); /* program headers past the end */
    expect_error("program headers outside the image");

    build();
    put32(NOTES_OFF + 4, 0x7fffffff); /* a note claiming a huge descriptor */
    expect_error("runs past its segment");

    build();
    CU_ASSERT_EQUAL(elf_kernel_parse(&k, img, 40, err, sizeof(err)), -1); /* truncated */
}

static uint64_t seen_vaddr, seen_filesz, seen_memsz;

static int record(void *ctx, uint64_t vaddr, const uint8_t *src, uint64_t filesz,
                  uint64_t memsz)
{
    (void)ctx;
    CU_ASSERT_PTR_EQUAL(src, img);
    seen_vaddr = vaddr;
    seen_filesz = filesz;
    seen_memsz = memsz;
    return 0;
}

static void test_segments(void)
{
    struct elf_kernel k;

    build();
    CU_ASSERT_EQUAL_FATAL(parse(&k), 0);
    CU_ASSERT_EQUAL(elf_kernel_for_each_segment(&k, record, NULL), 0);
    CU_ASSERT_EQUAL(seen_vaddr, VBASE + 0x100000);
    CU_ASSERT_EQUAL(seen_filesz, 0x800);
    CU_ASSERT_EQUAL(seen_memsz, 0x1000);
}

void register_elf_tests(void)
{
    CU_pSuite s = CU_add_suite("elf", NULL, NULL);

    CU_add_test(s, "a Linux-like kernel's notes", test_linux_like);
    CU_add_test(s, "defaults of Xen's loader", test_defaults);
    CU_add_test(s, "inconsistent or foreign images are refused", test_refusals);
    CU_add_test(s, "offsets and sizes are bounds-checked", test_bounds);
    CU_add_test(s, "segments at their virtual addresses", test_segments);
}
