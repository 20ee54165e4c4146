/* PV kernel ELF and Xen-note parsing (see xenolith/elf.h). */
#include <xenolith/elf.h>
#include <xen/elfnote.h>
#include <xen/features.h>

/* ELF64 as in the System V ABI; only what a kernel loader reads. */
struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf_note {
    uint32_t namesz, descsz, type;
};

#define PT_LOAD 1
#define PT_NOTE 4
#define EM_X86_64 62

/* The names Xen's loader accepts in the FEATURES note, by XENFEAT_* bit. */
static const char *const feature_names[32] = {
    [XENFEAT_writable_page_tables] = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
    [XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
    [XENFEAT_dom0] = "dom0",
};

#define fail(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static const struct elf64_phdr *phdr(const struct elf_kernel *k, unsigned i)
{
    const struct elf64_ehdr *eh = (const void *)k->image;

    return (const void *)(k->image + eh->phoff + (uint64_t)i * sizeof(struct elf64_phdr));
}

static bool in_image(const struct elf_kernel *k, uint64_t off, uint64_t len)
{
    return off <= k->size && len <= k->size - off;
}

/* "!name|name|..." into supported/required bitmaps; an unknown required one fails. */
static int parse_features(struct elf_kernel *k, const char *s, char *err, size_t errlen)
{
    while (*s) {
        char name[64];
        size_t len = 0;
        bool required = *s == '!';
        unsigned bit;

        s += required;
        while (s[len] && s[len] != '|')
            len++;
        if (len >= sizeof(name))
            return fail("FEATURES note: entry longer than 63 characters");
        memcpy(name, s, len);
        name[len] = '\0';
        s += len + (s[len] == '|');
        for (bit = 0; bit < 32; bit++)
            if (feature_names[bit] && !strcmp(name, feature_names[bit]))
                break;
        if (bit == 32) {
            if (required)
                return fail("FEATURES note: unknown required feature '%s'", name);
            continue;
        }
        k->features_supported |= 1U << bit;
        if (required)
            k->features_required |= 1U << bit;
    }
    return 0;
}

static uint64_t note_number(const uint8_t *desc, uint32_t size)
{
    uint64_t v = 0;

    if (size == 4 || size == 8)
        memcpy(&v, desc, size); /* little-endian */
    return v;
}

static void note_string(char *dst, size_t dstlen, const uint8_t *desc, uint32_t size)
{
    size_t n = strnlen((const char *)desc, size);

    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, desc, n);
    dst[n] = '\0';
}

static int one_note(struct elf_kernel *k, uint32_t type, const uint8_t *desc,
                    uint32_t size, char *err, size_t errlen)
{
    char features[512];

    switch (type) {
    case XEN_ELFNOTE_ENTRY: k->entry = note_number(desc, size); break;
    case XEN_ELFNOTE_HYPERCALL_PAGE: k->hypercall_page = note_number(desc, size); break;
    case XEN_ELFNOTE_VIRT_BASE: k->virt_base = note_number(desc, size); break;
    case XEN_ELFNOTE_PADDR_OFFSET: k->paddr_offset = note_number(desc, size); break;
    case XEN_ELFNOTE_HV_START_LOW: k->hv_start_low = note_number(desc, size); break;
    case XEN_ELFNOTE_INIT_P2M: k->p2m_base = note_number(desc, size); break;
    case XEN_ELFNOTE_MOD_START_PFN: k->unmapped_initrd = note_number(desc, size) != 0; break;
    case XEN_ELFNOTE_XEN_VERSION: note_string(k->xen_version, sizeof(k->xen_version), desc, size); break;
    case XEN_ELFNOTE_GUEST_OS: note_string(k->guest_os, sizeof(k->guest_os), desc, size); break;
    case XEN_ELFNOTE_GUEST_VERSION: note_string(k->guest_version, sizeof(k->guest_version), desc, size); break;
    case XEN_ELFNOTE_LOADER: note_string(k->loader, sizeof(k->loader), desc, size); break;
    case XEN_ELFNOTE_PAE_MODE: note_string(k->pae_mode, sizeof(k->pae_mode), desc, size); break;
    case XEN_ELFNOTE_FEATURES:
        note_string(features, sizeof(features), desc, size);
        return parse_features(k, features, err, errlen);
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        k->features_supported |= (uint32_t)note_number(desc, size);
        k->has_supported_features_note = true;
        break;
    }
    return 0;
}

static int parse_notes(struct elf_kernel *k, uint64_t off, uint64_t len,
                       char *err, size_t errlen)
{
    uint64_t end = off + len;

    while (off + sizeof(struct elf_note) <= end) {
        struct elf_note n;
        uint64_t name_off, desc_off;

        memcpy(&n, k->image + off, sizeof(n));
        name_off = off + sizeof(n);
        desc_off = name_off + ROUNDUP((uint64_t)n.namesz, 4);
        if (desc_off > end || ROUNDUP((uint64_t)n.descsz, 4) > end - desc_off)
            return fail("ELF note at offset %#lx runs past its segment", (unsigned long)off);
        if (n.namesz == 4 && !memcmp(k->image + name_off, "Xen", 4)) {
            k->has_notes = true;
            if (one_note(k, n.type, k->image + desc_off, n.descsz, err, errlen))
                return -1;
        }
        off = desc_off + ROUNDUP((uint64_t)n.descsz, 4);
    }
    return 0;
}

