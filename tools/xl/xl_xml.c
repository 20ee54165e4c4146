/*
 * libvirt domain XML <-> the domain configuration, with libxml2: the
 * mapping libvirt's xen-xl converter uses (xl-inventory A1(f)). Fields with
 * an xml column in xl_types.h map generically ("elem/elem" text,
 * "elem@attr" attribute); memory (KiB with units), vcpus, the OS type,
 * clock, and the parts of interfaces and disks with no one-to-one field are
 * handled here. Devices read from XML become vif/disk spec strings and go
 * through the same parsers (xl_vif.c, xl_disk.c) as xl.cfg's, so they get
 * the same checks and defaults.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <uuid/uuid.h>

#include "xl_cfg.h"
#include "xl_cfg_write.h"
#include "xl_dev.h"
#include "xl_xml.h"

/*
 * libxml2 is loaded when an XML file or conversion needs it, not at every
 * start of xl: with ICU and libstdc++ it is most of what the dynamic
 * loader would map for `xl create` of an xl.cfg. Each function used here
 * is called through a pointer that xml_load() fills from dlopen; xmlFree
 * (a variable holding a function) is reached through its address.
 */
#define XML_FUNCS(F) \
    F(xmlDocDumpFormatMemoryEnc) \
    F(xmlDocGetRootElement) \
    F(xmlDocSetRootElement) \
    F(xmlEncodeSpecialChars) \
    F(xmlFreeDoc) \
    F(xmlGetLastError) \
    F(xmlGetLineNo) \
    F(xmlGetProp) \
    F(xmlNewChild) \
    F(xmlNewDoc) \
    F(xmlNewNode) \
    F(xmlNewTextChild) \
    F(xmlNodeGetContent) \
    F(xmlNodeSetContent) \
    F(xmlReadMemory) \
    F(xmlSetGenericErrorFunc) \
    F(xmlSetProp) \
    F(xmlStrcmp) \
    F(xmlFree)

#define XML_PTR(f) static __typeof__(f) *dl_##f;
XML_FUNCS(XML_PTR)
#undef XML_PTR
#define xmlDocDumpFormatMemoryEnc (*dl_xmlDocDumpFormatMemoryEnc)
#define xmlDocGetRootElement (*dl_xmlDocGetRootElement)
#define xmlDocSetRootElement (*dl_xmlDocSetRootElement)
#define xmlEncodeSpecialChars (*dl_xmlEncodeSpecialChars)
#define xmlFreeDoc (*dl_xmlFreeDoc)
#define xmlGetLastError (*dl_xmlGetLastError)
#define xmlGetLineNo (*dl_xmlGetLineNo)
#define xmlGetProp (*dl_xmlGetProp)
#define xmlNewChild (*dl_xmlNewChild)
#define xmlNewDoc (*dl_xmlNewDoc)
#define xmlNewNode (*dl_xmlNewNode)
#define xmlNewTextChild (*dl_xmlNewTextChild)
#define xmlNodeGetContent (*dl_xmlNodeGetContent)
#define xmlNodeSetContent (*dl_xmlNodeSetContent)
#define xmlReadMemory (*dl_xmlReadMemory)
#define xmlSetGenericErrorFunc (*dl_xmlSetGenericErrorFunc)
#define xmlSetProp (*dl_xmlSetProp)
#define xmlStrcmp (*dl_xmlStrcmp)
#define xmlFree (*dl_xmlFree)

#define XML_LIB "libxml2.so.2"

/* 0 once every function is there; -1 with a message on diag otherwise. */
static int xml_load(FILE *diag)
{
    static int loaded; /* 1 loaded, -1 failed */
    void *h;

    if (loaded)
        return loaded > 0 ? 0 : -1;
    loaded = -1;
    h = dlopen(XML_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(diag, "xl: libvirt XML needs %s: %s\n", XML_LIB, dlerror());
        return -1;
    }
#define XML_SYM(f)                                                                    \
    if (!(*(void **)&dl_##f = dlsym(h, #f))) {                                        \
        fprintf(diag, "xl: %s has no %s\n", XML_LIB, #f);                              \
        return -1;                                                                    \
    }
    XML_FUNCS(XML_SYM)
#undef XML_SYM
    loaded = 1;
    return 0;
}

#define X(s) ((const xmlChar *)(s))

/* ---- paths ---- */

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, X(name)))
            return n;
    return NULL;
}

