/*
 * The vif spec (xl-network-configuration(5)): comma-separated KEY=VALUE
 * settings and flags, every one optional. Defaults that xl leaves to libxl
 * (bridge xenbr0, script vif-bridge in /etc/xen/scripts, nictype vif) are
 * filled in here so the dry run shows what the domain will get; the MAC is
 * generated when the device is created (xl_vif_generate_mac), as libxl does,
 * so a dry run shows only a MAC the user gave.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "xl_dev.h"

char *xl_script_path(const char *script)
{
    char *p = NULL;

    if (script[0] == '/')
        return strdup(script);
    if (asprintf(&p, "%s/%s", XL_SCRIPT_DIR, script) < 0)
        return NULL;
    return p;
}

int xl_vif_valid_mac(const char *mac, const char **why)
{
    unsigned first;

    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i])) {
            *why = "a MAC address is six hex pairs separated by ':'";
            return 0;
        }
    }
    if (mac[17]) {
        *why = "a MAC address is six hex pairs separated by ':'";
        return 0;
    }
    sscanf(mac, "%2x", &first);
    /* bit 0 of the first octet: a group address cannot be a NIC's own */
    if (first & 1) {
        *why = "a multicast MAC address (low bit of the first octet set) cannot be a NIC's";
        return 0;
    }
    return 1;
}

int xl_vif_generate_mac(char out[18])
{
    unsigned char r[3];

    if (getrandom(r, sizeof(r), 0) != sizeof(r))
        return -1;
    snprintf(out, 18, "00:16:3e:%02x:%02x:%02x", r[0], r[1] & 0x7f, r[2]);
    return 0;
}

/*
 * RATE is a number with B, KB, MB, GB (bytes) or b, Kb, Mb, Gb (bits), per
 * second; K/M/G are decimal as network rates are. INTERVAL is N[us|ms|s],
 * default 50ms. libxl stores the bytes that may pass per interval.
 */
int xl_vif_parse_rate(const char *s, long long *bytes_per_interval, long long *usecs,
                      const char **why)
{
    unsigned long long rate, mul = 1, iv = 50000;
    char *end;
    int bits;

    *why = "expected RATE/s[@INTERVAL], e.g. 10Mb/s@20ms";
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    rate = strtoull(s, &end, 10);
    if (errno)
        return -1;
    switch (*end) {
    case 'K':
        mul = 1000ULL;
        end++;
        break;
    case 'M':
        mul = 1000000ULL;
        end++;
        break;
    case 'G':
        mul = 1000000000ULL;
        end++;
        break;
    }
    if (*end != 'B' && *end != 'b') {
        *why = "the rate needs a unit: B, KB, MB, GB (bytes) or b, Kb, Mb, Gb (bits)";
        return -1;
    }
    bits = *end++ == 'b';
    if (strncmp(end, "/s", 2))
        return -1;
    end += 2;
    if (*end == '@') {
        char *u;

        if (!isdigit((unsigned char)end[1]))
            return -1;
        iv = strtoull(end + 1, &u, 10);
        if (!strcmp(u, "s"))
            iv *= 1000000;
        else if (!strcmp(u, "ms"))
            iv *= 1000;
        else if (strcmp(u, "us")) {
            *why = "the interval needs a unit: s, ms or us";
            return -1;
        }
        end = u + strlen(u);
    }
    if (*end)
        return -1;
    if (rate > ~0ULL / mul / 1000000ULL / 8) {
        *why = "rate too large";
        return -1;
    }
    rate *= mul;
    if (bits)
        rate /= 8;
    if (iv == 0 || iv > 0xffffffffULL) {
        *why = "the interval must be between 1us and 4294s";
        return -1;
    }
    /* the backend takes 32-bit credits (netback "rate" = bytes,usecs) */
    if (rate * iv / 1000000 > 0xffffffffULL) {
        *why = "rate too large for the interval (more than 4 GiB per interval)";
        return -1;
    }
    *bytes_per_interval = (long long)(rate * iv / 1000000);
    *usecs = (long long)iv;
    if (*bytes_per_interval == 0) {
        *why = "rate too small: less than one byte per interval";
        return -1;
    }
    return 0;
}

static int set_str(char **field, const char *v)
{
    char *s = strdup(v);

    if (!s)
        return -1;
    free(*field);
    *field = s;
    return 0;
}

