#ifndef XENOLITH_SHUTDOWN_H
#define XENOLITH_SHUTDOWN_H

#include <xenolith/lib.h>

struct domain;

/* The hardware domain shut down: act on the machine as Xen does. */
noreturn void hwdom_shutdown(struct domain *d, unsigned reason);

/* arch: ACPI S5 (or halt if the firmware gives no way), reset, or stop. */
noreturn void machine_power_off(void);
noreturn void machine_restart(void);
noreturn void machine_halt(void);

#endif
