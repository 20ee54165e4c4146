/*
 * Loading a domain configuration for `xl create` and `xl config-convert`,
 * whatever its format: xl.cfg (xl.cfg(5)), libvirt domain XML (what
 * `virsh domxml-to-native` starts from) or libxl JSON (a stored config, an
 * `xl -N create` output). The first non-blank character tells them apart:
 * '<' XML, '{' JSON, anything else xl.cfg, whose keys are lower-case words.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"
#include "xl_cfg.h"
#include "xl_check.h"
#include "xl_dev.h"
#include "xl_json.h"
#include "xl_xml.h"

static char *read_all(const char *path, FILE *diag)
{
    FILE *f = fopen(path, "r"), *m = NULL;
    char *text = NULL, buf[4096];
    size_t len = 0, n;
    int ok = 0;

    if (!f) {
        fprintf(diag, "%s: error: cannot open: %s\n", path, strerror(errno));
        goto out;
    }
    if (!(m = open_memstream(&text, &len)))
        goto out;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, m);
    if (ferror(f)) {
        fprintf(diag, "%s: error: cannot read: %s\n", path, strerror(errno));
        goto out;
    }
    fclose(m);
    m = NULL;
    if (strlen(text) != len) {
        fprintf(diag, "%s: error: contains a NUL byte: not a configuration file\n", path);
        goto out;
    }
    ok = 1;
out:
    if (m)
        fclose(m);
    if (f)
        fclose(f);
    if (!ok) {
        free(text);
        text = NULL;
    }
    return text;
}

/* A JSON configuration gets the device defaults the spec parsers give. */
static int complete_devices(struct xl_domain_config *c)
{
    for (size_t i = 0; i < c->num_nics; i++) {
        if (c->nics[i].devid < 0)
            c->nics[i].devid = (long long)i;
        if (xl_vif_defaults(&c->nics[i]) < 0)
            return -1;
    }
    for (size_t i = 0; i < c->num_disks; i++)
        xl_disk_defaults(&c->disks[i]);
    return 0;
}

int xl_load_config_text(struct xl_domain_config *c, const char *name, const char *text,
                        char *const *overrides, int noverrides, FILE *diag)
{
    struct xlcfg cfg;
    const char *p = text + strspn(text, " \t\r\n");
    int rc = -1;

    xlcfg_init(&cfg);
    xl_config_init(c);
    if ((*p == '<' || *p == '{') && noverrides) {
        fprintf(diag, "%s: error: key=value settings apply to xl.cfg files only\n", name);
        goto out;
    }
    if (*p == '<' || *p == '{') {
        rc = *p == '<' ? xl_xml_parse_domain(c, text, name, diag)
                       : xl_json_parse_domain(c, text, diag);
        if (rc == 0 && (complete_devices(c) < 0 || xl_config_check(c, name, diag) < 0)) {
            xl_config_dispose(c);
            rc = -1;
        }
        goto out;
    }
    if (xlcfg_parse(&cfg, name, text, diag) < 0)
        goto out;
    /* xl create's trailing settings, each parsed as a line of its own */
    for (int i = 0; i < noverrides; i++)
        if (xlcfg_parse(&cfg, "command line", overrides[i], diag) < 0)
            goto out;
    rc = xl_config_from_cfg(c, &cfg, diag);
out:
    xlcfg_free(&cfg);
    return rc;
}

int xl_load_config(struct xl_domain_config *c, const char *path, char *const *overrides,
                   int noverrides, FILE *diag)
{
    char *text = read_all(path, diag);
    int rc = -1;

    xl_config_init(c);
    if (text)
        rc = xl_load_config_text(c, path, text, overrides, noverrides, diag);
    free(text);
    return rc;
}