/* Walks "a/b" (or "a/b@attr": *attr is set) from base; NULL if absent. */
static xmlNodePtr walk(xmlNodePtr base, const char *path, int create, char *attr, size_t alen)
{
    char buf[128];
    char *save = NULL, *tok, *at;
    xmlNodePtr n = base;

    snprintf(buf, sizeof(buf), "%s", path);
    attr[0] = '\0';
    if ((at = strchr(buf, '@'))) {
        *at++ = '\0';
        snprintf(attr, alen, "%s", at);
    }
    for (tok = strtok_r(buf, "/", &save); tok && n; tok = strtok_r(NULL, "/", &save)) {
        xmlNodePtr c = child(n, tok);

        if (!c && create)
            c = xmlNewChild(n, NULL, X(tok), NULL);
        n = c;
    }
    return n;
}

/* The text or attribute at path, malloc'd, or NULL. */
static char *get_path(xmlNodePtr base, const char *path, xmlNodePtr *node)
{
    char attr[32];
    xmlNodePtr n = walk(base, path, 0, attr, sizeof(attr));
    xmlChar *v;
    char *s;

    if (node)
        *node = n ? n : base;
    if (!n)
        return NULL;
    v = attr[0] ? xmlGetProp(n, X(attr)) : xmlNodeGetContent(n);
    if (!v)
        return NULL;
    s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

static void set_path(xmlNodePtr base, const char *path, const char *value)
{
    char attr[32];
    xmlNodePtr n = walk(base, path, 1, attr, sizeof(attr));

    if (attr[0]) {
        xmlSetProp(n, X(attr), X(value));
    } else {
        /* SetContent reads entity references: '&' must come in escaped */
        xmlChar *esc = xmlEncodeSpecialChars(n->doc, X(value));

        xmlNodeSetContent(n, esc);
        xmlFree(esc);
    }
}

/* ---- writing ---- */

static void field_text(const struct xl_field *f, const void *obj, char *buf, size_t len)
{
    const void *p = XL_FIELD_PTR(obj, f);

    switch (f->kind) {
    case XT_STR:
    case XT_NAME:
    case XT_UUID:
    case XT_CPUMAP:
        snprintf(buf, len, "%s", *(char *const *)p);
        break;
    case XT_INT:
    case XT_MEMKB:
    case XT_COUNTMAP:
        snprintf(buf, len, "%lld", *(const long long *)p);
        break;
    case XT_DEFBOOL:
        snprintf(buf, len, "%d", *(const int *)p);
        break;
    default:
        snprintf(buf, len, "%s", xl_enum_name(f->kind, *(const int *)p));
        break;
    }
}

static void put_fields(xmlNodePtr base, const struct xl_section *s, const void *obj, int all)
{
    char buf[4096];

    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];

        if (!f->xml || (!all && xl_field_is_default(f, obj)))
            continue;
        field_text(f, obj, buf, sizeof(buf));
        set_path(base, f->xml, buf);
    }
}

static void put_nic(xmlNodePtr devs, const struct xl_nic *n)
{
    xmlNodePtr i = xmlNewChild(devs, NULL, X("interface"), NULL);

    xmlSetProp(i, X("type"), X("bridge"));
    put_fields(i, &xl_nic_section, n, 0);
    if (n->rate_bytes_per_interval && n->rate_interval_usecs) {
        /* libvirt's average is in KB/s; xl's K is 1000 (xl-network-configuration(5)) */
        char buf[32];
        long long bps = n->rate_bytes_per_interval * 1000000 / n->rate_interval_usecs;

        snprintf(buf, sizeof(buf), "%lld", (bps + 999) / 1000);
        set_path(i, "bandwidth/outbound@average", buf);
    }
}

