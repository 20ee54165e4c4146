# xl, the Xenolith command line (docs/xl.md). Everything but the entry point
# (xl.c) is also linked into build/unit/tool-tests.
XL_LIB_SRCS := $(filter-out tools/xl/xl.c,$(wildcard tools/xl/xl_*.c tools/xl/dom_*.c))
XL_CFLAGS := -I/usr/include/libxml2
XL_LIBS := -lyajl -lxml2 -luuid

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
XL_FUZZ_SRCS := $(filter-out tools/xl/xl_dispatch.c tools/xl/xl_cmdtable.c tools/xl/xl_help.c \
	tools/xl/xl_vmcontrol.c tools/xl/xl_info.c tools/xl/xl_mem.c tools/xl/xl_console.c \
	tools/xl/xl_devices.c,$(XL_LIB_SRCS))
.PHONY: xl-fuzz
xl-fuzz: build/fuzz/xl-config-fuzz
build/fuzz/xl-config-fuzz: tests/xl/fuzz/xl_config_fuzz.c $(XL_FUZZ_SRCS) $(wildcard tools/xl/*.h)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Itools/xl $(XL_CFLAGS) \
		tests/xl/fuzz/xl_config_fuzz.c $(XL_FUZZ_SRCS) -o $@ $(XL_LIBS)
