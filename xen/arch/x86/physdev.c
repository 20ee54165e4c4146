/*
 * physdev_op (public/physdev.h): the I/O privilege a PV kernel asks for,
 * and the hardware domain's view of the machine's interrupt lines: GSI
 * setup, GSI-to-pirq mappings, IO-APIC register reads and the PCI devices
 * it announces; and the delivery of a bound pirq's GSI as an event.
 * A bound GSI interrupts CPU 0 on vector IRQ_VECTOR_BASE + GSI; a
 * level-triggered one then stays masked until the guest's PHYSDEVOP_eoi.
 */
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/irq.h>
#include <asm/smp.h>
#include <xen/physdev.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/page_alloc.h>
#include <xenolith/sched.h>
#include <xenolith/spinlock.h>

#define NR_GSIS_MAX NR_IRQ_VECTORS
#define MAX_PCI_DEVICES 64

/* PHYSDEVOP_setup_gsi: a GSI's trigger mode and polarity, for when it is routed. */
static struct {
    bool set, level, active_low;
} gsi_setup[NR_GSIS_MAX];

/* The port each bound GSI raises (EVTCHNOP_bind_pirq), and whether it waits for an EOI. */
static struct {
    bool bound, level, awaiting_eoi;
    domid_t domid;
    uint32_t pirq;
    evtchn_port_t port;
} gsi_bound[NR_GSIS_MAX];

/* The PCI functions Dom0 announced (PHYSDEVOP_pci_device_add). */
static struct pci_dev {
    uint16_t seg;
    uint8_t bus, devfn;
    bool used;
} pci_devs[MAX_PCI_DEVICES];
static spinlock_t physdev_lock = SPINLOCK_INIT;

static bool gsi_valid(int gsi)
{
    return gsi >= 0 && (unsigned)gsi < io_apic_nr_gsis() && gsi < NR_GSIS_MAX;
}

/* A domain's pirq -> GSI table, made at its first map_pirq: entry gsi + 1, 0 = free. */
static uint16_t *pirq_table(struct domain *d)
{
    if (!d->pirq_gsi)
        d->pirq_gsi = alloc_xen_pages(1);
    return d->pirq_gsi;
}

static long setup_gsi(const struct physdev_setup_gsi *s)
{
    if (!gsi_valid(s->gsi))
        return -EINVAL;
    gsi_setup[s->gsi].set = true;
    gsi_setup[s->gsi].level = s->triggering;
    gsi_setup[s->gsi].active_low = s->polarity;
    return 0;
}

/*
 * MAP_PIRQ_TYPE_GSI for the caller itself: pirq = -1 asks for one (the GSI's
 * own number, which is what Linux's Dom0 passes anyway). A pirq already
 * mapped to another GSI keeps its mapping and the answer is 0, as Xen's
 * map_domain_pirq gives. MSI needs interrupt remapping of ours.
 */
static long map_pirq(struct physdev_map_pirq *m)
{
    struct domain *d = current->domain;
    uint16_t *t;

    if (m->domid != DOMID_SELF && m->domid != d->domain_id)
        return domain_by_id(m->domid) ? unimplemented("physdev_op map_pirq for domain", m->domid)
                                      : -ESRCH;
    if (m->type != MAP_PIRQ_TYPE_GSI)
        return unimplemented("physdev_op map_pirq type", (unsigned)m->type);
    if (!gsi_valid(m->index))
        return -EINVAL;
    if (m->pirq < 0)
        m->pirq = m->index;
    if ((unsigned)m->pirq >= NR_PIRQS)
        return -EINVAL;
    if (!(t = pirq_table(d)))
        return -ENOMEM;
    if (t[m->pirq] && t[m->pirq] != m->index + 1) {
        printk_ratelimited("d%u: pirq %d is GSI %u already, not GSI %d\n", d->domain_id, m->pirq,
               t[m->pirq] - 1u, m->index);
        return 0;
    }
    t[m->pirq] = (uint16_t)(m->index + 1);
    return 0;
}

/* If d holds gsi: mask it and forget the binding (its port stays, silent). physdev_lock held. */
static void release_gsi(const struct domain *d, unsigned gsi)
{
    if (gsi_bound[gsi].bound && gsi_bound[gsi].domid == d->domain_id) {
        io_apic_mask(gsi, true);
        gsi_bound[gsi].bound = false;
    }
}

