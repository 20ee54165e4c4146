/*
 * The xl.cfg lexer (xl.cfg(5), "Syntax"; the token set of libxlutil's
 * libxlu_cfg_l.l): keys [a-z][._0-9a-z]*, "..." and '...' strings with C
 * escapes, numbers [0-9][0-9a-fx]* kept as text, = += [ ] , ; and newlines;
 * '#' comments run to the end of the line. There is no line continuation:
 * a value spans lines only inside [ ].
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "xl_cfg.h"

void xlcfg_lex_init(struct xlcfg_lexer *lx, const char *file, const char *text)
{
    lx->file = file;
    lx->text = lx->p = text;
    lx->line = lx->col = 1;
}

const char *xlcfg_tok_name(enum xlcfg_tok t)
{
    static const char *const names[] = {
        [TK_EOF] = "end of file", [TK_NEWLINE] = "end of line", [TK_SEMI] = "';'",
        [TK_IDENT] = "a key",     [TK_STRING] = "a string",      [TK_NUMBER] = "a number",
        [TK_EQ] = "'='",          [TK_PLUSEQ] = "'+='",          [TK_LBRACK] = "'['",
        [TK_RBRACK] = "']'",      [TK_COMMA] = "','",            [TK_ERROR] = "an error",
    };
    return names[t];
}

static char advance(struct xlcfg_lexer *lx)
{
    char c = *lx->p++;

    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else {
        lx->col++;
    }
    return c;
}

static struct xl_loc here(const struct xlcfg_lexer *lx)
{
    return (struct xl_loc){lx->file, lx->line, lx->col};
}

static char *dup_range(const char *a, const char *b)
{
    return strndup(a, (size_t)(b - a));
}

/* One escape after the backslash; appends to out. -1 on a bad escape. */
static int lex_escape(struct xlcfg_lexer *lx, char *out, size_t *n)
{
    static const char simple[] = "n\nt\tr\ra\ab\bf\fv\v\\\\\"\"''";
    char c = *lx->p;
    const char *s;

    if (c && (s = strchr(simple, c)) && ((s - simple) % 2 == 0)) {
        advance(lx);
        out[(*n)++] = s[1];
        return 0;
    }
    if (c >= '0' && c <= '7') {
        int v = 0;

        for (int k = 0; k < 3 && *lx->p >= '0' && *lx->p <= '7'; k++)
            v = v * 8 + (advance(lx) - '0');
        /* a NUL would silently cut the string short */
        if (v > 255 || v == 0)
            return -1;
        out[(*n)++] = (char)v;
        return 0;
    }
    if (c == 'x' && isxdigit((unsigned char)lx->p[1])) {
        int v = 0;

        advance(lx);
        for (int k = 0; k < 2 && isxdigit((unsigned char)*lx->p); k++) {
            char h = advance(lx);

            v = v * 16 + (isdigit((unsigned char)h) ? h - '0' : tolower(h) - 'a' + 10);
        }
        if (v == 0)
            return -1;
        out[(*n)++] = (char)v;
        return 0;
    }
    return -1;
}

static int lex_string(struct xlcfg_lexer *lx, struct xlcfg_token *tok, FILE *diag)
{
    char quote = advance(lx);
    const char *start = lx->p;
    char *out = malloc(strlen(start) + 1);
    size_t n = 0;
    int rc = -1;

    if (!out) {
        xl_error(diag, &tok->loc, "out of memory");
        goto out;
    }
    for (;;) {
        char c = *lx->p;

        if (c == quote) {
            advance(lx);
            break;
        }
        if (c == '\0' || c == '\n') {
            xl_error(diag, &tok->loc, "unterminated string %c%.*s", quote,
                     (int)strcspn(start, "\n"), start);
            goto out;
        }
        if (c == '\\') {
            struct xl_loc at = here(lx);
            const char *esc;

            advance(lx);
            esc = lx->p;
            if (lex_escape(lx, out, &n) < 0) {
                /* what the escape consumed, or the one character it refused */
                int len = lx->p > esc ? (int)(lx->p - esc) : *esc && *esc != '\n' ? 1 : 0;

                xl_error(diag, &at, "invalid escape '\\%.*s' in string", len, esc);
                goto out;
            }
            continue;
        }
        out[n++] = advance(lx);
    }
    out[n] = '\0';
    tok->type = TK_STRING;
    tok->text = out;
    out = NULL;
    rc = 0;
out:
    free(out);
    return rc;
}

int xlcfg_lex_next(struct xlcfg_lexer *lx, struct xlcfg_token *tok, FILE *diag)
{
    const char *start;
    char c;

    tok->text = NULL;
    for (;;) {
        c = *lx->p;
        if (c == ' ' || c == '\t' || c == '\r') {
            advance(lx);
        } else if (c == '#') {
            while (*lx->p && *lx->p != '\n')
                advance(lx);
        } else {
            break;
        }
    }
    tok->loc = here(lx);
    start = lx->p;
    if (c == '\0') {
        tok->type = TK_EOF;
        return 0;
    }
    if (c == '"' || c == '\'')
        return lex_string(lx, tok, diag);
    if (c >= 'a' && c <= 'z') {
        while (islower((unsigned char)*lx->p) || isdigit((unsigned char)*lx->p) ||
               *lx->p == '_' || *lx->p == '.')
            advance(lx);
        if (isupper((unsigned char)*lx->p))
            goto bad_key;
        tok->type = TK_IDENT;
        tok->text = dup_range(start, lx->p);
        return tok->text ? 0 : -1;
    }
    if (isdigit((unsigned char)c)) {
        /* [0-9][0-9a-fx]*: converted when used, so 0x1f and 017 keep their base */
        while (isdigit((unsigned char)*lx->p) || (*lx->p >= 'a' && *lx->p <= 'f') ||
               *lx->p == 'x')
            advance(lx);
        tok->type = TK_NUMBER;
        tok->text = dup_range(start, lx->p);
        return tok->text ? 0 : -1;
    }
    advance(lx);
    switch (c) {
    case '\n':
        tok->type = TK_NEWLINE;
        return 0;
    case ';':
        tok->type = TK_SEMI;
        return 0;
    case '=':
        tok->type = TK_EQ;
        return 0;
    case '[':
        tok->type = TK_LBRACK;
        return 0;
    case ']':
        tok->type = TK_RBRACK;
        return 0;
    case ',':
        tok->type = TK_COMMA;
        return 0;
    case '+':
        if (*lx->p == '=') {
            advance(lx);
            tok->type = TK_PLUSEQ;
            return 0;
        }
        break;
    default:
        if (isupper((unsigned char)c))
            goto bad_key;
        break;
    }
    /* xm's configs were Python: + - . ( ) : outside strings mean one of those */
    if (strchr("+-.():{}", c))
        xl_error(diag, &tok->loc, "unexpected '%c' (xl.cfg is not Python: is this an xm config?)",
                 c);
    else if (isprint((unsigned char)c))
        xl_error(diag, &tok->loc, "unexpected '%c'", c);
    else
        xl_error(diag, &tok->loc, "unexpected byte 0x%02x", (unsigned char)c);
    tok->type = TK_ERROR;
    return -1;

bad_key:
    while (isalnum((unsigned char)*lx->p) || *lx->p == '_' || *lx->p == '.')
        advance(lx);
    xl_error(diag, &tok->loc, "invalid key '%.*s': keys are lower-case", (int)(lx->p - start),
             start);
    tok->type = TK_ERROR;
    return -1;
}
