/* The client end of a guest console: what `xl console` and `xenconsole` run. */
#ifndef CONSOLE_CLIENT_H
#define CONSOLE_CLIENT_H

#include <stdint.h>

#include "xc.h"
#include "xs_client.h"

/* Ctrl-] leaves the console, as in xl(1). */
#define CONSOLE_ESCAPE 0x1d

/*
 * Connects the terminal (stdin/stdout) to domid's console until the escape
 * character is typed, the domain goes away, or stdin ends. Waits up to
 * wait_ms for xenconsoled to publish console/tty. Returns 0, or 1 with a
 * message on stderr naming the domain and the cause.
 */
int console_attach(xc_t *xc, struct xs *xs, uint32_t domid, int escape, int wait_ms);

/* The escape character from "^]"-style text (or one character); -1 if invalid. */
int console_parse_escape(const char *text);

#endif
