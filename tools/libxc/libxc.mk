# libxc (tools/libxc/xc.h): build/tools/lib/libxc.a for xenstored, xenconsoled
# and xl; programs that link it add $(LIBXC_LIBS) (the kernel loader's XZ and
# gzip decoders). The compat directory gives Linux's UAPI xen/privcmd.h the
# <xen/interface/xen.h> it includes; only libxc's own objects see it.
LIBXC := $(TOOLS_OUT)/lib/libxc.a
LIBXC_LIBS := -llzma -lz
LIBXC_SRCS := $(filter-out tools/libxc/xc_selftest.c,$(wildcard tools/libxc/xc_*.c))
LIBXC_OBJS := $(patsubst tools/libxc/%.c,$(TOOLS_OUT)/libxc/%.o,$(LIBXC_SRCS))

$(TOOLS_OUT)/libxc/%.o: tools/libxc/%.c $(wildcard tools/libxc/*.h)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) -Itools/libxc/compat -c $< -o $@

$(LIBXC): $(LIBXC_OBJS)
	@mkdir -p $(dir $@)
	$(call step,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# Static, so it runs in any Dom0 whatever libraries the image carries.
TOOLS_BINS += $(if $(wildcard tools/libxc/xc_selftest.c),$(TOOLS_OUT)/bin/xc-selftest)
$(TOOLS_OUT)/bin/xc-selftest: tools/libxc/xc_selftest.c $(LIBXC)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) -static $< -o $@ $(LIBXC) $(LIBXC_LIBS)

# The host-testable parts: error text, kernel loading, layout and page tables.
TOOL_UNIT_SRCS += $(wildcard tools/libxc/xc_error.c tools/libxc/xc_kernel.c tools/libxc/xc_pv_layout.c)
TOOL_UNIT_LIBS += -llzma -lz
