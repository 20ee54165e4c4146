/*
 * printf-style formatting for the log: %d %i %u %x %X %o %p %s %c %%, the
 * l/ll/z length modifiers, '-', '0', '#' flags, width and precision (also *).
 */
#include <xenolith/lib.h>

struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
                       bool left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;

    if (!left)
        while (fill-- > 0)
            put(o, pad);
    while (n--)
        put(o, *s++);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

static void put_number(struct out *o, unsigned long long v, bool neg,
                       unsigned base, bool upper, int width, bool left,
                       char pad, const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[72];
    int i = sizeof(tmp);

    do {
        tmp[--i] = digits[v % base];
        v /= base;
    } while (v);
    while (*prefix && pad == '0' && !left)
        put(o, *prefix++), width--;
    for (const char *p = prefix + strlen(prefix); p > prefix;)
        tmp[--i] = *--p;
    if (neg) {
        if (pad == '0' && !left)
            put(o, '-'), width--;
        else
            tmp[--i] = '-';
    }
    put_padded(o, tmp + i, sizeof(tmp) - i, width, left, pad);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        bool left = false, alt = false;
        char pad = ' ';
        int width = 0, prec = -1, lng = 0;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        for (;; fmt++) {
            if (fmt[1] == '-')
                left = true;
            else if (fmt[1] == '0')
                pad = '0';
            else if (fmt[1] == '#')
                alt = true;
            else
                break;
        }
        fmt++;
        if (*fmt == '*')
            width = va_arg(ap, int), fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*')
                prec = va_arg(ap, int), fmt++;
            while (*fmt >= '0' && *fmt <= '9')
                prec = prec * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z')
            lng++, fmt++;

        switch (*fmt) {
        case 'd':
        case 'i': {
            long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
            unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

            put_number(&o, u, v < 0, 10, false, width, left, pad, "");
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v = lng ? va_arg(ap, unsigned long long)
                                       : va_arg(ap, unsigned int);
            unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;

            put_number(&o, v, false, base, *fmt == 'X', width, left, pad,
                       alt && base == 16 ? "0x" : "");
            break;
        }
        case 'p':
            put_number(&o, (unsigned long)va_arg(ap, void *), false, 16, false,
                       16, false, '0', "");
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            size_t n;

            if (!s)
                s = "(null)";
            n = prec >= 0 ? strnlen(s, prec) : strlen(s);
            put_padded(&o, s, n, width, left, ' ');
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);

            put_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            fmt--;
            break;
        default:
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
