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

# Debian packages this needs, installed once (apt-get update only when the
# install fails, e.g. on a machine with no package lists yet).
need_pkgs() {
    local missing=() p sudo=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "linux-initramfs: installing ${missing[*]}" >&2
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
        $sudo apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
            die "apt-get install ${missing[*]} failed"
    fi
}
need_pkgs busybox-static cpio
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing after installing busybox-static"

[ -s "$linux/version" ] || "$root/scripts/fetch-linux.sh"
release=$(cat "$linux/version")
kdir=$linux/modules/$release/kernel
[ -d "$kdir" ] || die "$kdir: no modules (run scripts/fetch-linux.sh)"

if [ -s "$out" ] && [ "$out" -nt "$here/init" ] && [ "$out" -nt "$0" ] &&
   [ "$out" -nt "$busybox" ] && [ "$out" -nt "$linux/version" ]; then
    exit 0
fi

# Path (relative to $kdir) of module $1; names use - and _ interchangeably.
find_module() {
    local alt=${1//-/_} alt2=${1//_/-}
    (cd "$kdir" && find . \( -name "$1.ko" -o -name "$alt.ko" -o -name "$alt2.ko" \) |
        head -n1 | sed 's|^\./||')
}
# The depends= field of a module's .modinfo (NUL-separated key=value strings).
module_depends() {
    tr '\0' '\n' <"$kdir/$1" | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}
# Appends module $1 to `order`, after its dependencies (depth first).
order=()
add_module() {
    local m=$1 rel dep seen
    rel=$(find_module "$m")
    [ -n "$rel" ] || die "module $m not found under $kdir"
    for seen in "${order[@]}"; do [ "$seen" = "$rel" ] && return 0; done
    for dep in $(module_depends "$rel"); do add_module "$dep"; done
    order+=("$rel")
}
for m in "${MODULES[@]}"; do add_module "$m"; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/linux-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
r=$tmp/root
mkdir -p "$r"/{bin,sbin,dev,proc,sys,tmp,lib/modules}
cp "$busybox" "$r/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$r/bin/$applet"
done
install -m 0755 "$here/init" "$r/init"
for rel in "${order[@]}"; do
    cp "$kdir/$rel" "$r/lib/modules/"
    basename "$rel" >>"$r/lib/modules/order"
done
# The kernel's built-in initramfs already has /dev/console; a node of our
# own covers kernels without one (needs root, so it is optional).
mknod -m 600 "$r/dev/console" c 5 1 2>/dev/null || true

mkdir -p "$(dirname "$out")"
(cd "$r" && find . -mindepth 1 | LC_ALL=C sort |
    cpio -o -H newc --owner=0:0 --reproducible --quiet) | gzip -9n >"$tmp/initrd.gz"
mv "$tmp/initrd.gz" "$out"
echo "linux-initramfs: $out ($(stat -c %s "$out") bytes; modules: ${order[*]##*/})" >&2
