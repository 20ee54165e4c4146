#ifndef XENOLITH_CONSOLE_H
#define XENOLITH_CONSOLE_H

#include <xenolith/lib.h>

/* The serial port behind console=com1: 16550-compatible, polled. */
struct serial_config {
    uint16_t io_base;
    unsigned baud;
    unsigned data_bits;
    char parity; /* 'n', 'o', 'e' */
    unsigned stop_bits;
};

void serial_init(const struct serial_config *cfg);
void serial_putc(char c);
/* Returns -1 when no byte is waiting. */
int serial_getc(void);
bool serial_present(void);

/* Drains the UART into the console's receive ring (CONSOLEIO_read's source). */
void console_poll_input(void);
/* Starts polling the serial port for input (timers must work). */
void console_start_polling(void);
/* Copies the hypervisor log ring out, oldest first; returns bytes copied. */
size_t console_read_ring(char *dst, size_t size);

#endif
