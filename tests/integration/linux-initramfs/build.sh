#!/usr/bin/env bash
# Assemble the tiny Dom0 initramfs of tests/integration/linux-dom0.sh:
# busybox-static (every applet as a symlink), the /init next to this file,
# and the kernel modules that init loads (xenfs and what it depends on),
# taken from build/linux/modules (scripts/fetch-linux.sh).
#
#   tests/integration/linux-initramfs/build.sh [OUT]
#
# OUT defaults to build/linux/test-initrd.gz (a gzip'd newc cpio). Cached:
# rebuilt only when an input is newer. Installs busybox-static and cpio
# with apt-get when they are missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$root/build/linux/test-initrd.gz}
linux=$root/build/linux
# The modules /init loads; their dependencies are added in front.
MODULES=(xenfs)

die() { echo "linux-initramfs: $*" >&2; exit 1; }

# need_pkgs, module_order, install_busybox, pack_cpio
. "$root/scripts/lib/initramfs.sh"
need_pkgs busybox-static cpio
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing after installing busybox-static"

[ -s "$linux/version" ] || "$root/scripts/fetch-linux.sh"
release=$(cat "$linux/version")
kdir=$linux/modules/$release/kernel
[ -d "$kdir" ] || die "$kdir: no modules (run scripts/fetch-linux.sh)"

if [ -s "$out" ] && [ "$out" -nt "$here/init" ] && [ "$out" -nt "$0" ] &&
   [ "$out" -nt "$busybox" ] && [ "$out" -nt "$linux/version" ] &&
   [ "$out" -nt "$root/scripts/lib/initramfs.sh" ]; then
    exit 0
fi

module_order "$kdir" "${MODULES[@]}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/linux-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
r=$tmp/root
mkdir -p "$r"/{bin,sbin,dev,proc,sys,tmp,lib/modules}
install_busybox "$r" "$busybox"
install -m 0755 "$here/init" "$r/init"
for rel in "${order[@]}"; do
    cp "$kdir/$rel" "$r/lib/modules/"
    basename "$rel" >>"$r/lib/modules/order"
done
# The kernel's built-in initramfs already has /dev/console; a node of our
# own covers kernels without one (needs root, so it is optional).
mknod -m 600 "$r/dev/console" c 5 1 2>/dev/null || true

pack_cpio "$r" "$out"
echo "linux-initramfs: $out ($(stat -c %s "$out") bytes; modules: ${order[*]##*/})" >&2
