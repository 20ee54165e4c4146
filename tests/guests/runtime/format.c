/*
 * A small vsnprintf: %d %i %u %x %X %p %s %c %%, the length modifiers
 * l, ll and z, a field width (or *), the flags '-', '0' and '#' (0x before
 * a non-zero %x), and a precision
 * for %s. Output is always NUL-terminated; the return value is the length
 * the full output would have, as in C99.
 */
#include "runtime.h"

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

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

struct spec {
    bool left;
    bool zero;
    bool alt;
    int width;
    int precision;              /* -1: none */
};

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
    size_t n;

    if (!s)
        s = "(null)";
    n = sp->precision >= 0 ? strnlen(s, sp->precision) : strlen(s);
    if (!sp->left)
        pad(o, ' ', sp->width - (int)n);
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
    if (sp->left)
        pad(o, ' ', sp->width - (int)n);
}

static void put_num(struct out *o, unsigned long long v, bool negative,
                    unsigned int base, bool upper, const char *prefix,
                    const struct spec *sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0, len;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);

    len = n + (negative ? 1 : 0) + (int)strlen(prefix);
    if (!sp->left && !sp->zero)
        pad(o, ' ', sp->width - len);
    if (negative)
        put(o, '-');
    while (*prefix)
        put(o, *prefix++);
    if (!sp->left && sp->zero)
        pad(o, '0', sp->width - len);
    while (n)
        put(o, tmp[--n]);
    if (sp->left)
        pad(o, ' ', sp->width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        struct spec sp = { false, false, false, 0, -1 };
        int lng = 0;
        unsigned long long u;
        long long s;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '-')
                sp.left = true;
            else if (*fmt == '0')
                sp.zero = true;
            else if (*fmt == '#')
                sp.alt = true;
            else
                break;
        }
        if (*fmt == '*') {
            sp.width = va_arg(ap, int);
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                sp.width = sp.width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            sp.precision = 0;
            fmt++;
            if (*fmt == '*') {
                sp.precision = va_arg(ap, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    sp.precision = sp.precision * 10 + (*fmt++ - '0');
            }
        }
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            lng++;

        switch (*fmt) {
        case 'd':
        case 'i':
            s = lng ? va_arg(ap, long long) : va_arg(ap, int);
            u = s < 0 ? -(unsigned long long)s : (unsigned long long)s;
            put_num(&o, u, s < 0, 10, false, "", &sp);
            break;
        case 'u':
        case 'x':
        case 'X':
            u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
            put_num(&o, u, false, *fmt == 'u' ? 10 : 16, *fmt == 'X',
                    sp.alt && u && *fmt != 'u' ? "0x" : "", &sp);
            break;
        case 'p':
            u = (unsigned long)va_arg(ap, void *);
            put_num(&o, u, false, 16, false, "0x", &sp);
            break;
        case 's':
            put_str(&o, va_arg(ap, const char *), &sp);
            break;
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            fmt--;              /* a lone '%' at the end */
            break;
        default:                /* unknown: print it as written */
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