static void put_disk(xmlNodePtr devs, const struct xl_disk *d)
{
    static const char *const driver[] = {[XL_BACKEND_PHY] = "phy", [XL_BACKEND_TAP] = "tap",
                                         [XL_BACKEND_QDISK] = "qemu"};
    xmlNodePtr x = xmlNewChild(devs, NULL, X("disk"), NULL);
    int block = d->pdev_path && !strncmp(d->pdev_path, "/dev/", 5);
    const char *fmt = xl_enum_name(XT_FORMAT, d->format);

    xmlSetProp(x, X("type"), X(block ? "block" : "file"));
    xmlSetProp(x, X("device"), X(d->is_cdrom ? "cdrom" : "disk"));
    if (d->backend > 0 && d->backend < 4 && driver[d->backend])
        set_path(x, "driver@name", driver[d->backend]);
    if (d->format != XL_FORMAT_EMPTY && d->format != XL_FORMAT_UNKNOWN)
        set_path(x, "driver@type", fmt);
    if (d->pdev_path)
        set_path(x, block ? "source@dev" : "source@file", d->pdev_path);
    put_fields(x, &xl_disk_section, d, 0);
    set_path(x, "target@bus", "xen");
    if (!d->readwrite)
        xmlNewChild(x, NULL, X("readonly"), NULL);
}

static char *xml_domain(const struct xl_domain_config *c)
{
    xmlDocPtr doc = xmlNewDoc(X("1.0"));
    xmlNodePtr dom, n, devs;
    xmlChar *mem = NULL;
    int len = 0;
    char buf[64], *out = NULL;

    if (!doc)
        goto out;
    dom = xmlNewNode(NULL, X("domain"));
    xmlDocSetRootElement(doc, dom);
    xmlSetProp(dom, X("type"), X("xen"));
    /* libvirt's element order; the generic walk below fills them in */
    xmlNewChild(dom, NULL, X("name"), NULL);
    xmlNewChild(dom, NULL, X("uuid"), NULL);
    snprintf(buf, sizeof(buf), "%lld", c->b_info.max_memkb);
    xmlSetProp(xmlNewChild(dom, NULL, X("memory"), X(buf)), X("unit"), X("KiB"));
    snprintf(buf, sizeof(buf), "%lld", c->b_info.target_memkb);
    xmlSetProp(xmlNewChild(dom, NULL, X("currentMemory"), X(buf)), X("unit"), X("KiB"));
    snprintf(buf, sizeof(buf), "%lld", c->b_info.max_vcpus);
    n = xmlNewChild(dom, NULL, X("vcpu"), X(buf));
    xmlSetProp(n, X("placement"), X("static"));
    if (c->b_info.avail_vcpus != c->b_info.max_vcpus) {
        snprintf(buf, sizeof(buf), "%lld", c->b_info.avail_vcpus);
        xmlSetProp(n, X("current"), X(buf));
    }
    if (c->b_info.bootloader)
        xmlNewChild(dom, NULL, X("bootloader"), NULL);
    if (c->b_info.bootloader_args) {
        /* libvirt keeps them as one string */
        FILE *m;
        char *args = NULL;
        size_t alen = 0;

        if (!(m = open_memstream(&args, &alen)))
            goto out;
        for (char **a = c->b_info.bootloader_args; *a; a++)
            fprintf(m, "%s%s", a == c->b_info.bootloader_args ? "" : " ", *a);
        fclose(m);
        xmlNewTextChild(dom, NULL, X("bootloader_args"), X(args));
        free(args);
    }
    n = xmlNewChild(dom, NULL, X("os"), NULL);
    n = xmlNewChild(n, NULL, X("type"), X("linux"));
    xmlSetProp(n, X("arch"), X("x86_64"));
    xmlSetProp(n, X("machine"), X("xenpv"));
    put_fields(dom, &xl_c_info_section, &c->c_info, 0);
    put_fields(dom, &xl_b_info_section, &c->b_info, 0);
    n = xmlNewChild(dom, NULL, X("clock"), NULL);
    xmlSetProp(n, X("offset"), X(c->b_info.localtime == 1 ? "localtime" : "utc"));
    xmlSetProp(n, X("adjustment"), X("reset"));
    put_fields(dom, &xl_action_section, &c->act, 1);
    devs = xmlNewChild(dom, NULL, X("devices"), NULL);
    for (size_t i = 0; i < c->num_disks; i++)
        put_disk(devs, &c->disks[i]);
    for (size_t i = 0; i < c->num_nics; i++)
        put_nic(devs, &c->nics[i]);
    /* xl.cfg has no console key: PV console 0 always exists */
    n = xmlNewChild(devs, NULL, X("console"), NULL);
    xmlSetProp(n, X("type"), X("pty"));
    n = xmlNewChild(n, NULL, X("target"), NULL);
    xmlSetProp(n, X("type"), X("xen"));
    xmlSetProp(n, X("port"), X("0"));
    if (c->c_info.ssid_label)
        xmlSetProp(child(dom, "seclabel"), X("type"), X("static"));
    xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
    if (!mem)
        goto out;
    /* libvirt prints the element alone, without the XML declaration */
    {
        const char *body = strstr((const char *)mem, "<domain");

        out = strdup(body ? body : (const char *)mem);
    }
out:
    if (mem)
        xmlFree(mem);
    if (doc)
        xmlFreeDoc(doc);
    return out;
}

