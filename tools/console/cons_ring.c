/*
 * Console ring transfer (xen/io/console.h). The guest produces out[] and
 * consumes in[]; we do the other halves. Index rules of the header: the
 * indexes run freely and are masked with MASK_XENCONS_IDX, so prod - cons
 * is the fill level and can never exceed the ring's size unless the guest
 * wrote nonsense, which we refuse to act on.
 */
#include <stdlib.h>
#include <string.h>

#include "cons_ring.h"

int cons_buf_init(struct cons_buf *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->data = malloc(cap);
    if (!b->data)
        return -1;
    b->cap = cap;
    return 0;
}

void cons_buf_free(struct cons_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

void cons_buf_put(struct cons_buf *b, const char *p, size_t n)
{
    if (n >= b->cap) { /* only the newest cap bytes can survive */
        b->dropped += b->len + (n - b->cap);
        p += n - b->cap;
        n = b->cap;
        b->head = 0;
        b->len = 0;
    }
    if (b->len + n > b->cap) {
        size_t drop = b->len + n - b->cap;

        b->dropped += drop;
        b->head = (b->head + drop) % b->cap;
        b->len -= drop;
    }
    for (size_t i = 0; i < n;) {
        size_t tail = (b->head + b->len) % b->cap;
        size_t run = b->cap - tail < n - i ? b->cap - tail : n - i;

        memcpy(b->data + tail, p + i, run);
        b->len += run;
        i += run;
    }
}

size_t cons_buf_peek(const struct cons_buf *b, const char **p)
{
    size_t run = b->cap - b->head;

    *p = b->data + b->head;
    return b->len < run ? b->len : run;
}

void cons_buf_consume(struct cons_buf *b, size_t n)
{
    if (n > b->len)
        n = b->len;
    b->head = (b->head + n) % (b->cap ? b->cap : 1);
    b->len -= n;
}

long cons_ring_read_out(volatile struct xencons_interface *intf, char *dst, size_t cap)
{
    XENCONS_RING_IDX cons = intf->out_cons;
    XENCONS_RING_IDX prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
    size_t n = 0;

    if ((XENCONS_RING_IDX)(prod - cons) > sizeof(intf->out))
        return -1;
    while (cons != prod && n < cap)
        dst[n++] = intf->out[MASK_XENCONS_IDX(cons++, intf->out)];
    /* The guest may reuse the space only after our reads are done. */
    __atomic_store_n(&intf->out_cons, cons, __ATOMIC_RELEASE);
    return (long)n;
}

long cons_ring_fill_in(volatile struct xencons_interface *intf, const char *p, size_t n)
{
    XENCONS_RING_IDX cons = __atomic_load_n(&intf->in_cons, __ATOMIC_ACQUIRE);
    XENCONS_RING_IDX prod = intf->in_prod;
    size_t used = (XENCONS_RING_IDX)(prod - cons), i = 0;

    if (used > sizeof(intf->in))
        return -1;
    for (; i < n && used < sizeof(intf->in); i++, used++)
        intf->in[MASK_XENCONS_IDX(prod++, intf->in)] = p[i];
    /* The bytes must be visible before the guest sees the new index. */
    __atomic_store_n(&intf->in_prod, prod, __ATOMIC_RELEASE);
    return (long)i;
}