static long unmap_pirq(const struct physdev_unmap_pirq *u)
{
    struct domain *d = current->domain;

    if (u->domid != DOMID_SELF && u->domid != d->domain_id)
        return -EPERM;
    if (u->pirq < 0 || (unsigned)u->pirq >= NR_PIRQS || !d->pirq_gsi || !d->pirq_gsi[u->pirq])
        return -EINVAL;
    release_gsi(d, d->pirq_gsi[u->pirq] - 1u);
    d->pirq_gsi[u->pirq] = 0;
    return 0;
}

/*
 * XENIRQSTAT_needs_eoi for every pirq, as Xen answers: without a pirq EOI
 * map (PHYSDEVOP_pirq_eoi_gmfn_v2) any line may need unmasking, so the
 * guest must always say when it is done. No pirq is shared.
 */
static long irq_status_query(struct physdev_irq_status_query *q)
{
    if (q->irq >= NR_PIRQS)
        return -EINVAL;
    q->flags = XENIRQSTAT_needs_eoi;
    return 0;
}

static struct pci_dev *pci_find(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    for (unsigned i = 0; i < MAX_PCI_DEVICES; i++)
        if (pci_devs[i].used && pci_devs[i].seg == seg && pci_devs[i].bus == bus &&
            pci_devs[i].devfn == devfn)
            return &pci_devs[i];
    return NULL;
}

/* Adding a device twice is not an error (Xen's pci_add_device keeps the one it has). */
static long pci_add(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    if (pci_find(seg, bus, devfn))
        return 0;
    for (unsigned i = 0; i < MAX_PCI_DEVICES; i++)
        if (!pci_devs[i].used) {
            pci_devs[i] = (struct pci_dev){ seg, bus, devfn, true };
            return 0;
        }
    return -ENOMEM;
}

static long pci_remove(uint16_t seg, uint8_t bus, uint8_t devfn)
{
    struct pci_dev *p = pci_find(seg, bus, devfn);

    if (!p)
        return -ENODEV;
    p->used = false;
    return 0;
}

static int pirq_to_gsi(const struct domain *d, uint32_t pirq)
{
    return pirq < NR_PIRQS && d->pirq_gsi && d->pirq_gsi[pirq] ? d->pirq_gsi[pirq] - 1 : -1;
}

/*
 * EVTCHNOP_bind_pirq: the pirq must be mapped (else -EPERM, as Xen), and
 * its GSI not bound already (-EEXIST by this pirq, -EBUSY by another: no
 * sharing yet, BIND_PIRQ__WILL_SHARE is not honoured). Without
 * a setup_gsi, ISA lines are edge/high and the others level/low (ACPI's
 * defaults).
 */
long pirq_bind(struct domain *d, uint32_t pirq, evtchn_port_t port)
{
    int gsi;
    long rc = 0;

    spin_lock(&physdev_lock);
    gsi = pirq_to_gsi(d, pirq);
    if (gsi < 0)
        rc = -EPERM; /* Xen: no access to a pirq that maps no IRQ */
    else if (gsi_bound[gsi].bound)
        rc = gsi_bound[gsi].domid == d->domain_id && gsi_bound[gsi].pirq == pirq ? -EEXIST : -EBUSY;
    if (!rc) {
        bool level = gsi_setup[gsi].set ? gsi_setup[gsi].level : gsi >= 16;
        bool low = gsi_setup[gsi].set ? gsi_setup[gsi].active_low : gsi >= 16;

        gsi_bound[gsi] = (typeof(gsi_bound[0])){ true, level, false, d->domain_id, pirq, port };
        io_apic_route((unsigned)gsi, IRQ_VECTOR_BASE + gsi, level, low, cpu_to_apic[0]);
    }
    spin_unlock(&physdev_lock);
    return rc;
}

void pirq_unbind(struct domain *d, uint32_t pirq)
{
    int gsi;

    spin_lock(&physdev_lock);
    gsi = pirq_to_gsi(d, pirq);
    if (gsi >= 0)
        release_gsi(d, (unsigned)gsi);
    spin_unlock(&physdev_lock);
}

/* A dying domain's lines fall silent before its pirq table goes. */
void pirq_domain_destroy(struct domain *d)
{
    spin_lock(&physdev_lock);
    for (unsigned gsi = 0; gsi < NR_GSIS_MAX; gsi++)
        release_gsi(d, gsi);
    spin_unlock(&physdev_lock);
    if (d->pirq_gsi)
        free_xen_pages(d->pirq_gsi, 1);
    d->pirq_gsi = NULL;
}