/* ---- reading ---- */

struct xread {
    const char *file;
    FILE *diag;
};

/* `file:line: error: ...`: libxml2 keeps lines, not columns, of elements. */
static int xerr(const struct xread *r, xmlNodePtr n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int xerr(const struct xread *r, xmlNodePtr n, const char *fmt, ...)
{
    va_list ap;

    fprintf(r->diag, "%s:%ld: error: ", r->file, n ? xmlGetLineNo(n) : 0L);
    va_start(ap, fmt);
    vfprintf(r->diag, fmt, ap);
    va_end(ap);
    fputc('\n', r->diag);
    return -1;
}

static int set_dup(char **dst, const char *s)
{
    free(*dst);
    return (*dst = strdup(s)) ? 0 : -1;
}

static int read_field(const struct xread *r, const struct xl_field *f, void *obj, xmlNodePtr n,
                      const char *v)
{
    void *p = XL_FIELD_PTR(obj, f);
    const char *why;
    unsigned char bits[64];
    char *end;
    long long x;

    switch (f->kind) {
    case XT_NAME:
        if (!xl_valid_name(v, &why))
            return xerr(r, n, "<name>: %s: %s", v, why);
        return set_dup(p, v);
    case XT_UUID:
        if (!xl_valid_uuid(v))
            return xerr(r, n, "%s: invalid UUID '%s'", f->xml, v);
        if (set_dup(p, v))
            return -1;
        xl_uuid_lower(*(char **)p);
        return 0;
    case XT_CPUMAP:
        if (xl_cpumap_parse(v, bits, 512) <= 0)
            return xerr(r, n, "%s: invalid CPU list '%s'", f->xml, v);
        return set_dup(p, v);
    case XT_STR:
        return set_dup(p, v);
    case XT_INT:
        errno = 0;
        x = strtoll(v, &end, 10);
        if (!*v || *end || errno || (f->min < f->max && (x < f->min || x > f->max)))
            return xerr(r, n, "%s: invalid number '%s'", f->xml, v);
        *(long long *)p = x;
        return 0;
    default:
        if ((x = xl_enum_value(f->kind, v)) < 0)
            return xerr(r, n, "%s: invalid value '%s'", f->xml, v);
        *(int *)p = (int)x;
        return 0;
    }
}

static int read_fields(const struct xread *r, const struct xl_section *s, void *obj,
                       xmlNodePtr base)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];
        xmlNodePtr n;
        char *v;
        int rc;

        if (!f->xml || !(v = get_path(base, f->xml, &n)))
            continue;
        rc = read_field(r, f, obj, n, v);
        free(v);
        if (rc)
            return -1;
    }
    return 0;
}

