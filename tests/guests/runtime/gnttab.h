/*
 * Grant tables (v1) for the test kernels (grant_table.h; linux-pv-abi.md 4).
 *
 * A domain's grant table is an array of grant_entry_v1_t {flags, domid,
 * frame} in frames that the hypervisor owns and the domain maps writable
 * after GNTTABOP_setup_table told it their machine frame numbers. To grant
 * frame F to domain D, the granter writes domid and frame first and the
 * flags (GTF_permit_access, + GTF_readonly) last; while a mapping or copy
 * uses the entry the hypervisor sets GTF_reading/GTF_writing in it.
 * grant_table_op answers per operation in a status field (GNTST_*) and
 * with a negative errno only for the call as a whole.
 */
#ifndef GUEST_GNTTAB_H
#define GUEST_GNTTAB_H

#include "runtime.h"

#include <xen/grant_table.h>

#define GRANT_ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))

static inline long hypercall_grant_table_op(unsigned long cmd,
                                            unsigned long uop,
                                            unsigned long count)
{
    return hypercall(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}

/* Name of a GNTST_* value ("GNTST_bad_gntref"), or "?" */
const char *gntst_name(int16_t status);

/* Check a GNTST_* status, naming both values on a mismatch. */
bool check_gntst_at(const char *file, int line, int16_t got, int16_t want,
                    const char *fmt, ...) printf_like(5, 6);
#define check_gntst(got, want, ...) \
    check_gntst_at(__FILE__, __LINE__, (got), (want), __VA_ARGS__)

/*
 * GNTTABOP_setup_table(DOMID_SELF, nr_frames) and map frame 0 writable.
 * Returns the entries, or NULL after a failed check (the caller ends the
 * test: nothing else can run without a table). *mfn gets frame 0's MFN.
 */
grant_entry_v1_t *gnttab_map_table(unsigned int nr_frames,
                                   unsigned long *mfn);

/* Fill an entry in the order Linux does (gnttab_update_entry_v1). */
void gnttab_grant(grant_entry_v1_t *table, grant_ref_t ref, domid_t domid,
                  unsigned long frame, uint16_t flags);
/* Revoke an entry (flags to GTF_invalid). */
void gnttab_revoke(grant_entry_v1_t *table, grant_ref_t ref);
uint16_t gnttab_flags(const grant_entry_v1_t *table, grant_ref_t ref);

#endif /* GUEST_GNTTAB_H */
