/*
 * A guest's console ring (xen/io/console.h, struct xencons_interface) and
 * the daemon's buffer between it and the pty. Pure logic: no Xen, no fds,
 * so the tests drive it on plain memory.
 */
#ifndef CONS_RING_H
#define CONS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/console.h>

/* Guest output waiting for the pty; the oldest bytes go when it is full. */
struct cons_buf {
    char *data;
    size_t cap, head, len; /* bytes at data[(head + i) % cap], i < len */
    uint64_t dropped;      /* bytes lost because nobody read the pty */
};

int cons_buf_init(struct cons_buf *b, size_t cap);
void cons_buf_free(struct cons_buf *b);
void cons_buf_put(struct cons_buf *b, const char *p, size_t n);
/* The longest contiguous run of buffered bytes (for one write()). */
size_t cons_buf_peek(const struct cons_buf *b, const char **p);
void cons_buf_consume(struct cons_buf *b, size_t n);

/*
 * Takes up to cap bytes the guest wrote to out[] into dst. Returns how
 * many, or -1 when the guest's indexes are impossible (out_prod - out_cons
 * larger than the ring): the ring is then left alone.
 */
long cons_ring_read_out(volatile struct xencons_interface *intf, char *dst, size_t cap);

/* Puts up to n bytes of keyboard input into in[]; returns how many fitted, -1 as above. */
long cons_ring_fill_in(volatile struct xencons_interface *intf, const char *p, size_t n);

#endif
