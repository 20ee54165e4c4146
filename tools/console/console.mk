# xenconsoled and the console client (xenconsole; `xl console` links
# console_client.c). They need libxc and the xenstore client library, whose
# fragments are included before this one.
CONSOLE_LIB_SRCS := tools/console/cons_ring.c tools/console/cons_domain.c
CONSOLE_CLIENT_SRCS := tools/console/console_client.c tools/console/console_escape.c
CONSOLE_HDRS := $(wildcard tools/console/*.h tools/libxc/xc.h tools/xenstore/xs_client.h)

TOOL_UNIT_SRCS += tools/console/cons_ring.c tools/console/console_escape.c tools/console/console_client.c

ifdef LIBXC
ifdef LIBXENSTORE
TOOLS_BINS += $(TOOLS_OUT)/bin/xenconsoled $(TOOLS_OUT)/bin/xenconsole

$(TOOLS_OUT)/bin/xenconsoled: tools/console/xenconsoled.c $(CONSOLE_LIB_SRCS) $(CONSOLE_HDRS) \
		$(LIBXC) $(LIBXENSTORE)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) tools/console/xenconsoled.c $(CONSOLE_LIB_SRCS) -o $@ \
		$(LIBXENSTORE) $(LIBXC) $(LIBXC_LIBS)

$(TOOLS_OUT)/bin/xenconsole: tools/console/xenconsole.c $(CONSOLE_CLIENT_SRCS) $(CONSOLE_HDRS) \
		$(LIBXC) $(LIBXENSTORE)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) tools/console/xenconsole.c $(CONSOLE_CLIENT_SRCS) -o $@ \
		$(LIBXENSTORE) $(LIBXC) $(LIBXC_LIBS)
endif
endif
