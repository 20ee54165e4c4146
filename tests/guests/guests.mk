# Tiny 64-bit PV test kernels: one per feature, tests/guests/<name>.c, each
# linked with the runtime in tests/guests/runtime/ into
# build/guests/<name>.elf.
#
# Included from the top-level Makefile, or standalone from the repository
# root:  make -f tests/guests/guests.mk guests   (V=1 shows full commands)
#
# The Xen ABI comes from the system's public headers (libxen-dev), reached
# through build/sysinc/xen -> /usr/include/xen so that -nostdinc keeps glibc
# out of the include path.

# Included before the top-level Makefile's own first target, our `guests`
# must not become its default goal.
guests_mk := $(lastword $(MAKEFILE_LIST))
guests_saved_goal := $(.DEFAULT_GOAL)

GUESTS_SRC := tests/guests
GUESTS_OUT := build/guests
GUESTS_SYSINC := build/sysinc
GUESTS_XEN_HEADERS ?= /usr/include/xen

GUESTS := $(sort $(basename $(notdir $(wildcard $(GUESTS_SRC)/*.c))))

GUESTS_RUNTIME := $(notdir $(wildcard $(GUESTS_SRC)/runtime/*.c $(GUESTS_SRC)/runtime/*.S))
GUESTS_RUNTIME_OBJS := $(addprefix $(GUESTS_OUT)/runtime/, \
                         $(addsuffix .o,$(basename $(GUESTS_RUNTIME))))
GUESTS_ELFS := $(addprefix $(GUESTS_OUT)/,$(addsuffix .elf,$(GUESTS)))
GUESTS_LDS := $(GUESTS_SRC)/runtime/link.lds

GUESTS_CC ?= gcc
GUESTS_LD ?= ld
GUESTS_CPPFLAGS := -nostdinc -isystem $(shell $(GUESTS_CC) -print-file-name=include) \
                   -I$(GUESTS_SYSINC) -I$(GUESTS_SRC)/runtime -D__XEN_TOOLS__
GUESTS_CFLAGS := -std=gnu11 -ffreestanding -mno-red-zone -mno-sse -mno-mmx \
                 -fno-pic -mcmodel=kernel -fno-stack-protector \
                 -fno-asynchronous-unwind-tables -Wall -Werror -O2 -MMD -MP
GUESTS_ASFLAGS := -D__ASSEMBLY__ -MMD -MP
GUESTS_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
                  --build-id=none --no-warn-rwx-segments -T $(GUESTS_LDS)

# One short line per step; V=1 prints the commands instead.
guests_show = $(if $(filter 1,$(V)),,@printf '  %-7s %s\n' '$(1)' '$(2)';)

.PHONY: guests guests-clean

guests: $(GUESTS_ELFS)

# The hypervisor's makefile may own a rule for build/sysinc/xen too, so ours
# is a stamp of our own that makes the link only if it is missing.
GUESTS_SYSINC_STAMP := $(GUESTS_OUT)/.sysinc
$(GUESTS_SYSINC_STAMP):
	$(call guests_show,LN,$(GUESTS_SYSINC)/xen) mkdir -p $(GUESTS_SYSINC) $(@D) && \
	    { [ -e $(GUESTS_SYSINC)/xen ] || ln -sfn $(GUESTS_XEN_HEADERS) $(GUESTS_SYSINC)/xen; } && \
	    touch $@

# The child PV kernel the toolstack tests build as a DomU: a flat image
# (child/child.lds) that runtime/child_image.S embeds.
GUESTS_CHILD_BIN := $(GUESTS_OUT)/child/domu_child.bin

$(GUESTS_OUT)/child/domu_child.o: $(GUESTS_SRC)/child/domu_child.c | $(GUESTS_SYSINC_STAMP)
	$(call guests_show,CC,$@) mkdir -p $(@D) && \
	    $(GUESTS_CC) $(GUESTS_CPPFLAGS) $(GUESTS_CFLAGS) -c $< -o $@

$(GUESTS_CHILD_BIN): $(GUESTS_OUT)/child/domu_child.o $(GUESTS_SRC)/child/child.lds
	$(call guests_show,LD,$@) $(GUESTS_LD) -nostdlib -static -z noexecstack --build-id=none \
	    -T $(GUESTS_SRC)/child/child.lds -o $(@:.bin=.elf) $< && \
	    objcopy -O binary $(@:.bin=.elf) $@ && \
	    test $$(stat -c %s $@) -le 4096

$(GUESTS_OUT)/runtime/child_image.o: $(GUESTS_CHILD_BIN)
$(GUESTS_OUT)/runtime/child_image.o: GUESTS_ASFLAGS += -DCHILD_BIN='"$(GUESTS_CHILD_BIN)"'

$(GUESTS_OUT)/runtime/%.o: $(GUESTS_SRC)/runtime/%.c | $(GUESTS_SYSINC_STAMP)
	$(call guests_show,CC,$@) mkdir -p $(@D) && \
	    $(GUESTS_CC) $(GUESTS_CPPFLAGS) $(GUESTS_CFLAGS) -c $< -o $@

$(GUESTS_OUT)/runtime/%.o: $(GUESTS_SRC)/runtime/%.S | $(GUESTS_SYSINC_STAMP)
	$(call guests_show,AS,$@) mkdir -p $(@D) && \
	    $(GUESTS_CC) $(GUESTS_CPPFLAGS) $(GUESTS_ASFLAGS) -c $< -o $@

$(GUESTS_OUT)/%.o: $(GUESTS_SRC)/%.c | $(GUESTS_SYSINC_STAMP)
	$(call guests_show,CC,$@) mkdir -p $(@D) && \
	    $(GUESTS_CC) $(GUESTS_CPPFLAGS) $(GUESTS_CFLAGS) -c $< -o $@

$(GUESTS_OUT)/%.elf: $(GUESTS_OUT)/%.o $(GUESTS_RUNTIME_OBJS) $(GUESTS_LDS)
	$(call guests_show,LD,$@) $(GUESTS_LD) $(GUESTS_LDFLAGS) -o $@ $(filter %.o,$^)

# Keep the per-test objects for incremental rebuilds.
.SECONDARY: $(GUESTS_ELFS:.elf=.o) $(GUESTS_RUNTIME_OBJS) $(GUESTS_OUT)/child/domu_child.o

guests-clean:
	$(call guests_show,CLEAN,$(GUESTS_OUT)) rm -rf $(GUESTS_OUT)

ifneq ($(firstword $(MAKEFILE_LIST)),$(guests_mk))
.DEFAULT_GOAL := $(guests_saved_goal)
endif

-include $(wildcard $(GUESTS_OUT)/*.d $(GUESTS_OUT)/runtime/*.d)
