/*
 * The node store: a hash table from absolute path to node. The tree shape
 * lives in each node's list of children, so DIRECTORY is one lookup. Every
 * change stamps the node with the next store generation, which is what
 * transactions compare at commit (xenstored_transaction.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_core.h"

#define STORE_BUCKETS 4096

static struct node *buckets[STORE_BUCKETS];
static uint64_t generation;
static size_t nodes_total;
/* Nodes per owner, for the per-domain quota (domid_t is 16 bits). */
static unsigned owned[1u << 16];

static unsigned hash_path(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h % STORE_BUCKETS;
}

static uint16_t owner_of(const struct node *n)
{
    return n->perms.num ? n->perms.p[0].domid : 0;
}

struct node *node_new(const char *path)
{
    struct node *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->path = strdup(path);
    n->value = calloc(1, 1);
    if (!n->path || !n->value) {
        node_free(n);
        return NULL;
    }
    return n;
}

struct node *node_dup(const struct node *src)
{
    struct node *n = node_new(src->path);

    if (!n)
        return NULL;
    if (node_set_value(n, src->value, src->vlen) || perms_copy(&n->perms, &src->perms))
        goto fail;
    if (src->clen) {
        n->children = malloc(src->clen);
        if (!n->children)
            goto fail;
        memcpy(n->children, src->children, src->clen);
        n->clen = src->clen;
    }
    n->gen = src->gen;
    return n;
fail:
    node_free(n);
    return NULL;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    free(n->path);
    free(n->value);
    free(n->children);
    perms_free(&n->perms);
    free(n);
}

/* Values may hold any byte; a NUL is kept after them for callers that print. */
int node_set_value(struct node *n, const void *value, size_t len)
{
    char *v = malloc(len + 1);

    if (!v)
        return ENOMEM;
    memcpy(v, value, len);
    v[len] = '\0';
    free(n->value);
    n->value = v;
    n->vlen = len;
    return 0;
}

bool node_has_child(const struct node *n, const char *name)
{
    for (size_t off = 0; off < n->clen; off += strlen(n->children + off) + 1)
        if (!strcmp(n->children + off, name))
            return true;
    return false;
}

int node_add_child(struct node *n, const char *name)
{
    size_t len = strlen(name) + 1;
    char *c;

    if (node_has_child(n, name))
        return 0;
    c = realloc(n->children, n->clen + len);
    if (!c)
        return ENOMEM;
    memcpy(c + n->clen, name, len);
    n->children = c;
    n->clen += len;
    return 0;
}

void node_del_child(struct node *n, const char *name)
{
    for (size_t off = 0; off < n->clen;) {
        size_t len = strlen(n->children + off) + 1;

        if (!strcmp(n->children + off, name)) {
            memmove(n->children + off, n->children + off + len, n->clen - off - len);
            n->clen -= len;
            return;
        }
        off += len;
    }
}

static struct node **store_slot(const char *path)
{
    struct node **pp = &buckets[hash_path(path)];

    while (*pp && strcmp((*pp)->path, path))
        pp = &(*pp)->hnext;
    return pp;
}

struct node *store_get(const char *path)
{
    return *store_slot(path);
}

void store_put(struct node *n)
{
    struct node **pp = store_slot(n->path);

    if (*pp) {
        struct node *old = *pp;

        n->hnext = old->hnext;
        owned[owner_of(old)]--;
        node_free(old);
    } else {
        n->hnext = NULL;
        nodes_total++;
    }
    *pp = n;
    owned[owner_of(n)]++;
    n->gen = ++generation;
}

void store_del(const char *path)
{
    struct node **pp = store_slot(path);
    struct node *old = *pp;

    if (!old)
        return;
    *pp = old->hnext;
    owned[owner_of(old)]--;
    nodes_total--;
    generation++;
    node_free(old);
}

unsigned store_owned(uint32_t domid)
{
    return domid <= UINT16_MAX ? owned[domid] : 0;
}

uint64_t store_generation(void)
{
    return generation;
}

size_t store_count(void)
{
    return nodes_total;
}

void store_init(void)
{
    store_fini();
}

void store_fini(void)
{
    for (unsigned b = 0; b < STORE_BUCKETS; b++) {
        while (buckets[b]) {
            struct node *n = buckets[b];

            buckets[b] = n->hnext;
            node_free(n);
        }
    }
    memset(owned, 0, sizeof(owned));
    nodes_total = 0;
}

/* Xen's xenstored: at most XENSTORE_REL_PATH_MAX bytes after a domain's home
 * "/local/domain/<id>/", and never more than XENSTORE_ABS_PATH_MAX in all. */
static bool path_length_ok(const char *path)
{
    size_t len = strlen(path), home = 0;
    unsigned id;
    int off = 0;

    if (len > XENSTORE_ABS_PATH_MAX)
        return false;
    if (sscanf(path, "/local/domain/%5u/%n", &id, &off) == 1 && off > 0)
        home = off;
    return len <= home + XENSTORE_REL_PATH_MAX;
}

bool path_is_valid(const char *path)
{
    size_t len = strlen(path);

    if (path[0] != '/')
        return false;
    if (len > 1 && path[len - 1] == '/')
        return false;
    if (strstr(path, "//"))
        return false;
    if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_@") != len)
        return false;
    return path_length_ok(path);
}

char *path_parent(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == path)
        return strdup("/");
    return strndup(path, slash - path);
}

const char *path_basename(const char *path)
{
    return strrchr(path, '/') + 1;
}

bool path_is_under(const char *child, const char *path)
{
    size_t len = strlen(path);

    if (!strcmp(path, "/"))
        return child[0] == '/';
    return !strncmp(child, path, len) && (child[len] == '\0' || child[len] == '/');
}

/* Dom0 owns everything at the start and nobody else may read it: Xen's "n0". */
void store_setup_initial(void)
{
    static const char *const paths[] = { "/", "/local", "/local/domain", "/tool" };
    static struct xs_perm none0 = { 0, XS_PERM_NONE };
    struct xs_perms perms = { 1, &none0 };

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct node *n = node_new(paths[i]);

        if (!n || perms_copy(&n->perms, &perms)) {
            xs_log("out of memory building the initial tree");
            exit(1);
        }
        if (i > 0) {
            char *parent = path_parent(paths[i]);
            struct node *p = parent ? store_get(parent) : NULL;

            if (!p || node_add_child(p, path_basename(paths[i]))) {
                xs_log("out of memory building the initial tree");
                exit(1);
            }
            free(parent);
        }
        store_put(n);
    }
}
