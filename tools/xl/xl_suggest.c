/*
 * "Did you mean": Xen's xl ignores keys it does not know (xl.cfg(5) has no
 * rule for them), so a typo such as `memroy = 512` silently boots a 32 MiB
 * guest. Xenolith warns and names the closest known key.
 */
#include <stdlib.h>
#include <string.h>

#include "xl_cfg.h"

int xl_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int *d = calloc((la + 1) * (lb + 1), sizeof(*d));
    int r = -1;

#define D(i, j) d[(i) * (lb + 1) + (j)]
    if (!d)
        goto out;
    for (size_t i = 0; i <= la; i++)
        D(i, 0) = (int)i;
    for (size_t j = 0; j <= lb; j++)
        D(0, j) = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = D(i - 1, j) + 1;

            if (D(i, j - 1) + 1 < v)
                v = D(i, j - 1) + 1;
            if (D(i - 1, j - 1) + cost < v)
                v = D(i - 1, j - 1) + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                D(i - 2, j - 2) + 1 < v)
                v = D(i - 2, j - 2) + 1;
            D(i, j) = v;
        }
    }
    r = D(la, lb);
#undef D
out:
    free(d);
    return r;
}

/* Close enough: at most 2 edits, and fewer than a third of the word (so "x"
 * does not suggest "uuid"). Ties go to the earlier word of the list. */
const char *xl_closest(const char *s, const char *const *words)
{
    const char *best = NULL;
    int bestd = 0;
    int limit = (int)strlen(s) / 3;

    if (limit > 2)
        limit = 2;
    if (limit < 1)
        limit = 1;
    for (size_t i = 0; words[i]; i++) {
        int d = xl_edit_distance(s, words[i]);

        if (d >= 0 && d <= limit && (!best || d < bestd)) {
            best = words[i];
            bestd = d;
        }
    }
    return best;
}
