# xenstored, the client library and the xenstore-* tools (docs/xenstore.md).
XS_DIR := tools/xenstore
XS_BIN := $(TOOLS_OUT)/bin
# The daemon's core: no libxc, so the tests link it as it is.
XS_CORE_SRCS := $(addprefix $(XS_DIR)/,xenstored_log.c xenstored_perms.c xenstored_tree.c \
	xenstored_transaction.c xenstored_watch.c xenstored_conn.c xenstored_ops.c \
	xenstored_domains.c xenstored_ring.c)
XS_CLIENT_SRCS := $(XS_DIR)/xs_client.c
XS_HDRS := $(wildcard $(XS_DIR)/*.h)
XS_TOOLS := xenstore-read xenstore-write xenstore-ls xenstore-rm xenstore-watch \
	xenstore-exists xenstore-list xenstore-chmod

# The domain rings need libxc; until build/tools/lib/libxc.a exists (LIBXC
# set by tools/libxc/libxc.mk) xenstored links the socket-only stub;
# XS_NO_LIBXC=1 forces it.
ifneq ($(LIBXC)$(XS_NO_LIBXC),$(LIBXC))
XS_DOMAIN_SRCS := $(XS_DIR)/xenstored_noxc.c
XS_DOMAIN_LIBS :=
else ifneq ($(LIBXC),)
XS_DOMAIN_SRCS := $(XS_DIR)/xenstored_domain.c
XS_DOMAIN_LIBS := $(LIBXC)
else
XS_DOMAIN_SRCS := $(XS_DIR)/xenstored_noxc.c
XS_DOMAIN_LIBS :=
endif

$(XS_BIN)/xenstored: $(XS_CORE_SRCS) $(XS_DIR)/xenstored_main.c $(XS_DOMAIN_SRCS) $(XS_HDRS) \
		$(XS_DOMAIN_LIBS)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $(XS_CORE_SRCS) $(XS_DIR)/xenstored_main.c $(XS_DOMAIN_SRCS) \
		$(XS_DOMAIN_LIBS) $(if $(XS_DOMAIN_LIBS),$(LIBXC_LIBS)) -o $@

# The client library, for xl, xenconsoled and xen-init-dom0.
LIBXENSTORE := $(TOOLS_OUT)/lib/libxenstore.a
$(TOOLS_OUT)/xenstore/xs_client.o: $(XS_CLIENT_SRCS) $(XS_HDRS)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) -c $(XS_CLIENT_SRCS) -o $@
$(LIBXENSTORE): $(TOOLS_OUT)/xenstore/xs_client.o
	@mkdir -p $(dir $@)
	$(call step,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(XS_BIN)/xenstore: $(XS_DIR)/xenstore_cli.c $(LIBXENSTORE) $(XS_HDRS)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $(XS_DIR)/xenstore_cli.c $(LIBXENSTORE) -o $@

# One program dispatching on its name (as Xen's xenstore-* tools).
$(addprefix $(XS_BIN)/,$(XS_TOOLS)): $(XS_BIN)/xenstore
	$(Q)ln -sf xenstore $@

TOOLS_BINS += $(XS_BIN)/xenstored $(XS_BIN)/xenstore $(addprefix $(XS_BIN)/,$(XS_TOOLS))
TOOL_UNIT_SRCS += $(XS_CORE_SRCS) $(XS_CLIENT_SRCS)
# The end-to-end test runs the real daemon.
build/unit/tool-tests: $(XS_BIN)/xenstored $(XS_BIN)/xenstore

# Dom0's own entries (name, domid), written by the Dom0 init after xenstored starts.
$(XS_BIN)/xen-init-dom0: $(XS_DIR)/xen-init-dom0.c $(LIBXENSTORE) $(XS_HDRS)
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(TOOLS_CFLAGS) $< $(LIBXENSTORE) -o $@
TOOLS_BINS += $(XS_BIN)/xen-init-dom0
