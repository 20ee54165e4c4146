/*
 * The xl.cfg grammar (xl.cfg(5), "Syntax"; libxlu_cfg_y.y):
 *
 *   file    := { [ setting ] ( '\n' | ';' ) } [ setting ] EOF
 *   setting := KEY ( '=' | '+=' ) value
 *   value   := STRING | NUMBER | '[' [ value { ',' value } [ ',' ] ] ']'
 *
 * Newlines are free inside brackets. The last assignment of a key wins;
 * `+=` appends to the earlier string or list (a number cannot grow).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xl_cfg.h"

struct parser {
    struct xlcfg_lexer lx;
    struct xlcfg_token tok;
    FILE *diag;
};

static void value_free(struct xlcfg_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        value_free(v->items[i]);
    free(v->items);
    free(v->text);
    free(v);
}

void xlcfg_init(struct xlcfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
}

void xlcfg_free(struct xlcfg *cfg)
{
    for (size_t i = 0; i < cfg->n; i++) {
        free(cfg->settings[i].key);
        value_free(cfg->settings[i].value);
    }
    free(cfg->settings);
    for (size_t i = 0; i < cfg->nfiles; i++)
        free(cfg->files[i]);
    free(cfg->files);
    xlcfg_init(cfg);
}

static int next(struct parser *ps)
{
    free(ps->tok.text);
    ps->tok.text = NULL;
    return xlcfg_lex_next(&ps->lx, &ps->tok, ps->diag);
}

static void unexpected(struct parser *ps, const char *wanted)
{
    const struct xlcfg_token *t = &ps->tok;

    if (t->type == TK_STRING)
        xl_error(ps->diag, &t->loc, "expected %s, found string \"%s\"", wanted, t->text);
    else if (t->type == TK_IDENT || t->type == TK_NUMBER)
        xl_error(ps->diag, &t->loc, "expected %s, found '%s'", wanted, t->text);
    else
        xl_error(ps->diag, &t->loc, "expected %s, found %s", wanted, xlcfg_tok_name(t->type));
}

static int skip_newlines(struct parser *ps)
{
    while (ps->tok.type == TK_NEWLINE)
        if (next(ps) < 0)
            return -1;
    return 0;
}

static int list_append(struct xlcfg_value *list, struct xlcfg_value *item)
{
    struct xlcfg_value **items = realloc(list->items, (list->n + 1) * sizeof(*items));

    if (!items)
        return -1;
    list->items = items;
    items[list->n++] = item;
    return 0;
}

/* On entry tok is the value's first token; on success tok is the one after. */
static struct xlcfg_value *parse_value(struct parser *ps)
{
    struct xlcfg_value *v = calloc(1, sizeof(*v)), *item = NULL;

    if (!v)
        goto fail;
    v->loc = ps->tok.loc;
    switch (ps->tok.type) {
    case TK_STRING:
    case TK_NUMBER:
        v->kind = ps->tok.type == TK_STRING ? XLCFG_STRING : XLCFG_NUMBER;
        v->text = ps->tok.text;
        ps->tok.text = NULL;
        if (next(ps) < 0)
            goto fail;
        return v;
    case TK_LBRACK:
        v->kind = XLCFG_LIST;
        if (next(ps) < 0 || skip_newlines(ps) < 0)
            goto fail;
        while (ps->tok.type != TK_RBRACK) {
            if (ps->tok.type == TK_EOF) {
                xl_error(ps->diag, &v->loc, "unterminated list: '[' has no ']'");
                goto fail;
            }
            if (!(item = parse_value(ps)) || list_append(v, item) < 0)
                goto fail;
            item = NULL;
            if (skip_newlines(ps) < 0)
                goto fail;
            if (ps->tok.type == TK_COMMA) {
                if (next(ps) < 0 || skip_newlines(ps) < 0)
                    goto fail;
            } else if (ps->tok.type != TK_RBRACK) {
                if (ps->tok.type == TK_EOF)
                    xl_error(ps->diag, &v->loc, "unterminated list: '[' has no ']'");
                else
                    unexpected(ps, "',' or ']'");
                goto fail;
            }
        }
        if (next(ps) < 0)
            goto fail;
        return v;
    case TK_ERROR:
        goto fail;
    case TK_IDENT:
        xl_error(ps->diag, &ps->tok.loc,
                 "expected a value (string, number or list), found '%s' (strings are quoted: "
                 "\"%s\")",
                 ps->tok.text, ps->tok.text);
        goto fail;
    default:
        unexpected(ps, "a value (string, number or list)");
        goto fail;
    }
fail:
    value_free(item);
    value_free(v);
    return NULL;
}

static struct xlcfg_setting *find_last(struct xlcfg *cfg, const char *key)
{
    for (size_t i = cfg->n; i-- > 0;)
        if (!strcmp(cfg->settings[i].key, key))
            return &cfg->settings[i];
    return NULL;
}

