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

int xl_load_config(struct xl_domain_config *c, const char *path, char *const *overrides,
                   int noverrides, FILE *diag)
{
    struct xlcfg cfg;
    char *text = read_all(path, diag);
    const char *p = text;
    int rc = -1;

    xlcfg_init(&cfg);
    xl_config_init(c);
    if (!text)
        goto out;
    p += strspn(p, " \t\r\n");
    if ((*p == '<' || *p == '{') && noverrides) {
        fprintf(diag, "%s: error: key=value settings apply to xl.cfg files only\n", path);
        goto out;
    }
    if (*p == '<' || *p == '{') {
        rc = *p == '<' ? xl_xml_parse_domain(c, text, path, diag)
                       : xl_json_parse_domain(c, text, diag);
        if (rc == 0 && (rc = xl_config_check(c, path, diag)) < 0)
            xl_config_dispose(c);
        goto out;
    }
    if (xlcfg_parse(&cfg, path, text, diag) < 0)
        goto out;
    /* xl create's trailing settings, each parsed as a line of its own */
    for (int i = 0; i < noverrides; i++)
        if (xlcfg_parse(&cfg, "command line", overrides[i], diag) < 0)
            goto out;
    rc = xl_config_from_cfg(c, &cfg, diag);
out:
    xlcfg_free(&cfg);
    free(text);
    return rc;
}
