# The hypervisor: freestanding C and assembly -> xen/xen-syms (ELF64, linked
# at XEN_VIRT_START) -> xen/xen (ELF32 multiboot image for QEMU -kernel and
# GRUB) -> xen/xen.gz (what GRUB's multiboot2 loads, like Xen's xen.gz).

XEN_LOAD_PADDR := 0x200000
GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

XEN_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -nostdinc -isystem $(GCC_INCLUDE) -Ibuild/sysinc -Ixen/include \
	-D__XEN_TOOLS__ -include xen/include/xenolith/prelude.h \
	-fpie -fvisibility=hidden -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-builtin-printf -fno-tree-loop-distribute-patterns -MMD -MP
XEN_AFLAGS := -D__ASSEMBLY__ -nostdinc -Ixen/include -MMD -MP

XEN_C_SRCS := $(shell find xen -name '*.c' | sort)
XEN_S_SRCS := $(shell find xen -name '*.S' ! -name '*.lds.S' | sort)
XEN_OBJS := $(patsubst xen/%.c,build/xen/%.o,$(XEN_C_SRCS)) \
	$(patsubst xen/%.S,build/xen/%.o,$(XEN_S_SRCS))
XEN_CHANGESET := $(shell git rev-parse --short HEAD 2>/dev/null || echo unavailable)

build/sysinc/xen:
	$(Q)mkdir -p build/sysinc
	$(Q)ln -sfn /usr/include/xen build/sysinc/xen

build/xen/%.o: xen/%.c | build/sysinc/xen
	@mkdir -p $(dir $@)
	$(call step,CC,$<)
	$(Q)$(CC) $(XEN_CFLAGS) -c $< -o $@

build/xen/common/kernel.o: XEN_CFLAGS += -DXENOLITH_CHANGESET='"git:$(XEN_CHANGESET)"'

build/xen/%.o: xen/%.S
	@mkdir -p $(dir $@)
	$(call step,AS,$<)
	$(Q)$(CC) $(XEN_AFLAGS) -c $< -o $@

build/xen/xen.lds: xen/arch/x86/xen.lds.S xen/include/asm/config.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) -E -P -x c -Ixen/include -D__ASSEMBLY__ $< -o $@

xen/xen-syms: $(XEN_OBJS) build/xen/xen.lds
	$(call step,LD,$@)
	$(Q)$(LD) -nostdlib -z noexecstack --build-id=sha1 --no-warn-rwx-segments -T build/xen/xen.lds -o $@ $(XEN_OBJS)

xen/xen: xen/xen-syms xen/arch/x86/boot/elf32.lds
	$(call step,MKELF32,$@)
	$(Q)$(OBJCOPY) -O binary $< build/xen/xen.bin
	$(Q)$(OBJCOPY) -I binary -O elf32-i386 -B i386 \
		--rename-section .data=.image,alloc,load,contents,code build/xen/xen.bin build/xen/xen-bin.o
	$(Q)end=0x$$($(NM) $< | awk '$$3 == "_end" { print $$1 }'); \
	bss=$$(( end - 0xffff82d040000000 - $$(stat -c %s build/xen/xen.bin) )); \
	$(LD) -m elf_i386 -z max-page-size=0x1000 --no-warn-rwx-segments -T xen/arch/x86/boot/elf32.lds --defsym LOAD_PADDR=$(XEN_LOAD_PADDR) \
		--defsym BSS_SIZE=$$bss -o $@ build/xen/xen-bin.o

xen/xen.gz: xen/xen
	$(call step,GZIP,$@)
	$(Q)gzip -9n -c $< > $@

-include $(XEN_OBJS:.o=.d)
