# CUnit tests of hypervisor logic compiled for the host.
UNIT_HV_SRCS := xen/common/page_alloc.c xen/common/cmdline.c xen/common/elf.c
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Ixen/include -Ibuild/sysinc -Itests/unit -D__XEN_TOOLS__ -include stdio.h -include string.h

.PHONY: unit
build/unit/unit-tests: $(UNIT_SRCS) $(UNIT_HV_SRCS) $(wildcard tests/unit/*.h) | build/sysinc/xen
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(UNIT_CFLAGS) $(UNIT_SRCS) $(UNIT_HV_SRCS) -o $@ -lcunit

unit: build/unit/unit-tests
	$(Q)build/unit/unit-tests
