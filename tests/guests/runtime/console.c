/*
 * Output through HYPERVISOR_console_io(CONSOLEIO_write) (xen.h). Xen copies
 * a hardware domain's bytes straight to its serial console, so our lines
 * appear on the serial port beside the hypervisor's "(XEN)" lines.
 */
#include "runtime.h"

void console_write(const char *buf, size_t len)
{
    hypercall_console_io(CONSOLEIO_write, len, (unsigned long)buf);
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    console_write(buf, strlen(buf));
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

static const struct {
    const char *name;
    int value;
} xen_errnos[] = {
    /* xen/errno.h expands XEN_ERRNO() once per errno when we define it. */
#define XEN_ERRNO(name, value) { #name, value },
#include <xen/errno.h>
};

const char *errno_name(long rc)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(xen_errnos); i++)
        if (rc == -xen_errnos[i].value)
            return xen_errnos[i].name;
    return NULL;
}