/* libvirt's memory units (formatdomain "memory"); KiB when absent. -1 if bad. */
static long long memory_kib(xmlNodePtr n)
{
    static const struct {
        const char *unit;
        unsigned long long num, den;
    } units[] = {{"b", 1, 1024},        {"bytes", 1, 1024},        {"KB", 1000, 1024},
                 {"k", 1, 1},           {"KiB", 1, 1},             {"MB", 1000000, 1024},
                 {"M", 1024, 1},        {"MiB", 1024, 1},          {"GB", 1000000000, 1024},
                 {"G", 1048576, 1},     {"GiB", 1048576, 1},       {"T", 1073741824ULL, 1},
                 {"TiB", 1073741824ULL, 1}};
    xmlChar *unit = xmlGetProp(n, X("unit")), *text = xmlNodeGetContent(n);
    long long r = -1;
    unsigned long long v;
    char *end;

    if (!text)
        goto out;
    errno = 0;
    v = strtoull((const char *)text, &end, 10);
    if (errno || end == (char *)text || *end)
        goto out;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcmp(unit ? (const char *)unit : "KiB", units[i].unit)) {
            r = (long long)((v * units[i].num + units[i].den - 1) / units[i].den);
            break;
        }
out:
    xmlFree(unit);
    xmlFree(text);
    return r;
}

static int read_memory_vcpus(const struct xread *r, struct xl_domain_config *c, xmlNodePtr dom)
{
    xmlNodePtr mem = child(dom, "memory"), cur = child(dom, "currentMemory"),
               vcpu = child(dom, "vcpu");
    struct xl_b_info *b = &c->b_info;
    char *v = NULL, *end;
    int rc = -1;

    if (!mem) {
        xerr(r, dom, "<memory> is missing");
        goto out;
    }
    if ((b->max_memkb = memory_kib(mem)) <= 0) {
        xerr(r, mem, "<memory>: expected a size with a unit such as 'KiB'");
        goto out;
    }
    b->target_memkb = b->max_memkb;
    if (cur && (b->target_memkb = memory_kib(cur)) <= 0) {
        xerr(r, cur, "<currentMemory>: expected a size with a unit such as 'KiB'");
        goto out;
    }
    if (b->target_memkb > b->max_memkb) {
        xerr(r, cur, "<currentMemory> is above <memory>");
        goto out;
    }
    b->max_vcpus = b->avail_vcpus = 1;
    if (vcpu) {
        if (!(v = get_path(vcpu, "", NULL)))
            goto out;
        b->max_vcpus = strtoll(v, &end, 10);
        if (*end || b->max_vcpus < 1 || b->max_vcpus > 4096) {
            xerr(r, vcpu, "<vcpu>: invalid count '%s'", v);
            goto out;
        }
        free(v);
        b->avail_vcpus = b->max_vcpus;
        if ((v = get_path(vcpu, "@current", NULL))) {
            b->avail_vcpus = strtoll(v, &end, 10);
            if (*end || b->avail_vcpus < 1 || b->avail_vcpus > b->max_vcpus) {
                xerr(r, vcpu, "<vcpu current='%s'>: must be 1 to the vcpu count", v);
                goto out;
            }
        }
    }
    rc = 0;
out:
    free(v);
    return rc;
}