/* key += value: strings concatenate, lists append (libxlu's "+=" rule). */
static int extend(struct parser *ps, struct xlcfg_setting *old, struct xlcfg_value *v,
                  const struct xl_loc *op)
{
    struct xlcfg_value *o = old->value;

    if (o->kind != v->kind || o->kind == XLCFG_NUMBER) {
        xl_error(ps->diag, op, "'+=' cannot extend %s '%s' (set at line %d) with %s",
                 o->kind == XLCFG_NUMBER ? "the number" : o->kind == XLCFG_LIST ? "the list" : "the string",
                 old->key, old->loc.line,
                 v->kind == XLCFG_NUMBER ? "a number" : v->kind == XLCFG_LIST ? "a list" : "a string");
        return -1;
    }
    if (o->kind == XLCFG_STRING) {
        size_t a = strlen(o->text);
        char *s = realloc(o->text, a + strlen(v->text) + 1);

        if (!s)
            return -1;
        strcpy(s + a, v->text);
        o->text = s;
        value_free(v);
        return 0;
    }
    for (size_t i = 0; i < v->n; i++) {
        if (list_append(o, v->items[i]) < 0)
            return -1;
        v->items[i] = NULL;
    }
    v->n = 0;
    value_free(v);
    return 0;
}

static int add_setting(struct xlcfg *cfg, char *key, struct xlcfg_value *v, struct xl_loc loc)
{
    struct xlcfg_setting *s = realloc(cfg->settings, (cfg->n + 1) * sizeof(*s));

    if (!s)
        return -1;
    cfg->settings = s;
    s[cfg->n++] = (struct xlcfg_setting){key, v, loc};
    return 0;
}

static int parse_setting(struct parser *ps, struct xlcfg *cfg)
{
    struct xl_loc kloc = ps->tok.loc, oploc;
    char *key = ps->tok.text;
    struct xlcfg_value *v = NULL;
    struct xlcfg_setting *old;
    int plus, rc = -1;

    ps->tok.text = NULL;
    if (next(ps) < 0)
        goto out;
    if (ps->tok.type != TK_EQ && ps->tok.type != TK_PLUSEQ) {
        unexpected(ps, "'=' or '+=' after the key");
        goto out;
    }
    plus = ps->tok.type == TK_PLUSEQ;
    oploc = ps->tok.loc;
    if (next(ps) < 0 || !(v = parse_value(ps)))
        goto out;
    old = plus ? find_last(cfg, key) : NULL;
    if (old) {
        if (extend(ps, old, v, &oploc) < 0)
            goto out;
        v = NULL;
        rc = 0;
        goto out;
    }
    if (add_setting(cfg, key, v, kloc) < 0)
        goto out;
    key = NULL;
    v = NULL;
    rc = 0;
out:
    free(key);
    value_free(v);
    return rc;
}

int xlcfg_parse(struct xlcfg *cfg, const char *file, const char *text, FILE *diag)
{
    struct parser ps = {.diag = diag};
    char **files = realloc(cfg->files, (cfg->nfiles + 1) * sizeof(*files));
    char *name = NULL;
    int rc = -1;

    if (!files)
        goto out;
    cfg->files = files;
    if (file && !(name = strdup(file)))
        goto out;
    files[cfg->nfiles++] = name;
    xlcfg_lex_init(&ps.lx, name, text);
    if (next(&ps) < 0)
        goto out;
    while (ps.tok.type != TK_EOF) {
        if (ps.tok.type == TK_NEWLINE || ps.tok.type == TK_SEMI) {
            if (next(&ps) < 0)
                goto out;
            continue;
        }
        if (ps.tok.type != TK_IDENT) {
            unexpected(&ps, "a key");
            goto out;
        }
        if (parse_setting(&ps, cfg) < 0)
            goto out;
        if (ps.tok.type != TK_NEWLINE && ps.tok.type != TK_SEMI && ps.tok.type != TK_EOF) {
            unexpected(&ps, "end of line or ';' after the value");
            goto out;
        }
    }
    rc = 0;
out:
    free(ps.tok.text);
    return rc;
}

int xlcfg_parse_file(struct xlcfg *cfg, const char *path, FILE *diag)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    int rc = -1;
    char buf[4096];
    size_t n;

    if (!f) {
        fprintf(diag, "%s: error: cannot open: %s\n", path, strerror(errno));
        goto out;
    }
    if (!(mem = open_memstream(&text, &len)))
        goto out;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, mem);
    if (ferror(f)) {
        fprintf(diag, "%s: error: cannot read: %s\n", path, strerror(errno));
        goto out;
    }
    fclose(mem);
    mem = NULL;
    if (strlen(text) != len) {
        fprintf(diag, "%s: error: contains a NUL byte: not a configuration file\n", path);
        goto out;
    }
    rc = xlcfg_parse(cfg, path, text, diag);
out:
    if (mem)
        fclose(mem);
    if (f)
        fclose(f);
    free(text);
    return rc;
}

const struct xlcfg_setting *xlcfg_get(const struct xlcfg *cfg, const char *key)
{
    return find_last((struct xlcfg *)cfg, key);
}
