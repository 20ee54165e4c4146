# The bench kernels: tiny 64-bit PV kernels, bench/kernels/<name>.c, each
# timing one hypervisor operation (bench/run.sh boots them under QEMU's
# -icount and reads their `BENCH` line). They run on the test-kernel runtime
# of tests/guests/runtime/, compiled here into build/bench/runtime/ with the
# same flags as tests/guests/guests.mk: a copy of our own, so that a bench
# build never races a test build over the same objects.
#
# Standalone from the repository root:
#     make -f bench/bench.mk bench-kernels      (V=1 shows full commands)
# or included from another makefile (it leaves the default goal alone).

bench_mk := $(lastword $(MAKEFILE_LIST))
bench_saved_goal := $(.DEFAULT_GOAL)

BENCH_SRC := bench/kernels
BENCH_OUT := build/bench
BENCH_RUNTIME_SRC := tests/guests/runtime
BENCH_SYSINC := $(BENCH_OUT)/sysinc
BENCH_XEN_HEADERS ?= /usr/include/xen

BENCH_KERNELS := $(sort $(basename $(notdir $(wildcard $(BENCH_SRC)/*.c))))
BENCH_ELFS := $(addprefix $(BENCH_OUT)/,$(addsuffix .elf,$(BENCH_KERNELS)))

BENCH_RUNTIME := $(notdir $(wildcard $(BENCH_RUNTIME_SRC)/*.c $(BENCH_RUNTIME_SRC)/*.S))
BENCH_RUNTIME_OBJS := $(addprefix $(BENCH_OUT)/runtime/, \
                        $(addsuffix .o,$(basename $(BENCH_RUNTIME))))
BENCH_LDS := $(BENCH_RUNTIME_SRC)/link.lds

BENCH_CC ?= gcc
BENCH_LD ?= ld
BENCH_CPPFLAGS := -nostdinc -isystem $(shell $(BENCH_CC) -print-file-name=include) \
                  -I$(BENCH_SYSINC) -I$(BENCH_RUNTIME_SRC) -I$(BENCH_SRC) \
                  -D__XEN_TOOLS__
BENCH_CFLAGS := -std=gnu11 -ffreestanding -mno-red-zone -mno-sse -mno-mmx \
                -fno-pic -mcmodel=kernel -fno-stack-protector \
                -fno-asynchronous-unwind-tables -Wall -Werror -O2 -MMD -MP
BENCH_ASFLAGS := -D__ASSEMBLY__ -MMD -MP
BENCH_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
                 --build-id=none --no-warn-rwx-segments -T $(BENCH_LDS)

bench_show = $(if $(filter 1,$(V)),,@printf '  %-7s %s\n' '$(1)' '$(2)';)

.PHONY: bench-kernels bench-toolstack bench-devices bench-clean

bench-kernels: $(BENCH_ELFS)

# The Xen public headers, reached through a link of our own so that
# -nostdinc keeps glibc's headers out.
BENCH_SYSINC_STAMP := $(BENCH_OUT)/.sysinc
$(BENCH_SYSINC_STAMP):
	$(call bench_show,LN,$(BENCH_SYSINC)/xen) mkdir -p $(BENCH_SYSINC) && \
	    ln -sfn $(BENCH_XEN_HEADERS) $(BENCH_SYSINC)/xen && touch $@

$(BENCH_OUT)/runtime/%.o: $(BENCH_RUNTIME_SRC)/%.c | $(BENCH_SYSINC_STAMP)
	$(call bench_show,CC,$@) mkdir -p $(@D) && \
	    $(BENCH_CC) $(BENCH_CPPFLAGS) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_OUT)/runtime/%.o: $(BENCH_RUNTIME_SRC)/%.S | $(BENCH_SYSINC_STAMP)
	$(call bench_show,AS,$@) mkdir -p $(@D) && \
	    $(BENCH_CC) $(BENCH_CPPFLAGS) $(BENCH_ASFLAGS) -c $< -o $@

$(BENCH_OUT)/%.o: $(BENCH_SRC)/%.c | $(BENCH_SYSINC_STAMP)
	$(call bench_show,CC,$@) mkdir -p $(@D) && \
	    $(BENCH_CC) $(BENCH_CPPFLAGS) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_OUT)/%.elf: $(BENCH_OUT)/%.o $(BENCH_RUNTIME_OBJS) $(BENCH_LDS)
	$(call bench_show,LD,$@) $(BENCH_LD) $(BENCH_LDFLAGS) -o $@ $(filter %.o,$^)

.SECONDARY: $(BENCH_ELFS:.elf=.o) $(BENCH_RUNTIME_OBJS)

# The toolstack benchmark (bench/toolstack.sh): the console-only guest,
# linked with the runtime's notes and hypercall page but none of its C, and
# tsclock, the clock the in-Dom0 script times with (static: it runs in the
# Dom0 image whatever libraries that holds).
BENCH_TS_SRC := bench/toolstack
BENCH_TS_OUT := $(BENCH_OUT)/toolstack
BENCH_TS_GUEST := $(BENCH_TS_OUT)/console-guest.elf
BENCH_TS_CLOCK := $(BENCH_TS_OUT)/tsclock
BENCH_TS_TRACE := $(BENCH_TS_OUT)/xltrace.so

bench-toolstack: $(BENCH_TS_GUEST) $(BENCH_TS_CLOCK) $(BENCH_TS_TRACE)

$(BENCH_TS_OUT)/console_guest.o: $(BENCH_TS_SRC)/console_guest.c | $(BENCH_SYSINC_STAMP)
	$(call bench_show,CC,$@) mkdir -p $(@D) && \
	    $(BENCH_CC) $(BENCH_CPPFLAGS) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_TS_GUEST): $(BENCH_TS_OUT)/console_guest.o $(BENCH_OUT)/runtime/notes.o \
                   $(BENCH_OUT)/runtime/hypercall_page.o $(BENCH_LDS)
	$(call bench_show,LD,$@) $(BENCH_LD) $(BENCH_LDFLAGS) -o $@ $(filter %.o,$^)

$(BENCH_TS_CLOCK): $(BENCH_TS_SRC)/tsclock.c
	$(call bench_show,CC,$@) mkdir -p $(@D) && \
	    $(BENCH_CC) -std=gnu11 -O2 -Wall -Werror -static -o $@ $<

# xltrace.so: preloaded into xl by `bench/toolstack.sh --profile`.
$(BENCH_TS_TRACE): $(BENCH_TS_SRC)/xltrace.c
	$(call bench_show,CC,$@) mkdir -p $(@D) && \
	    $(BENCH_CC) -std=gnu11 -O2 -Wall -Werror -shared -fPIC -o $@ $< -ldl

# The device benchmark (bench/devices.sh): static libc-only tools for Dom0
# and the DomUs, and the archive appended to the default DomU's initrd
# (bench/devices/domu-init as /bench/init, the tools in /bench/).
BENCH_DEV_SRC := bench/devices
BENCH_DEV_OUT := $(BENCH_OUT)/devices
BENCH_DEV_TOOLS := $(addprefix $(BENCH_DEV_OUT)/,tcpsend tcprecv iops)
BENCH_DEV_DOM0 := $(BENCH_DEV_OUT)/waitline
BENCH_DEV_CPIO := $(BENCH_DEV_OUT)/domu-bench.cpio.gz

bench-devices: $(BENCH_DEV_TOOLS) $(BENCH_DEV_DOM0) $(BENCH_DEV_CPIO)

$(BENCH_DEV_OUT)/%: $(BENCH_DEV_SRC)/%.c $(BENCH_DEV_SRC)/clock.h
	$(call bench_show,CC,$@) mkdir -p $(@D) && \
	    $(BENCH_CC) -std=gnu11 -O2 -Wall -Werror -static -o $@ $<

$(BENCH_DEV_CPIO): $(BENCH_DEV_TOOLS) $(BENCH_DEV_SRC)/domu-init
	$(call bench_show,CPIO,$@) rm -rf $(BENCH_DEV_OUT)/root && \
	    mkdir -p $(BENCH_DEV_OUT)/root/bench && \
	    install -m 0755 $(BENCH_DEV_SRC)/domu-init $(BENCH_DEV_OUT)/root/bench/init && \
	    install -m 0755 $(BENCH_DEV_TOOLS) $(BENCH_DEV_OUT)/root/bench/ && \
	    (cd $(BENCH_DEV_OUT)/root && find . -mindepth 1 | LC_ALL=C sort | \
	     cpio -o -H newc --owner=0:0 --quiet) | gzip -9 >$@.tmp && mv $@.tmp $@

bench-clean:
	$(call bench_show,CLEAN,$(BENCH_OUT)) rm -rf $(BENCH_OUT)

ifneq ($(firstword $(MAKEFILE_LIST)),$(bench_mk))
.DEFAULT_GOAL := $(bench_saved_goal)
endif

-include $(wildcard $(BENCH_OUT)/*.d $(BENCH_OUT)/runtime/*.d $(BENCH_OUT)/toolstack/*.d)
