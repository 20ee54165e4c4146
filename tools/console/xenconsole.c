/*
 * xenconsole: attach the terminal to a guest's console.
 *
 *   xenconsole [-e ESCAPE] [-w MS] DOMID
 *
 * xl console does the same in-process; this exists for scripts and for
 * users of Xen's own `xenconsole`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console_client.h"

int main(int argc, char **argv)
{
    int escape = CONSOLE_ESCAPE, wait_ms = 5000, opt, rc;
    unsigned long domid;
    char *end;
    xc_t *xc;
    struct xs *xs;

    while ((opt = getopt(argc, argv, "e:w:")) != -1) {
        switch (opt) {
        case 'e':
            escape = console_parse_escape(optarg);
            if (escape < 0) {
                fprintf(stderr, "xenconsole: -e %s: expected ^X or one character\n", optarg);
                return 2;
            }
            break;
        case 'w':
            wait_ms = atoi(optarg);
            break;
        default:
            fprintf(stderr, "usage: xenconsole [-e ESCAPE] [-w MS] DOMID\n");
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: xenconsole [-e ESCAPE] [-w MS] DOMID\n");
        return 2;
    }
    domid = strtoul(argv[optind], &end, 10);
    if (*end || end == argv[optind] || domid >= DOMID_FIRST_RESERVED) {
        fprintf(stderr, "xenconsole: '%s': expected a domain id\n", argv[optind]);
        return 2;
    }
    xc = xc_open();
    xs = xs_open(NULL);
    if (!xc || !xs) {
        fprintf(stderr, "xenconsole: cannot open %s\n", xc ? "xenstore" : "/dev/xen/privcmd");
        return 1;
    }
    rc = console_attach(xc, xs, (uint32_t)domid, escape, wait_ms);
    xs_close(xs);
    xc_close(xc);
    return rc;
}