/* The interrupt of a GSI (vector IRQ_VECTOR_BASE + gsi, so gsi < NR_GSIS_MAX) on this CPU. */
void pirq_interrupt(unsigned gsi)
{
    struct domain *d = NULL;
    evtchn_port_t port = 0;

    spin_lock(&physdev_lock);
    if (gsi_bound[gsi].bound) {
        if (gsi_bound[gsi].level) {
            io_apic_mask(gsi, true); /* until PHYSDEVOP_eoi */
            gsi_bound[gsi].awaiting_eoi = true;
        }
        d = domain_by_id(gsi_bound[gsi].domid);
        port = gsi_bound[gsi].port;
    } else {
        io_apic_mask(gsi, true); /* unbound since it fired */
    }
    spin_unlock(&physdev_lock);
    apic_eoi();
    if (d)
        evtchn_notify(d, port);
}

/* PHYSDEVOP_eoi: the guest is done with the pirq; a level line may fire again. */
static long pirq_eoi(uint32_t pirq)
{
    struct domain *d = current->domain;
    int gsi;

    if (pirq >= NR_PIRQS)
        return -EINVAL;
    spin_lock(&physdev_lock);
    gsi = pirq_to_gsi(d, pirq);
    if (gsi >= 0 && gsi_bound[gsi].bound && gsi_bound[gsi].domid == d->domain_id &&
        gsi_bound[gsi].awaiting_eoi) {
        gsi_bound[gsi].awaiting_eoi = false;
        io_apic_mask((unsigned)gsi, false);
    }
    spin_unlock(&physdev_lock);
    return 0;
}

/* Called with physdev_lock held: it guards the tables above and the IO-APIC's index register. */
static long hardware_op(int cmd, uint64_t arg)
{
    switch (cmd) {
    case PHYSDEVOP_setup_gsi: COPY_OP(struct physdev_setup_gsi, s, setup_gsi(&s), false);
    case PHYSDEVOP_map_pirq: COPY_OP(struct physdev_map_pirq, m, map_pirq(&m), true);
    case PHYSDEVOP_unmap_pirq: COPY_OP(struct physdev_unmap_pirq, u, unmap_pirq(&u), false);
    case PHYSDEVOP_apic_read:
        COPY_OP(struct physdev_apic, a, io_apic_read(a.apic_physbase, a.reg, &a.value), true);
    case PHYSDEVOP_pci_device_add:
        COPY_OP(struct physdev_pci_device_add, p, pci_add(p.seg, p.bus, p.devfn), false);
    case PHYSDEVOP_pci_device_remove:
        COPY_OP(struct physdev_pci_device, p, pci_remove(p.seg, p.bus, p.devfn), false);
    case PHYSDEVOP_manage_pci_add: COPY_OP(struct physdev_manage_pci, p, pci_add(0, p.bus, p.devfn), false);
    case PHYSDEVOP_manage_pci_remove:
        COPY_OP(struct physdev_manage_pci, p, pci_remove(0, p.bus, p.devfn), false);
    }
    return unimplemented("physdev_op", (unsigned)cmd);
}

long do_physdev_op(uint64_t cmd, uint64_t arg)
{
    switch ((int)cmd) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl s;

        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.iopl > 3)
            return -EINVAL;
        current->iopl = s.iopl;
        return 0;
    }
    case PHYSDEVOP_alloc_irq_vector:
        /* Vectors are ours: the "vector" is the IRQ itself, as Xen answers. */
        COPY_OP(struct physdev_irq, i, (i.vector = i.irq, 0), true);
    case PHYSDEVOP_irq_status_query:
        COPY_OP(struct physdev_irq_status_query, q, irq_status_query(&q), true);
    case PHYSDEVOP_eoi: {
        struct physdev_eoi e;

        if (copy_from_guest(&e, arg, sizeof(e)))
            return -EFAULT;
        return pirq_eoi(e.irq);
    }
    case PHYSDEVOP_setup_gsi:
    case PHYSDEVOP_map_pirq:
    case PHYSDEVOP_unmap_pirq:
    case PHYSDEVOP_apic_read:
    case PHYSDEVOP_pci_device_add:
    case PHYSDEVOP_pci_device_remove:
    case PHYSDEVOP_manage_pci_add:
    case PHYSDEVOP_manage_pci_remove:
    {
        long rc;

        /* Only the hardware domain owns interrupt lines, IO-APICs and PCI devices. */
        if (!current->domain->is_hardware)
            return -EPERM;
        spin_lock(&physdev_lock);
        rc = hardware_op((int)cmd, arg);
        spin_unlock(&physdev_lock);
        return rc;
    }
    }
    return unimplemented("physdev_op", cmd);
}
