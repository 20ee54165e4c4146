/*
 * Node permissions as Xen's xenstored: a list of (letter, domid) entries,
 * XS_PERM_* letters n/r/w/b. The first entry names the owner and gives the
 * default for every domain not listed later; the owner and Dom0 may always
 * do everything.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_core.h"

static int perm_from_letter(char c, enum xs_perm_kind *kind)
{
    switch (c) {
    case 'n': *kind = XS_PERM_NONE; return 0;
    case 'r': *kind = XS_PERM_READ; return 0;
    case 'w': *kind = XS_PERM_WRITE; return 0;
    case 'b': *kind = XS_PERM_BOTH; return 0;
    default: return EINVAL;
    }
}

static const char perm_letters[] = { 'n', 'r', 'w', 'b' };

/* One entry "<letter><domid>": a decimal domid_t (16 bits); anything else is EINVAL. */
static int perm_parse_one(const char *s, struct xs_perm *p)
{
    char *end;
    unsigned long id;

    if (perm_from_letter(s[0], &p->perm))
        return EINVAL;
    if (s[1] < '0' || s[1] > '9')
        return EINVAL;
    errno = 0;
    id = strtoul(s + 1, &end, 10);
    if (errno || *end || id > UINT16_MAX)
        return EINVAL;
    p->domid = id;
    return 0;
}

/* num NUL-ended strings in strings[0..len): the caller counted them. */
int perms_parse(const char *strings, size_t len, unsigned num, struct xs_perms *out)
{
    struct xs_perm *p;
    const char *s = strings;
    int err = 0;

    if (num == 0)
        return EINVAL;
    p = calloc(num, sizeof(*p));
    if (!p)
        return ENOMEM;
    for (unsigned i = 0; i < num && !err; i++) {
        if (s >= strings + len) {
            err = EINVAL;
            break;
        }
        err = perm_parse_one(s, &p[i]);
        s += strlen(s) + 1;
    }
    if (err) {
        free(p);
        return err;
    }
    out->num = num;
    out->p = p;
    return 0;
}

int perms_format(const struct xs_perms *perms, char *buf, size_t size)
{
    size_t used = 0;

    for (unsigned i = 0; i < perms->num; i++) {
        int n = snprintf(buf + used, size - used, "%c%u", perm_letters[perms->p[i].perm & 3],
                         perms->p[i].domid);
        if (n < 0 || (size_t)n + 1 > size - used)
            return -1;
        used += n + 1; /* keep the NUL snprintf wrote */
    }
    return used;
}

int perms_copy(struct xs_perms *dst, const struct xs_perms *src)
{
    dst->p = malloc(src->num * sizeof(*src->p));
    if (!dst->p)
        return ENOMEM;
    memcpy(dst->p, src->p, src->num * sizeof(*src->p));
    dst->num = src->num;
    return 0;
}

void perms_free(struct xs_perms *perms)
{
    free(perms->p);
    perms->p = NULL;
    perms->num = 0;
}

unsigned perms_for(const struct xs_perms *perms, uint32_t domid)
{
    if (domid == DOMID_PRIV || perms->num == 0 || perms->p[0].domid == domid)
        return XS_PERM_BOTH;
    for (unsigned i = 1; i < perms->num; i++)
        if (perms->p[i].domid == domid)
            return perms->p[i].perm;
    return perms->p[0].perm;
}
