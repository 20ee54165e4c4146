# The Dom0 image (scripts/dom0-image.sh, docs/dom0-image.md), included by
# the Makefile.
#   make dom0-image       build/dom0/vmlinuz and build/dom0/initrd.img with
#                         whatever of the toolstack (make tools) exists
#   make dom0-debian-xl   build/dom0/debian-xl.cpio.gz: Debian's Xen 4.17
#                         toolstack, appended for xenolith.toolstack=debian
# The script decides itself whether anything is out of date.
.PHONY: dom0-image dom0-debian-xl
dom0-image:
	$(call step,IMAGE,build/dom0/initrd.img)
	$(Q)scripts/dom0-image.sh

dom0-debian-xl:
	$(call step,IMAGE,build/dom0/debian-xl.cpio.gz)
	$(Q)scripts/dom0-image.sh --debian-xl
