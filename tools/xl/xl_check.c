/*
 * The rules every domain configuration obeys, whatever it was read from.
 * xl.cfg and XML input are checked as they are read, with the offending
 * line; a JSON configuration (a stored one, or `xl create` of a JSON file)
 * comes through here, so no form can smuggle in what another refuses.
 */
#include <string.h>

#include "xl_check.h"
#include "xl_dev.h"

static int bad_text(const char *s)
{
    for (; s && *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
            return 1;
    return 0;
}

/* No control characters in any string of obj (xl_cfg_domain.c's rule). */
static int check_strings(const struct xl_section *sec, const void *obj, const char *where,
                         const char *what, FILE *diag)
{
    for (size_t i = 0; i < sec->n; i++) {
        const struct xl_field *f = &sec->fields[i];
        const void *p = XL_FIELD_PTR(obj, f);
        int bad = 0;

        if (f->kind == XT_STR || f->kind == XT_NAME || f->kind == XT_UUID || f->kind == XT_CPUMAP)
            bad = bad_text(*(char *const *)p);
        else if (f->kind == XT_STRLIST)
            for (char **l = *(char **const *)p; l && *l; l++)
                bad |= bad_text(*l);
        if (bad) {
            fprintf(diag, "%s: error: %s.%s: control character in the value\n", what, where,
                    f->json);
            return -1;
        }
    }
    return 0;
}

/*
 * A device's settings travel as a vif or disk spec (xl.cfg, and XML devices
 * on their way in): a ',' would split the value, and spaces at its ends
 * would be trimmed. The disk's target is exempt: target= comes last.
 */
static int spec_safe(const struct xl_section *sec, const void *obj, const char *where,
                     size_t i, const char *what, FILE *diag)
{
    for (size_t k = 0; k < sec->n; k++) {
        const struct xl_field *f = &sec->fields[k];
        const char *v;
        size_t len;

        if (f->kind != XT_STR || !strcmp(f->member, "pdev_path"))
            continue;
        if (!(v = *(char *const *)XL_FIELD_PTR(obj, f)))
            continue;
        len = strlen(v);
        if (strchr(v, ',') || (len && (strchr(" \t", v[0]) || strchr(" \t", v[len - 1])))) {
            fprintf(diag, "%s: error: %s[%zu].%s: no ',' and no spaces at the ends, in \"%s\"\n",
                    what, where, i, f->json, v);
            return -1;
        }
    }
    return 0;
}

int xl_config_check(const struct xl_domain_config *c, const char *what, FILE *diag)
{
    const struct xl_b_info *b = &c->b_info;
    const char *why;

    if (check_strings(&xl_c_info_section, &c->c_info, "c_info", what, diag) ||
        check_strings(&xl_b_info_section, &c->b_info, "b_info", what, diag))
        return -1;
    for (size_t i = 0; i < c->num_nics; i++)
        if (check_strings(&xl_nic_section, &c->nics[i], "nics[]", what, diag) ||
            spec_safe(&xl_nic_section, &c->nics[i], "nics", i, what, diag))
            return -1;
    for (size_t i = 0; i < c->num_disks; i++)
        if (check_strings(&xl_disk_section, &c->disks[i], "disks[]", what, diag) ||
            spec_safe(&xl_disk_section, &c->disks[i], "disks", i, what, diag))
            return -1;

    if (c->c_info.type != XL_DOMTYPE_PV) {
        fprintf(diag, "%s: error: c_info.type: Xenolith runs PV guests (\"pv\")\n", what);
        return -1;
    }
    if (!c->c_info.name || !xl_valid_name(c->c_info.name, &why)) {
        fprintf(diag, "%s: error: c_info.name: %s\n", what,
                c->c_info.name ? why : "a domain name must be set");
        return -1;
    }
    if (!c->c_info.uuid) {
        fprintf(diag, "%s: error: c_info.uuid: missing\n", what);
        return -1;
    }
    if (!b->kernel && !b->bootloader) {
        fprintf(diag, "%s: error: b_info: a PV guest needs a kernel or a bootloader\n", what);
        return -1;
    }
    if (b->target_memkb <= 0 || b->max_memkb < b->target_memkb) {
        fprintf(diag, "%s: error: b_info: need 0 < target_memkb (%lld) <= max_memkb (%lld)\n",
                what, b->target_memkb, b->max_memkb);
        return -1;
    }
    if (b->avail_vcpus < 1 || b->max_vcpus < b->avail_vcpus || b->max_vcpus > 4096) {
        fprintf(diag, "%s: error: b_info: need 1 <= vcpus (%lld) <= max_vcpus (%lld) <= 4096\n",
                what, b->avail_vcpus, b->max_vcpus);
        return -1;
    }
    for (size_t i = 0; i < c->num_nics; i++) {
        const struct xl_nic *n = &c->nics[i];

        if (n->mac && !xl_vif_valid_mac(n->mac, &why)) {
            fprintf(diag, "%s: error: nics[%zu].mac: %s\n", what, i, why);
            return -1;
        }
        /* a rate is a number of bytes per interval: both or neither */
        if (!n->rate_bytes_per_interval != !n->rate_interval_usecs) {
            fprintf(diag, "%s: error: nics[%zu]: rate_bytes_per_interval and "
                          "rate_interval_usecs go together\n", what, i);
            return -1;
        }
    }
    for (size_t i = 0; i < c->num_disks; i++) {
        if (!c->disks[i].vdev || xl_vdev_to_number(c->disks[i].vdev) < 0) {
            fprintf(diag, "%s: error: disks[%zu].vdev: not a virtual disk name\n", what, i);
            return -1;
        }
        if (c->disks[i].pdev_path && c->disks[i].format == XL_FORMAT_EMPTY) {
            fprintf(diag, "%s: error: disks[%zu].format: \"empty\" with a pdev_path\n", what, i);
            return -1;
        }
        if (!c->disks[i].pdev_path && !c->disks[i].is_cdrom) {
            fprintf(diag, "%s: error: disks[%zu].pdev_path: missing (only a cdrom may be empty)\n",
                    what, i);
            return -1;
        }
        for (size_t k = 0; k < i; k++)
            if (!strcmp(c->disks[k].vdev, c->disks[i].vdev)) {
                fprintf(diag, "%s: error: disks[%zu].vdev: %s is used twice\n", what, i,
                        c->disks[i].vdev);
                return -1;
            }
    }
    return 0;
}
