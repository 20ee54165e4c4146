/*
 * The hypervisor console: the log (printk, kept in a ring for later
 * readers) and the console_io hypercall (public/xen.h: CONSOLEIO_write,
 * CONSOLEIO_read), both on the serial port.
 */
#include <asm/cpu.h>
#include <asm/time.h>
#include <xen/xen.h>
#include <xenolith/console.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

#define LOG_RING_SIZE (64 * 1024)
#define RX_RING_SIZE 1024

static char log_ring[LOG_RING_SIZE];
static uint64_t log_prod;
static bool at_line_start = true;

static char rx_ring[RX_RING_SIZE];
static unsigned rx_prod, rx_cons;

static void console_emit(char c)
{
    log_ring[log_prod++ % LOG_RING_SIZE] = c;
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
}

static void log_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (at_line_start) {
            for (const char *p = "(XEN) "; *p; p++)
                console_emit(*p);
            at_line_start = false;
        }
        console_emit(s[i]);
        if (s[i] == '\n')
            at_line_start = true;
    }
}

void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);

    log_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

noreturn void panic(const char *fmt, ...)
{
    va_list ap;

    printk("\n****************************************\n");
    printk("PANIC on CPU %u:\n", smp_processor_id());
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n****************************************\n");
    halt_forever();
    __builtin_unreachable();
}

size_t console_read_ring(char *dst, size_t size)
{
    uint64_t first = log_prod > LOG_RING_SIZE ? log_prod - LOG_RING_SIZE : 0;
    size_t n = 0;

    for (uint64_t i = first; i < log_prod && n < size; i++)
        dst[n++] = log_ring[i % LOG_RING_SIZE];
    return n;
}

void console_poll_input(void)
{
    int c;

    while ((c = serial_getc()) >= 0)
        if (rx_prod - rx_cons < RX_RING_SIZE)
            rx_ring[rx_prod++ % RX_RING_SIZE] = (char)c;
}

/*
 * The UART is polled (no interrupt routing yet): every 20 ms, and new
 * input raises VIRQ_CONSOLE for the hardware domain, whose hvc0 then reads
 * it with CONSOLEIO_read.
 */
#define CONSOLE_POLL_NS 20000000ULL
static struct timer poll_timer;

static void console_poll(void *unused)
{
    unsigned before = rx_prod;
    struct domain *hwdom = domain_by_id(0);

    console_poll_input();
    if (rx_prod != before && hwdom)
        send_guest_global_virq(hwdom, VIRQ_CONSOLE);
    set_timer(&poll_timer, now_ns() + CONSOLE_POLL_NS);
}

void console_start_polling(void)
{
    init_timer(&poll_timer, console_poll, NULL);
    set_timer(&poll_timer, now_ns() + CONSOLE_POLL_NS);
}

/* The guest's bytes go to the console as they are, as Xen does for Dom0. */
static long console_write(uint64_t buffer, unsigned count)
{
    char kbuf[128];

    while (count) {
        unsigned n = MIN(count, (unsigned)sizeof(kbuf) - 1);

        if (copy_from_guest(kbuf, buffer, n))
            return -EFAULT;
        for (unsigned i = 0; i < n; i++) {
            log_ring[log_prod++ % LOG_RING_SIZE] = kbuf[i];
            if (kbuf[i] == '\n')
                serial_putc('\r');
            serial_putc(kbuf[i]);
        }
        buffer += n;
        count -= n;
    }
    return 0;
}

/* Returns the bytes read; the count must stay apart from negative errors. */
static long console_read(uint64_t buffer, unsigned count)
{
    long done = 0;

    if (count > INT32_MAX)
        return -E2BIG;
    console_poll_input();
    while (rx_cons != rx_prod && (unsigned long)done < count) {
        char c = rx_ring[rx_cons % RX_RING_SIZE];

        if (copy_to_guest(buffer + done, &c, 1))
            return -EFAULT;
        rx_cons++;
        done++;
    }
    return done;
}

long do_console_io(uint64_t cmd, uint64_t count, uint64_t buffer)
{
    if (!current->domain->is_privileged)
        return -EPERM; /* xsm default: console_io is for Dom0 (XSM_OTHER) */
    switch ((unsigned)cmd) {
    case CONSOLEIO_write:
        return console_write(buffer, (unsigned)count);
    case CONSOLEIO_read:
        return console_read(buffer, (unsigned)count);
    }
    return -ENOSYS;
}
