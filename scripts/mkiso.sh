#!/usr/bin/env bash
# Build a bootable BIOS GRUB ISO: the hypervisor plus a Dom0 kernel and initrd,
# booted with config/grub.cfg (multiboot2) or, through it, config/grub.conf
# (GRUB legacy syntax).
#
#   mkiso.sh OUT.iso XEN_GZ KERNEL [INITRD] [--default N]
#            [--xen-args STR] [--kernel-args STR]
#   mkiso.sh OUT.iso XEN_GZ --dom0-image [--default N] [--xen-args STR]
#            [--kernel-args STR]
#
#   --dom0-image       the Linux Dom0 of `make dom0-image`: KERNEL is
#                      build/dom0/vmlinuz, INITRD build/dom0/initrd.img
#   --default N        menu entry booted: 0 = multiboot2 (default),
#                      1 = legacy grub.conf
#   --xen-args STR     extra hypervisor options, after the shipped
#                      console=com1 com1=115200,8n1 dom0_mem=512M,max:512M
#   --kernel-args STR  the Dom0 kernel's command line
#                      (default: console=hvc0 earlyprintk=xen)
#
# On the ISO the files always have the same names: boot/xen.gz, boot/vmlinuz,
# boot/initrd.img (empty when no INITRD is given), boot/grub/grub.cfg and
# boot/grub/grub.conf. OUT.iso is replaced only once the new image is complete.
set -euo pipefail

prog=mkiso
root=$(cd "$(dirname "$0")/.." && pwd)
grub_platform_dir=/usr/lib/grub/i386-pc

die() { echo "$prog: $*" >&2; exit 1; }
usage() {
    echo "usage: $prog.sh OUT.iso XEN_GZ {KERNEL [INITRD] | --dom0-image} [--default N]" \
         "[--xen-args STR] [--kernel-args STR]" >&2
    exit 2
}

default_entry=0
xen_args=""
kernel_args="console=hvc0 earlyprintk=xen"
positional=()
dom0_image=no
while [ $# -gt 0 ]; do
    case "$1" in
        --default)     [ $# -ge 2 ] || usage; default_entry=$2; shift 2 ;;
        --default=*)   default_entry=${1#*=}; shift ;;
        --xen-args)    [ $# -ge 2 ] || usage; xen_args=$2; shift 2 ;;
        --xen-args=*)  xen_args=${1#*=}; shift ;;
        --kernel-args) [ $# -ge 2 ] || usage; kernel_args=$2; shift 2 ;;
        --kernel-args=*) kernel_args=${1#*=}; shift ;;
        --dom0-image)  dom0_image=yes; shift ;;
        -h|--help)     usage ;;
        --)            shift; positional+=("$@"); break ;;
        -*)            die "unknown option '$1'" ;;
        *)             positional+=("$1"); shift ;;
    esac
done
if [ "$dom0_image" = yes ]; then
    [ ${#positional[@]} -eq 2 ] || usage
    positional+=("$root/build/dom0/vmlinuz" "$root/build/dom0/initrd.img")
    for f in vmlinuz initrd.img; do
        [ -s "$root/build/dom0/$f" ] || die "build/dom0/$f not found (run 'make dom0-image')"
    done
fi
case ${#positional[@]} in 3|4) ;; *) usage ;; esac
out=${positional[0]}
xen_gz=${positional[1]}
kernel=${positional[2]}
initrd=${positional[3]:-}

case "$default_entry" in
    0|1) ;;
    *) die "--default must be 0 (multiboot2) or 1 (legacy grub.conf), not '$default_entry'" ;;
esac

need_file() { # what path
    [ -e "$2" ] || die "$1 not found: $2"
    if [ ! -f "$2" ] || [ ! -r "$2" ]; then die "$1 is not a readable file: $2"; fi
}
need_file "Xen image" "$xen_gz"
need_file "Dom0 kernel" "$kernel"
[ -z "$initrd" ] || need_file "Dom0 initrd" "$initrd"
need_file "GRUB config" "$root/config/grub.cfg"
need_file "GRUB legacy config" "$root/config/grub.conf"

# The arguments land inside GRUB script lines. GRUB's shell would interpret
# quotes, '$', ';', '\' and the like, so refuse them instead of mangling them.
check_args() { # option value
    case "$2" in
        *[\'\"\$\;\\\|\&\<\>\{\}\`]* | *$'\n'*)
            die "$1: characters ' \" \$ ; \\ | & < > { } \` and newlines are not allowed: $2" ;;
    esac
}
check_args --xen-args "$xen_args"
check_args --kernel-args "$kernel_args"

command -v grub-mkrescue >/dev/null || die "grub-mkrescue not found (install grub-common)"
command -v xorriso >/dev/null || die "xorriso not found (install xorriso)"
[ -d "$grub_platform_dir" ] || die "$grub_platform_dir not found (install grub-pc-bin)"

out_dir=$(dirname -- "$out")
mkdir -p -- "$out_dir" || die "cannot create $out_dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkiso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/iso
mkdir -p "$stage/boot/grub"

cp -- "$xen_gz" "$stage/boot/xen.gz"
cp -- "$kernel" "$stage/boot/vmlinuz"
if [ -n "$initrd" ]; then
    cp -- "$initrd" "$stage/boot/initrd.img"
else
    : >"$stage/boot/initrd.img"
fi

# Fill in the placeholders. Plain string replacement: '&' in the replacement
# must not mean "the match" (bash 5.2's patsub_replacement).
shopt -u patsub_replacement 2>/dev/null || true
fill() { # src dst
    local text
    text=$(<"$1")
    text=${text//@XEN_ARGS@/$xen_args}
    text=${text//@DOM0_ARGS@/$kernel_args}
    printf '%s\n' "$text" >"$2"
}
fill "$root/config/grub.cfg" "$stage/boot/grub/grub.cfg"
fill "$root/config/grub.conf" "$stage/boot/grub/grub.conf"
sed -i "s/^set default=.*/set default=$default_entry/" "$stage/boot/grub/grub.cfg"
if grep -q '@[A-Z0-9_]*@' "$stage/boot/grub/grub.cfg" "$stage/boot/grub/grub.conf"; then
    die "unfilled placeholder left in the GRUB configuration"
fi

# BIOS only (i386-pc): the machine and QEMU boot the CD through El Torito.
# Fonts, locales and themes are of no use on a serial console.
if ! grub-mkrescue -d "$grub_platform_dir" --fonts= --locales= --themes= \
        -o "$tmp/out.iso" "$stage" >"$tmp/mkrescue.log" 2>&1; then
    cat "$tmp/mkrescue.log" >&2
    die "grub-mkrescue failed"
fi
mv -f -- "$tmp/out.iso" "$out"
