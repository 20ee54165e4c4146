# xl, the Xenolith command line (docs/xl.md). Everything but the entry point
# (xl.c) is also linked into build/unit/tool-tests.
XL_LIB_SRCS := $(filter-out tools/xl/xl.c,$(wildcard tools/xl/xl_*.c))
XL_CFLAGS := -I/usr/include/libxml2
XL_LIBS := -lyajl -lxml2 -luuid

TOOLS_BINS += $(TOOLS_OUT)/bin/xl
TOOL_UNIT_SRCS += $(XL_LIB_SRCS)
TOOL_UNIT_LIBS += $(XL_LIBS)
# tools.mk sets TOOL_UNIT_CFLAGS after including the fragments: append per target.
build/unit/tool-tests: TOOL_UNIT_CFLAGS += $(XL_CFLAGS)

$(TOOLS_OUT)/bin/xl: tools/xl/xl.c $(XL_LIB_SRCS) $(wildcard tools/xl/*.h)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $(XL_CFLAGS) tools/xl/xl.c $(XL_LIB_SRCS) -o $@ $(XL_LIBS)

.PHONY: xl-golden
xl-golden: $(TOOLS_OUT)/bin/xl
	$(Q)tests/integration/xl-golden.sh
