# CUnit tests of hypervisor logic compiled for the host.
UNIT_HV_SRCS := xen/common/page_alloc.c xen/common/cmdline.c xen/common/elf.c \
	xen/common/xz.c xen/common/bzimage.c xen/common/log_rate.c \
	xen/arch/x86/time_calibrate.c
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Ixen/include -Ibuild/sysinc -Itests/unit -D__XEN_TOOLS__ -include stdio.h -include string.h
# page_types.c runs on host memory from mm_harness.c: HOST_TEST makes asm/page.h
# declare maddr_to_virt() and flush_tlb_local() instead of defining them.
UNIT_HV_SRCS += xen/arch/x86/mm/page_types.c xen/arch/x86/mm/relinquish.c
UNIT_CFLAGS += -DHOST_TEST

.PHONY: unit
build/unit/unit-tests: $(UNIT_SRCS) $(UNIT_HV_SRCS) $(wildcard tests/unit/*.h) | build/sysinc/xen
	@mkdir -p $(dir $@)
	$(call step,CC,$@)
	$(Q)$(CC) $(UNIT_CFLAGS) $(UNIT_SRCS) $(UNIT_HV_SRCS) -o $@ -lcunit

unit: build/unit/unit-tests
	$(Q)build/unit/unit-tests

# XZ test vectors for test_xz.c and test_bzimage.c, made once by the host's
# xz: each NAME.xz decompresses to the file its name starts with (ls, small,
# mixed, empty, tiny; concat is mixed, stream padding, then ls). mixed is
# 1 MiB: perl's seeded generator (the same on every machine), text, and the
# random part again. Only xz's multi-threaded encoder (-T2) writes the sizes
# into block headers; sha256 and delta are there to be refused.
UNIT_VECTORS := build/unit/vectors
UNIT_MIXED := srand(42); $$r = pack("C*", map { int rand 256 } 1 .. 262144); \
	$$t = join("", map { "line $$_: Xenolith decompresses Linux\n" } 1 .. 8000); \
	print substr($$r . $$t . $$r . $$t x 4, 0, 1048576)

$(UNIT_VECTORS)/.stamp: tests/unit/unit.mk
	$(call step,XZ,$(UNIT_VECTORS))
	$(Q)set -e; d=$(UNIT_VECTORS); rm -rf $$d; mkdir -p $$d; \
	cp /bin/ls $$d/ls; : > $$d/empty; printf abc > $$d/tiny; \
	head -c 16384 /bin/ls > $$d/small; \
	perl -e '$(UNIT_MIXED)' > $$d/mixed; \
	v() { out=$$1; shift; xz --format=xz -c "$$@" > $$d/$$out.xz; }; \
	v ls.x86-crc32 --check=crc32 --x86 --lzma2=preset=6 $$d/ls; \
	v ls.kernel --check=crc32 --x86 --lzma2=dict=32MiB $$d/ls; \
	v ls.x86start --check=crc32 --x86=start=4096 --lzma2=preset=6 $$d/ls; \
	v ls.lclppb --check=crc64 --x86 --lzma2=preset=6,lc=1,lp=3,pb=3 $$d/ls; \
	v ls.dict4k --check=crc32 --lzma2=preset=6,dict=4KiB $$d/ls; \
	v mixed.x86-crc32 --check=crc32 --x86 --lzma2=preset=6 $$d/mixed; \
	v mixed.crc64 --check=crc64 --lzma2=preset=6 $$d/mixed; \
	v mixed.none --check=none --lzma2=preset=6 $$d/mixed; \
	v mixed.fast --check=crc32 --lzma2=preset=0 $$d/mixed; \
	v mixed.blocks --check=crc64 --x86 --lzma2=preset=6 --block-size=100000 $$d/mixed; \
	v mixed.sizes -T2 --check=crc32 --x86 --lzma2=preset=6 --block-size=300000 $$d/mixed; \
	v mixed.sha256 --check=sha256 --lzma2=preset=1 $$d/mixed; \
	v mixed.delta --check=crc32 --delta --lzma2=preset=1 $$d/mixed; \
	v empty.x86-crc32 --check=crc32 --x86 --lzma2=preset=6 $$d/empty; \
	v empty.crc64 --check=crc64 --lzma2=preset=6 $$d/empty; \
	v tiny.x86-crc32 --check=crc32 --x86 --lzma2=preset=6 $$d/tiny; \
	v small.x86-crc32 --check=crc32 --x86 --lzma2=preset=6 $$d/small; \
	v small.none --check=none --x86 --lzma2=preset=6 $$d/small; \
	{ cat $$d/mixed.crc64.xz; printf '\0\0\0\0'; cat $$d/ls.x86-crc32.xz; } > $$d/concat.xz; \
	touch $@

build/unit/unit-tests: | $(UNIT_VECTORS)/.stamp