static int read_os(const struct xread *r, struct xl_domain_config *c, xmlNodePtr dom)
{
    xmlNodePtr os = child(dom, "os"), n;
    char *type = os ? get_path(os, "type", &n) : NULL, *machine = NULL, *args = NULL;
    int rc = -1;

    if (!type || (strcmp(type, "linux") && strcmp(type, "xen"))) {
        xerr(r, os ? n : dom,
             "<os><type>%s</type>: Xenolith runs PV guests (<type machine='xenpv'>linux</type>)",
             type ? type : "");
        goto out;
    }
    machine = get_path(os, "type@machine", NULL);
    if (machine && strcmp(machine, "xenpv")) {
        xerr(r, n, "<type machine='%s'>: Xenolith runs PV guests (machine='xenpv')", machine);
        goto out;
    }
    c->c_info.type = XL_DOMTYPE_PV;
    if ((args = get_path(dom, "bootloader_args", &n)) && *args) {
        /* one string in libvirt; xl keeps a list: split at spaces */
        size_t k = 0;
        char *save = NULL;

        c->b_info.bootloader_args = calloc(strlen(args) / 2 + 2, sizeof(char *));
        if (!c->b_info.bootloader_args)
            goto out;
        for (char *t = strtok_r(args, " ", &save); t; t = strtok_r(NULL, " ", &save))
            if (!(c->b_info.bootloader_args[k++] = strdup(t)))
                goto out;
    }
    rc = 0;
out:
    free(args);
    free(machine);
    free(type);
    return rc;
}

/* Appends ",key=value" for a field with an xml column. */
static void spec_fields(FILE *m, const struct xl_section *s, xmlNodePtr base)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct xl_field *f = &s->fields[i];
        char *v;

        if (!f->xml || !f->cfgkey || !(v = get_path(base, f->xml, NULL)))
            continue;
        fprintf(m, ",%s=%s", f->cfgkey, v);
        free(v);
    }
}

static char *interface_spec(const struct xread *r, xmlNodePtr x)
{
    char *spec = NULL, *type = get_path(x, "@type", NULL), *avg;
    size_t len = 0;
    FILE *m = open_memstream(&spec, &len);

    if (!m)
        goto out;
    if (type && strcmp(type, "bridge") && strcmp(type, "ethernet")) {
        fclose(m);
        m = NULL;
        xerr(r, x, "<interface type='%s'>: expected bridge or ethernet", type);
        free(spec);
        spec = NULL;
        goto out;
    }
    spec_fields(m, &xl_nic_section, x);
    if ((avg = get_path(x, "bandwidth/outbound@average", NULL))) {
        fprintf(m, ",rate=%sKB/s", avg);
        free(avg);
    }
out:
    if (m)
        fclose(m);
    free(type);
    return spec;
}

static char *disk_spec(const struct xread *r, xmlNodePtr x)
{
    static const char *const backends[][2] = {{"phy", "phy"}, {"qemu", "qdisk"}, {"tap", "tap"}};
    char *spec = NULL, *drv = get_path(x, "driver@name", NULL),
         *fmt = get_path(x, "driver@type", NULL), *dev = get_path(x, "@device", NULL),
         *src = get_path(x, "source@dev", NULL);
    size_t len = 0;
    FILE *m = open_memstream(&spec, &len);

    if (!m)
        goto out;
    if (!src)
        src = get_path(x, "source@file", NULL);
    fprintf(m, "access=%s", child(x, "readonly") ? "ro" : "rw");
    if (fmt)
        fprintf(m, ",format=%s", fmt);
    for (size_t i = 0; drv && i < 3; i++)
        if (!strcmp(drv, backends[i][0]))
            fprintf(m, ",backendtype=%s", backends[i][1]);
    if (dev && !strcmp(dev, "cdrom"))
        fputs(",devtype=cdrom", m);
    spec_fields(m, &xl_disk_section, x);
    fprintf(m, ",target=%s", src ? src : "");
out:
    if (m)
        fclose(m);
    free(drv);
    free(fmt);
    free(dev);
    free(src);
    (void)r;
    return spec;
}

