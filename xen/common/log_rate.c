/*
 * Rate limits for log lines a guest can cause (xenolith/lib.h:
 * printk_ratelimited): per call site, LOG_RATE_BURST lines per window of
 * LOG_RATE_WINDOW_NS, as Xen's printk_ratelimit (10 per 5 s); the lines
 * dropped are counted and the next window's first line says how many.
 */
#include <asm/time.h>
#include <xenolith/lib.h>

/* Unlocked: two CPUs racing here can only print a line more or count one less. */
bool log_rate_ok(struct log_rate *r)
{
    uint64_t now = now_ns();

    if (!r->window_start || (int64_t)(now - r->window_start) >= (int64_t)LOG_RATE_WINDOW_NS) {
        unsigned dropped = r->dropped;

        r->window_start = now ? now : 1; /* 0 means "no window yet" */
        r->printed = 0;
        r->dropped = 0;
        if (dropped)
            printk("(%u lines like the next one suppressed)\n", dropped);
    }
    if (r->printed < LOG_RATE_BURST) {
        r->printed++;
        return true;
    }
    r->dropped++;
    return false;
}
