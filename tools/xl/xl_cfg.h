/*
 * xl.cfg files (xl.cfg(5)): the lexer (xl_cfg_lex.c), the parser into a tree
 * of settings (xl_cfg_parse.c), and the step from that tree to the typed
 * domain configuration (xl_cfg_domain.c). Messages go to a FILE * so tests
 * can read them; every one starts with `file:line:column: `.
 */
#ifndef XL_CFG_H
#define XL_CFG_H

#include <stdarg.h>
#include <stdio.h>

#include "xl_types.h"

/* Where a piece of text came from. file NULL: the command line. */
struct xl_loc {
    const char *file;
    int line, col;
};

/* `file:line:col: error: ...` (or `xl: error: ...` without a file). */
void xl_error(FILE *diag, const struct xl_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void xl_warning(FILE *diag, const struct xl_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The location of byte off of a quoted string value (one column per byte). */
struct xl_loc xl_loc_in_string(const struct xl_loc *str, size_t off);

/* ---- lexer ---- */
enum xlcfg_tok {
    TK_EOF,
    TK_NEWLINE,
    TK_SEMI,
    TK_IDENT,
    TK_STRING,
    TK_NUMBER,
    TK_EQ,
    TK_PLUSEQ,
    TK_LBRACK,
    TK_RBRACK,
    TK_COMMA,
    TK_ERROR,
};

struct xlcfg_lexer {
    const char *file, *text, *p;
    int line, col;
};

struct xlcfg_token {
    enum xlcfg_tok type;
    char *text; /* IDENT, STRING (unescaped), NUMBER: malloc'ed */
    struct xl_loc loc;
};

void xlcfg_lex_init(struct xlcfg_lexer *lx, const char *file, const char *text);
/* 0 with a token, or -1 after printing the lexical error to diag. */
int xlcfg_lex_next(struct xlcfg_lexer *lx, struct xlcfg_token *tok, FILE *diag);
const char *xlcfg_tok_name(enum xlcfg_tok t);

/* ---- the tree ---- */
enum xlcfg_kind { XLCFG_STRING, XLCFG_NUMBER, XLCFG_LIST };

struct xlcfg_value {
    enum xlcfg_kind kind;
    char *text; /* STRING, NUMBER */
    struct xlcfg_value **items; /* LIST */
    size_t n;
    struct xl_loc loc;
};

struct xlcfg_setting {
    char *key;
    struct xlcfg_value *value;
    struct xl_loc loc; /* of the key */
};

struct xlcfg {
    struct xlcfg_setting *settings;
    size_t n;
    char **files; /* the names the locations point to */
    size_t nfiles;
};

void xlcfg_init(struct xlcfg *cfg);
void xlcfg_free(struct xlcfg *cfg);
/*
 * Parses text (named file in messages) and adds its settings to cfg: a key
 * set again replaces the earlier value, `+=` extends it. 0 or -1 after
 * printing `file:line:col: error: ...` to diag.
 */
int xlcfg_parse(struct xlcfg *cfg, const char *file, const char *text, FILE *diag);
/* Reads and parses a whole file. */
int xlcfg_parse_file(struct xlcfg *cfg, const char *path, FILE *diag);
const struct xlcfg_setting *xlcfg_get(const struct xlcfg *cfg, const char *key);

/* ---- the domain ---- */
/*
 * Fills c from cfg: validates every known key, applies xl's defaults, warns
 * about unknown keys (naming the closest known one). 0 or -1.
 */
int xl_config_from_cfg(struct xl_domain_config *c, const struct xlcfg *cfg, FILE *diag);
/* The keys xl_config_from_cfg knows, NULL-terminated. */
const char *const *xl_cfg_known_keys(void);

/* Optimal-string-alignment distance (a swap of neighbours costs 1). */
int xl_edit_distance(const char *a, const char *b);
/* The closest of words to s, or NULL if none is close enough to suggest. */
const char *xl_closest(const char *s, const char *const *words);

/* xl(1) memory sizes: N[bBkKmMgGtT], default unit k (KiB). -1 if malformed. */
long long xl_parse_memkb(const char *s);

#endif
