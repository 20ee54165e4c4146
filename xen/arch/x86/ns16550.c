/* The 16550 UART behind console=com1/com2, polled (no interrupts). */
#include <asm/io.h>
#include <xenolith/console.h>

#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_IER 1
#define UART_DLL 0 /* divisor latch (DLAB=1) */
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define UART_CLOCK 115200

static uint16_t port;

void serial_init(const struct serial_config *cfg)
{
    unsigned divisor = cfg->baud ? UART_CLOCK / cfg->baud : 1;
    uint8_t lcr = (uint8_t)((cfg->data_bits - 5) & 3);

    if (cfg->stop_bits == 2)
        lcr |= 0x04;
    if (cfg->parity == 'o')
        lcr |= 0x08;
    else if (cfg->parity == 'e')
        lcr |= 0x18;

    /* A UART that does not keep a scratch value is absent: stay silent. */
    outb(cfg->io_base + UART_SCR, 0x5a);
    if (inb(cfg->io_base + UART_SCR) != 0x5a)
        return;

    outb(cfg->io_base + UART_IER, 0);
    outb(cfg->io_base + UART_LCR, LCR_DLAB);
    outb(cfg->io_base + UART_DLL, (uint8_t)(divisor ? divisor : 1));
    outb(cfg->io_base + UART_DLM, (uint8_t)(divisor >> 8));
    outb(cfg->io_base + UART_LCR, lcr);
    outb(cfg->io_base + UART_FCR, 0x07); /* enable and clear FIFOs */
    outb(cfg->io_base + UART_MCR, 0x03); /* DTR, RTS */
    port = cfg->io_base;
}

bool serial_present(void)
{
    return port != 0;
}

void serial_putc(char c)
{
    if (!port)
        return;
    for (unsigned spin = 0; spin < 100000; spin++)
        if (inb(port + UART_LSR) & LSR_THRE)
            break;
    outb(port + UART_THR, (uint8_t)c);
}

int serial_getc(void)
{
    if (!port || !(inb(port + UART_LSR) & LSR_DR))
        return -1;
    return inb(port + UART_RBR);
}
