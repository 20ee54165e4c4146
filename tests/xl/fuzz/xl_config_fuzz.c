/*
 * libFuzzer target for everything xl reads (design.md, "Robustness"): the
 * input is an xl.cfg file, a libvirt XML file or libxl JSON, told apart as
 * xl_load_config does. Besides crashes and leaks (ASan/UBSan), it checks
 * the converters' promise: an accepted configuration written as JSON, XML
 * and xl.cfg reads back, and the xl.cfg form gives back the same JSON.
 *
 *   make xl-fuzz && build/fuzz/xl-config-fuzz -max_total_time=60 tests/xl/golden
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"
#include "xl_cfg.h"
#include "xl_cfg_write.h"
#include "xl_json.h"
#include "xl_xml.h"

static FILE *devnull;

static const char *input;

static void must(int ok, const char *what, const char *text)
{
    if (!ok) {
        fprintf(stderr, "xl-config-fuzz: %s\n--- input ---\n%s\n--- written ---\n%s\n", what,
                input, text);
        abort();
    }
}

/* Every form an accepted configuration is written in reads back. */
static void round_trips(const struct xl_domain_config *c)
{
    struct xl_domain_config b;
    struct xlcfg cfg;
    char *json = xl_json_domain(c, -1), *xml = xl_xml_domain(c), *text = xl_cfg_format(c), *again;

    must(json && xml && text, "a writer failed", "");
    must(xl_json_parse_domain(&b, json, devnull) == 0, "JSON does not read back", json);
    xl_config_dispose(&b);
    must(xl_xml_parse_domain(&b, xml, "x", devnull) == 0, "XML does not read back", xml);
    xl_config_dispose(&b);
    xlcfg_init(&cfg);
    must(xlcfg_parse(&cfg, "t", text, devnull) == 0 && xl_config_from_cfg(&b, &cfg, devnull) == 0,
         "xl.cfg does not read back", text);
    again = xl_json_domain(&b, -1);
    /* xl.cfg counts memory in MiB: KiB amounts from JSON or XML round up */
    must(again && (!strcmp(json, again) || c->b_info.max_memkb % 1024 ||
                   c->b_info.target_memkb % 1024),
         "xl.cfg does not give back the same JSON", text);
    free(again);
    xl_config_dispose(&b);
    xlcfg_free(&cfg);
    free(json);
    free(xml);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct xl_domain_config c;

    if (!devnull)
        devnull = fopen("/dev/null", "w");
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    input = text;
    /* exactly what `xl create FILE` reads */
    if (xl_load_config_text(&c, "f", text, NULL, 0, devnull) == 0) {
        round_trips(&c);
        xl_config_dispose(&c);
    }
    free(text);
    return 0;
}
