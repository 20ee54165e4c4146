# Xenolith: `make` builds the hypervisor and the test kernels; `make run`
# boots it in QEMU; `make test` runs every test. V=1 shows full commands.

.DEFAULT_GOAL := all
SHELL := /bin/bash
CC := gcc
LD := ld
OBJCOPY := objcopy
NM := nm

ifeq ($(V),1)
Q :=
step =
else
Q := @
step = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

include xen/xen.mk
include tests/guests/guests.mk
include tests/unit/unit.mk
include tools/tools.mk
# make dom0-image: build/dom0/vmlinuz and build/dom0/initrd.img.
-include scripts/dom0-image.mk

.PHONY: all xen deps iso iso-demo run test unit integration format clean bench dom0-image

all: xen guests tools

xen: xen/xen xen/xen.gz

deps:
	$(Q)scripts/deps.sh

# The ISO boots Xenolith with the Linux Dom0 image (make dom0-image) and
# lands in a Dom0 shell with the default guest running; `make iso-demo`
# boots a demo test kernel as Dom0 instead.
iso: dom0-image
	$(Q)$(MAKE) --no-print-directory build/xenolith.iso
build/xenolith.iso: xen/xen.gz build/dom0/vmlinuz build/dom0/initrd.img config/grub.cfg config/grub.conf scripts/mkiso.sh
	$(call step,ISO,$@)
	$(Q)scripts/mkiso.sh $@ xen/xen.gz --dom0-image

DEMO_KERNEL := build/guests/hello.elf
iso-demo: build/xenolith-demo.iso
build/xenolith-demo.iso: xen/xen.gz $(DEMO_KERNEL) config/grub.cfg config/grub.conf scripts/mkiso.sh
	$(call step,ISO,$@)
	$(Q)scripts/mkiso.sh $@ xen/xen.gz $(DEMO_KERNEL)

# Everything, the image, the ISO; then the machine's console is this
# terminal (Ctrl-A X quits). 2 GiB: Dom0 has 512 MiB, the rest is for guests.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory iso
	$(Q)scripts/run.sh build/xenolith.iso

test: deps
	$(Q)$(MAKE) --no-print-directory all build/unit/unit-tests build/unit/tool-tests
	$(Q)scripts/run-tests.sh

format:
	$(Q)clang-format -i $$(find xen tools tests -name '*.[ch]' 2>/dev/null)

# Instruction counts beside the real Xen 4.17 (bench/results.md); e.g. BENCH_ARGS="--runs 2".
bench:
	$(Q)bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf build xen/xen xen/xen.gz xen/xen-syms
