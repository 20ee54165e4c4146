#ifndef XENOLITH_DOM0_H
#define XENOLITH_DOM0_H

struct vcpu;

/* Builds Dom0 from boot module 1 (kernel) and 2 (initrd); returns its vCPU 0. */
struct vcpu *dom0_construct(void);

#endif