static int parse_headers(struct elf_kernel *k, char *err, size_t errlen)
{
    const struct elf64_ehdr *eh = (const void *)k->image;
    bool any_load = false;

    if (k->size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4))
        return fail("not an ELF image");
    if (eh->ident[4] != 2 || eh->ident[5] != 1 || eh->machine != EM_X86_64)
        return fail("not a 64-bit little-endian x86-64 ELF (class %u, machine %u)",
                    eh->ident[4], eh->machine);
    if (eh->phentsize != sizeof(struct elf64_phdr) ||
        !in_image(k, eh->phoff, (uint64_t)eh->phnum * sizeof(struct elf64_phdr)))
        return fail("program headers outside the image");

    k->pstart = ~0UL;
    k->pend = 0;
    for (unsigned i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = phdr(k, i);

        if (ph->type == PT_NOTE) {
            if (!in_image(k, ph->offset, ph->filesz))
                return fail("note segment %u outside the image", i);
            if (parse_notes(k, ph->offset, ph->filesz, err, errlen))
                return -1;
        }
        if (ph->type != PT_LOAD || !ph->memsz)
            continue;
        if (!in_image(k, ph->offset, ph->filesz) || ph->filesz > ph->memsz ||
            ph->paddr + ph->memsz < ph->paddr)
            return fail("load segment %u: offset %#lx size %#lx/%#lx out of bounds",
                        i, (unsigned long)ph->offset, (unsigned long)ph->filesz,
                        (unsigned long)ph->memsz);
        any_load = true;
        k->pstart = MIN(k->pstart, ph->paddr);
        k->pend = MAX(k->pend, ph->paddr + ph->memsz);
    }
    if (!any_load)
        return fail("no loadable segment");
    return 0;
}

/* The checks of Xen's loader: who the image was built for, and its addresses. */
static int check_notes(struct elf_kernel *k, char *err, size_t errlen)
{
    if (!k->has_notes)
        return fail("not a Xen PV kernel: no Xen ELF notes");
    if (strncmp(k->loader, "generic", 7) && strncmp(k->guest_os, "linux", 5))
        return fail("LOADER note is '%s' and GUEST_OS '%s': expected LOADER 'generic' "
                    "or GUEST_OS 'linux'", k->loader, k->guest_os);
    if (strncmp(k->xen_version, "xen-3.0", 7))
        return fail("XEN_VERSION note is '%s': expected 'xen-3.0'", k->xen_version);
    if (k->paddr_offset != ELF_UNSET && k->virt_base == ELF_UNSET)
        return fail("PADDR_OFFSET note without VIRT_BASE");
    if (k->virt_base == ELF_UNSET)
        k->virt_base = 0;
    if (k->paddr_offset == ELF_UNSET)
        k->paddr_offset = 0;
    k->virt_offset = k->virt_base - k->paddr_offset;
    k->virt_kstart = k->pstart + k->virt_offset;
    k->virt_kend = k->pend + k->virt_offset;
    if (k->entry == ELF_UNSET)
        k->entry = ((const struct elf64_ehdr *)k->image)->entry;
    if (k->virt_kstart > k->virt_kend || k->entry < k->virt_kstart ||
        k->entry > k->virt_kend || k->virt_base > k->virt_kstart)
        return fail("entry %#lx or kernel %#lx-%#lx outside the image (VIRT_BASE %#lx)",
                    (unsigned long)k->entry, (unsigned long)k->virt_kstart,
                    (unsigned long)k->virt_kend, (unsigned long)k->virt_base);
    if (k->p2m_base != ELF_UNSET && k->p2m_base >= k->virt_kstart &&
        k->p2m_base < k->virt_kend)
        return fail("INIT_P2M %#lx inside the kernel image", (unsigned long)k->p2m_base);
    return 0;
}

int elf_kernel_parse(struct elf_kernel *k, const void *image, size_t size,
                     char *err, size_t errlen)
{
    memset(k, 0, sizeof(*k));
    k->image = image;
    k->size = size;
    k->virt_base = k->paddr_offset = k->entry = ELF_UNSET;
    k->hypercall_page = k->hv_start_low = k->p2m_base = ELF_UNSET;
    if (parse_headers(k, err, errlen))
        return -1;
    return check_notes(k, err, errlen);
}

int elf_kernel_for_each_segment(const struct elf_kernel *k, elf_segment_fn fn,
                                void *ctx)
{
    const struct elf64_ehdr *eh = (const void *)k->image;

    for (unsigned i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = phdr(k, i);
        int rc;

        if (ph->type != PT_LOAD || !ph->memsz)
            continue;
        rc = fn(ctx, ph->paddr + k->virt_offset, k->image + ph->offset,
                ph->filesz, ph->memsz);
        if (rc)
            return rc;
    }
    return 0;
}
