/*
 * Watches (XS_WATCH, XS_UNWATCH, XS_RESET_WATCHES). A change of a node fires
 * every watch on it or on one of its ancestors; a removal also fires the
 * watches below the removed node. A watcher only hears of nodes it may read
 * (perms of the node, before a removal). The special watches
 * @introduceDomain and @releaseDomain fire on XS_INTRODUCE, XS_RELEASE and
 * when a domain is found dying; like Xen's they carry permissions of their
 * own (n0: Dom0 only until Dom0 says otherwise with XS_SET_PERMS).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_core.h"

struct watch {
    struct watch *next;
    char *path;  /* absolute, or a special "@..." name */
    char *token;
    bool relative; /* events say the path relative to the domain's home */
};

static const char *const special_names[] = { "@introduceDomain", "@releaseDomain" };
static struct xs_perm special_default = { DOMID_PRIV, XS_PERM_NONE };
static struct xs_perms special_perms[2] = { { 1, &special_default }, { 1, &special_default } };
static bool special_owned[2]; /* special_perms[i].p was allocated by set_perms */

static int special_index(const char *name)
{
    for (int i = 0; i < 2; i++)
        if (!strcmp(name, special_names[i]))
            return i;
    return -1;
}

const struct xs_perms *watch_special_perms(const char *name)
{
    int i = special_index(name);

    return i < 0 ? NULL : &special_perms[i];
}

int watch_special_set_perms(const char *name, const struct xs_perms *perms)
{
    int i = special_index(name);
    struct xs_perms copy;

    if (i < 0)
        return ENOENT;
    if (perms_copy(&copy, perms))
        return ENOMEM;
    if (special_owned[i])
        perms_free(&special_perms[i]);
    special_perms[i] = copy;
    special_owned[i] = true;
    return 0;
}

static struct watch *watch_find(struct conn *conn, const char *path, const char *token)
{
    for (struct watch *w = conn->watches; w; w = w->next)
        if (!strcmp(w->path, path) && !strcmp(w->token, token))
            return w;
    return NULL;
}

unsigned watch_count(const struct conn *conn)
{
    unsigned n = 0;

    for (const struct watch *w = conn->watches; w; w = w->next)
        n++;
    return n;
}

int watch_add(struct conn *conn, const char *path, const char *token, bool relative)
{
    struct watch *w;

    if (watch_find(conn, path, token))
        return EEXIST;
    if (conn->domid != DOMID_PRIV && watch_count(conn) >= xs_quota.watches)
        return E2BIG;
    w = calloc(1, sizeof(*w));
    if (!w)
        return ENOMEM;
    w->path = strdup(path);
    w->token = strdup(token);
    if (!w->path || !w->token) {
        free(w->path);
        free(w->token);
        free(w);
        return ENOMEM;
    }
    w->relative = relative;
    w->next = conn->watches;
    conn->watches = w;
    return 0;
}

int watch_del(struct conn *conn, const char *path, const char *token)
{
    struct watch **pp = &conn->watches;

    while (*pp && (strcmp((*pp)->path, path) || strcmp((*pp)->token, token)))
        pp = &(*pp)->next;
    if (!*pp)
        return ENOENT;
    struct watch *w = *pp;
    *pp = w->next;
    free(w->path);
    free(w->token);
    free(w);
    return 0;
}

void watch_del_all(struct conn *conn)
{
    while (conn->watches) {
        struct watch *w = conn->watches;

        conn->watches = w->next;
        free(w->path);
        free(w->token);
        free(w);
    }
}

/* XS_WATCH_EVENT: "path\0token\0", the path as the watcher named it. */
static void watch_send(struct conn *conn, const struct watch *w, const char *path)
{
    char home[32], buf[XENSTORE_PAYLOAD_MAX];
    size_t hlen, plen, tlen;

    if (w->relative) {
        domain_path(conn->domid, home, sizeof(home));
        hlen = strlen(home);
        if (!strncmp(path, home, hlen) && path[hlen] == '/')
            path += hlen + 1;
    }
    plen = strlen(path) + 1;
    tlen = strlen(w->token) + 1;
    if (plen + tlen > sizeof(buf))
        return; /* cannot happen: both were checked against the payload limit */
    memcpy(buf, path, plen);
    memcpy(buf + plen, w->token, tlen);
    conn_queue(conn, XS_WATCH_EVENT, 0, 0, buf, plen + tlen);
}

void watch_fire(const char *path, const struct xs_perms *perms, bool recursive)
{
    for (struct conn *c = conn_list; c; c = c->next) {
        if (c->dead || !(perms_for(perms, c->domid) & XS_PERM_READ))
            continue;
        for (struct watch *w = c->watches; w; w = w->next) {
            if (path_is_under(path, w->path))
                watch_send(c, w, path);
            else if (recursive && w->path[0] == '/' && path_is_under(w->path, path))
                watch_send(c, w, w->path);
        }
    }
}

void watch_fire_special(const char *name)
{
    const struct xs_perms *perms = watch_special_perms(name);

    for (struct conn *c = conn_list; c; c = c->next) {
        if (c->dead || !perms || !(perms_for(perms, c->domid) & XS_PERM_READ))
            continue;
        for (struct watch *w = c->watches; w; w = w->next)
            if (!strcmp(w->path, name))
                watch_send(c, w, name);
    }
}

/* The event XS_WATCH sends at once, as Xen does ("fires once up front"). */
void watch_fire_initial(struct conn *conn, const char *path, const char *token)
{
    struct watch *w = watch_find(conn, path, token);

    if (w)
        watch_send(conn, w, path);
}