static int read_devices(const struct xread *r, struct xl_domain_config *c, xmlNodePtr dom)
{
    xmlNodePtr devs = child(dom, "devices");

    for (xmlNodePtr x = devs ? devs->children : NULL; x; x = x->next) {
        struct xl_loc loc = {NULL, 0, 0};
        char *spec = NULL;
        int rc;

        if (x->type != XML_ELEMENT_NODE)
            continue;
        if (!xmlStrcmp(x->name, X("interface"))) {
            struct xl_nic *n = xl_config_add_nic(c);

            if (!n || !(spec = interface_spec(r, x)))
                return -1;
            n->devid = (long long)c->num_nics - 1;
            rc = xl_vif_parse(n, spec + (spec[0] == ','), &loc, r->diag);
        } else if (!xmlStrcmp(x->name, X("disk"))) {
            struct xl_disk *d = xl_config_add_disk(c);

            if (!d || !(spec = disk_spec(r, x)))
                return -1;
            rc = xl_disk_parse(d, spec, &loc, r->diag);
        } else {
            /* console: implicit in xl; others are not PV devices Xenolith has */
            continue;
        }
        free(spec);
        if (rc) {
            fprintf(r->diag, "%s:%ld: error: in this <%s>\n", r->file, xmlGetLineNo(x),
                    (const char *)x->name);
            return -1;
        }
    }
    return 0;
}

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static int xml_parse_domain(struct xl_domain_config *c, const char *text, const char *file,
                            FILE *diag)
{
    struct xread r = {file, diag};
    xmlDocPtr doc = NULL;
    xmlNodePtr dom;
    char *type = NULL, *clock = NULL;
    int rc = -1;

    xl_config_init(c);
    xmlSetGenericErrorFunc(NULL, quiet);
    doc = xmlReadMemory(text, (int)strlen(text), file, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();

        fprintf(diag, "%s:%d:%d: error: invalid XML: %s", file, e ? e->line : 0,
                e ? e->int2 : 0, e && e->message ? e->message : "parse error\n");
        goto out;
    }
    dom = xmlDocGetRootElement(doc);
    if (!dom || xmlStrcmp(dom->name, X("domain"))) {
        xerr(&r, dom, "the root element must be <domain>");
        goto out;
    }
    type = get_path(dom, "@type", NULL);
    if (!type || strcmp(type, "xen")) {
        xerr(&r, dom, "<domain type='%s'>: expected type='xen'", type ? type : "");
        goto out;
    }
    if (read_fields(&r, &xl_c_info_section, &c->c_info, dom) ||
        read_fields(&r, &xl_b_info_section, &c->b_info, dom) ||
        read_fields(&r, &xl_action_section, &c->act, dom) || read_memory_vcpus(&r, c, dom) ||
        read_os(&r, c, dom) || read_devices(&r, c, dom))
        goto out;
    if ((clock = get_path(dom, "clock@offset", NULL)) && !strcmp(clock, "localtime"))
        c->b_info.localtime = 1;
    if (!c->c_info.name) {
        xerr(&r, dom, "<name> is missing");
        goto out;
    }
    if (!c->c_info.uuid) {
        /* as libvirt and xl: a domain without one gets a random UUID */
        uuid_t u;
        char s[37];

        uuid_generate(u);
        uuid_unparse_lower(u, s);
        if (set_dup(&c->c_info.uuid, s))
            goto out;
    }
    if (!c->b_info.kernel && !c->b_info.bootloader) {
        xerr(&r, dom, "a PV guest needs <os><kernel> or <bootloader>");
        goto out;
    }
    /* xl's defaults where the XML says nothing (as xl_config_from_cfg) */
    if (!child(dom, "on_reboot"))
        c->act.on_reboot = XL_ACTION_RESTART;
    c->act.on_soft_reset = XL_ACTION_SOFT_RESET;
    rc = 0;
out:
    free(type);
    free(clock);
    if (doc)
        xmlFreeDoc(doc);
    if (rc)
        xl_config_dispose(c);
    return rc;
}

char *xl_xml_domain(const struct xl_domain_config *c)
{
    return xml_load(stderr) ? NULL : xml_domain(c);
}

int xl_xml_parse_domain(struct xl_domain_config *c, const char *text, const char *file,
                        FILE *diag)
{
    if (xml_load(diag)) {
        xl_config_init(c);
        return -1;
    }
    return xml_parse_domain(c, text, file, diag);
}
