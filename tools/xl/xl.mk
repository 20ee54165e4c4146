# xl, the Xenolith command line (docs/xl.md). Everything but the entry point
# (xl.c) is also linked into build/unit/tool-tests.
XL_LIB_SRCS := $(filter-out tools/xl/xl.c,$(wildcard tools/xl/xl_*.c tools/xl/dom_*.c))
XL_CFLAGS := -I/usr/include/libxml2
# libxml2 is not linked: xl_xml.c dlopens it when an XML file or conversion needs it
# (scripts/dom0-image.sh installs it with its libraries).
XL_LIBS := -lyajl -luuid

TOOLS_BINS += $(TOOLS_OUT)/bin/xl
TOOL_UNIT_SRCS += $(XL_LIB_SRCS)
TOOL_UNIT_LIBS += $(XL_LIBS)
# tools.mk sets TOOL_UNIT_CFLAGS after including the fragments: append per target.
build/unit/tool-tests: TOOL_UNIT_CFLAGS += $(XL_CFLAGS)

# xl reaches the hypervisor only through libxc, and xenstore through its client library.
XL_XEN_LIBS := $(LIBXENSTORE) $(LIBXC)
TOOL_UNIT_LIBS += $(XL_XEN_LIBS) $(LIBXC_LIBS)
build/unit/tool-tests: $(XL_XEN_LIBS)

$(TOOLS_OUT)/bin/xl: tools/xl/xl.c $(XL_LIB_SRCS) $(CONSOLE_CLIENT_SRCS) $(wildcard tools/xl/*.h) \
		$(XL_XEN_LIBS)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $(XL_CFLAGS) tools/xl/xl.c $(XL_LIB_SRCS) $(CONSOLE_CLIENT_SRCS) \
		-o $@ $(XL_XEN_LIBS) $(XL_LIBS) $(LIBXC_LIBS)

.PHONY: xl-golden
xl-golden: $(TOOLS_OUT)/bin/xl
	$(Q)tests/integration/xl-golden.sh

# libFuzzer target over everything xl reads (tests/xl/fuzz/xl_config_fuzz.c):
#   make xl-fuzz && build/fuzz/xl-config-fuzz -max_total_time=60 NEWDIR tests/xl/golden
# (libFuzzer adds what it finds to the first directory: never the golden one).
# The configuration half only: no command, no libxc, no xenstore.
XL_FUZZ_SRCS := $(addprefix tools/xl/,xl_cfg_domain.c xl_cfg_lex.c xl_cfg_parse.c \
	xl_cfg_write.c xl_check.c xl_config_load.c xl_diag.c xl_disk.c xl_json.c xl_suggest.c \
	xl_types.c xl_units.c xl_vif.c xl_xml.c)
.PHONY: xl-fuzz
xl-fuzz: build/fuzz/xl-config-fuzz
build/fuzz/xl-config-fuzz: tests/xl/fuzz/xl_config_fuzz.c $(XL_FUZZ_SRCS) $(wildcard tools/xl/*.h)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Itools/xl $(XL_CFLAGS) \
		tests/xl/fuzz/xl_config_fuzz.c $(XL_FUZZ_SRCS) -o $@ $(XL_LIBS)
