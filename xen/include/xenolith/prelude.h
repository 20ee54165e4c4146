/*
 * Included before every hypervisor C file: the compiler's own integer
 * types (the public Xen headers expect them), and hidden visibility, since
 * everything is linked into one image and nothing goes through a GOT.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#pragma GCC visibility push(hidden)
