# The Dom0 toolstack (design.md, "Layout"): each part brings its own
# fragment, which adds its programs to TOOLS_BINS (built into build/tools/bin,
# installed into the Dom0 image by scripts/dom0-image.sh), its libraries
# (build/tools/lib/*.a) and its CUnit sources to TOOL_UNIT_SRCS (linked into
# build/unit/tool-tests together with tests/unit/tools/*.c).
TOOLS_OUT := build/tools
TOOLS_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-D_GNU_SOURCE -D__XEN_TOOLS__ -Itools/libxc -Itools/xenstore -Itools/console -Itools/xl
TOOLS_BINS :=
TOOL_UNIT_SRCS :=
TOOL_UNIT_LIBS :=

-include tools/libxc/libxc.mk
-include tools/xenstore/xenstore.mk
-include tools/console/console.mk
-include tools/xl/xl.mk

.PHONY: tools
tools: $(TOOLS_BINS)

# CUnit tests of the tools, with the sanitizers on; each test file registers
# its suites with TOOL_TEST_SUITE (tests/unit/tools/tool_harness.h).
TOOL_UNIT_CFLAGS := $(filter-out -O2,$(TOOLS_CFLAGS)) -O1 \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Itests/unit/tools
build/unit/tool-tests: $(wildcard tests/unit/tools/*.c tests/unit/tools/*.h) $(TOOL_UNIT_SRCS) \
		$(foreach d,libxc xenstore console xl,$(wildcard tools/$(d)/*.h))
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOL_UNIT_CFLAGS) $(wildcard tests/unit/tools/*.c) $(TOOL_UNIT_SRCS) \
		-o $@ -lcunit $(TOOL_UNIT_LIBS)
