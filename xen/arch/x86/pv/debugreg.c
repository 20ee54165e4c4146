/*
 * set_debugreg / get_debugreg (public/xen.h): the guest's DR0-3, DR6, DR7,
 * kept per vCPU and loaded into the CPU while it runs. Breakpoint addresses
 * must be guest addresses; I/O breakpoints need CR4.DE, which PV guests do
 * not get; DR4/DR5 alias DR6/DR7 as with CR4.DE clear.
 */
#include <asm/cpu.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

#define DR6_RESERVED_ONE 0xffff0ff0UL
#define DR7_RESERVED_ONE 0x400UL
#define DR7_ENABLES 0xffUL

static void load_debugreg(unsigned reg, uint64_t v)
{
    switch (reg) {
    case 0: __asm__ volatile("mov %0, %%db0" ::"r"(v)); break;
    case 1: __asm__ volatile("mov %0, %%db1" ::"r"(v)); break;
    case 2: __asm__ volatile("mov %0, %%db2" ::"r"(v)); break;
    case 3: __asm__ volatile("mov %0, %%db3" ::"r"(v)); break;
    case 6: __asm__ volatile("mov %0, %%db6" ::"r"(v)); break;
    case 7: __asm__ volatile("mov %0, %%db7" ::"r"(v)); break;
    }
}

static bool dr7_ok(uint64_t v)
{
    if ((v >> 32) || (v & (1UL << 13))) /* GD would trap the guest's own DR accesses */
        return false;
    /* R/W = 10b (I/O) in any of the four slots needs CR4.DE. */
    for (unsigned i = 0; i < 4; i++)
        if (((v >> (16 + 4 * i)) & 3) == 2)
            return false;
    return true;
}

long do_set_debugreg(uint64_t reg, uint64_t value)
{
    struct vcpu *v = current;

    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!guest_range_ok(value, 8) || (value >> 47 && value >> 47 != 0x1ffff))
            return -EPERM;
        break;
    case 4: case 6:
        if (value >> 32)
            return -EINVAL;
        reg = 6;
        value = (value & ~0xffff0ff0UL & 0xffffffffUL) | DR6_RESERVED_ONE;
        break;
    case 5: case 7:
        if (!dr7_ok(value))
            return value >> 32 ? -EINVAL : -EPERM;
        reg = 7;
        value = (value & ~(1UL << 13) /* GD */) | DR7_RESERVED_ONE;
        break;
    default:
        return -ENODEV;
    }
    v->debugreg[reg] = value;
    load_debugreg((unsigned)reg, reg == 7 && !(value & DR7_ENABLES) ? DR7_RESERVED_ONE : value);
    return 0;
}

long do_get_debugreg(uint64_t reg)
{
    struct vcpu *v = current;

    switch (reg) {
    case 0: case 1: case 2: case 3: case 6: case 7:
        return (long)v->debugreg[reg];
    case 4:
        return (long)v->debugreg[6];
    case 5:
        return (long)v->debugreg[7];
    }
    return -ENODEV;
}