/* One KEY=VALUE or flag of the spec; tok is NUL-terminated, at offset off. */
static int vif_token(struct xl_nic *nic, char *tok, const struct xl_loc *at, FILE *diag)
{
    char *eq = strchr(tok, '=');
    const char *v = eq ? eq + 1 : NULL, *why;
    char *end;
    long n;

    if (!eq) {
        if (!strcmp(tok, "trusted") || !strcmp(tok, "untrusted")) {
            nic->trusted = tok[0] == 't';
            return 0;
        }
        goto unrecognized;
    }
    *eq = '\0';
    if (!strcmp(tok, "mac")) {
        if (!xl_vif_valid_mac(v, &why)) {
            xl_error(diag, at, "vif: invalid mac '%s': %s", v, why);
            return -1;
        }
        return set_str(&nic->mac, v);
    }
    if (!strcmp(tok, "bridge"))
        return set_str(&nic->bridge, v);
    if (!strcmp(tok, "vifname"))
        return set_str(&nic->ifname, v);
    if (!strcmp(tok, "ip"))
        return set_str(&nic->ip, v);
    if (!strcmp(tok, "model"))
        return set_str(&nic->model, v);
    if (!strcmp(tok, "backend"))
        return set_str(&nic->backend_domname, v);
    /* netdev= is the deprecated spelling of gatewaydev= */
    if (!strcmp(tok, "gatewaydev") || !strcmp(tok, "netdev"))
        return set_str(&nic->gatewaydev, v);
    if (!strcmp(tok, "script")) {
        char *p = xl_script_path(v);

        if (!p)
            return -1;
        free(nic->script);
        nic->script = p;
        return 0;
    }
    if (!strcmp(tok, "type")) {
        if (!strcmp(v, "ioemu"))
            nic->nictype = XL_NICTYPE_VIF_IOEMU;
        else if (!strcmp(v, "vif"))
            nic->nictype = XL_NICTYPE_VIF;
        else {
            xl_error(diag, at, "vif: invalid type '%s' (expected vif or ioemu)", v);
            return -1;
        }
        return 0;
    }
    if (!strcmp(tok, "rate")) {
        if (xl_vif_parse_rate(v, &nic->rate_bytes_per_interval, &nic->rate_interval_usecs,
                              &why) < 0) {
            xl_error(diag, at, "vif: invalid rate '%s': %s", v, why);
            return -1;
        }
        return 0;
    }
    if (!strcmp(tok, "mtu") || !strcmp(tok, "devid")) {
        const struct xl_field *f = xl_section_field(&xl_nic_section, tok);

        errno = 0;
        n = strtol(v, &end, 10);
        if (!*v || *end || errno || n < f->min || n > f->max) {
            xl_error(diag, at, "vif: invalid %s '%s' (expected %lld to %lld)", tok, v, f->min,
                     f->max);
            return -1;
        }
        *(long long *)XL_FIELD_PTR(nic, f) = n;
        return 0;
    }
    if (!strcmp(tok, "accel")) {
        /* xl-network-configuration(5): accepted for old configs, no effect */
        xl_warning(diag, at, "vif: accel= is obsolete and ignored");
        return 0;
    }
    *eq = '=';
unrecognized:
    xl_error(diag, at, "vif: unrecognized argument '%s'", tok);
    return -1;
}

int xl_vif_parse(struct xl_nic *nic, const char *spec, const struct xl_loc *loc, FILE *diag)
{
    char *copy = strdup(spec), *p, *tok;
    int rc = -1;

    if (!copy)
        goto out;
    p = copy;
    while (p) {
        struct xl_loc at;
        char *e;

        tok = strsep(&p, ",");
        while (*tok == ' ' || *tok == '\t')
            tok++;
        e = tok + strlen(tok);
        while (e > tok && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        if (!*tok)
            continue;
        at = xl_loc_in_string(loc, (size_t)(tok - copy));
        if (vif_token(nic, tok, loc ? &at : NULL, diag) < 0)
            goto out;
    }
    rc = xl_vif_defaults(nic);
out:
    free(copy);
    return rc;
}

int xl_vif_defaults(struct xl_nic *nic)
{
    if (!nic->bridge && !(nic->bridge = strdup(XL_DEFAULT_BRIDGE)))
        return -1;
    if (!nic->script && !(nic->script = xl_script_path(XL_DEFAULT_VIF_SCRIPT)))
        return -1;
    /* a relative name (from JSON or XML) lives in the scripts directory too */
    if (nic->script[0] != '/') {
        char *p = xl_script_path(nic->script);

        if (!p)
            return -1;
        free(nic->script);
        nic->script = p;
    }
    if (nic->nictype == XL_NICTYPE_UNKNOWN)
        nic->nictype = XL_NICTYPE_VIF;
    return 0;
}
