#!/usr/bin/env bash
# Fetch Debian 12's stock kernel, the Dom0 (and DomU) kernel every Linux
# integration test boots (design.md, "Dom0 image and the default guest").
# The package is the one the archive's linux-image-amd64 depends on today
# (e.g. linux-image-6.1.0-56-amd64 6.1.192-2). Leaves, under build/linux/:
#   vmlinuz   the bzImage as Debian ships it (an XZ-compressed ELF inside)
#   version   the kernel release, e.g. 6.1.0-56-amd64 (= uname -r, and the
#             name of the directory under modules/)
#   package   which .deb this is (name_version_arch.deb), for the logs
#   config    the kernel's build configuration (which Xen drivers are
#             built in, =y, and which are modules, =m). Debian's System.map
#             is a stub: the symbols are in linux-image-*-dbg only.
#   modules/  the package's /lib/modules tree: modules/<version>/kernel/...
#             (xenfs, xen-evtchn, xen-privcmd, netback, blkback ...)
# Cached: does nothing when all of them are there. Never committed (build/).
set -euo pipefail

META=linux-image-amd64
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/linux"

die() { echo "fetch-linux: $*" >&2; exit 1; }

if [ -s "$out/vmlinuz" ] && [ -s "$out/version" ] &&
   [ -d "$out/modules/$(cat "$out/version")/kernel" ]; then
    exit 0
fi

for tool in apt-get apt-cache dpkg-deb; do
    command -v "$tool" >/dev/null || die "'$tool' not found (this needs Debian's apt tools)"
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
updated=no
apt_update() {
    [ "$updated" = yes ] && return 1
    updated=yes
    $sudo apt-get update -qq >"$tmp/update.log" 2>&1 ||
        { cat "$tmp/update.log" >&2; die "apt-get update failed"; }
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-linux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get download writes into the current directory, as the _apt user
# when it can: make the scratch directory writable for it.
chmod 0777 "$tmp"

# The kernel package the meta package's candidate version depends on,
# e.g. "linux-image-6.1.0-56-amd64 (= 6.1.192-2)" -> name and version.
resolve() {
    local meta_ver dep
    meta_ver=$(apt-cache policy "$META" 2>/dev/null |
               awk '/Candidate:/ { print $2; exit }')
    [ -n "$meta_ver" ] && [ "$meta_ver" != "(none)" ] || return 1
    dep=$(apt-cache show "$META=$meta_ver" 2>/dev/null |
          awk -F': ' '/^Depends:/ { print $2; exit }' | tr ',' '\n' |
          grep -oE 'linux-image-[0-9][^ ]*-amd64( \(= [^)]*\))?' | head -n1)
    [ -n "$dep" ] || return 1
    pkg=${dep%% *}
    pkg_ver=$(printf '%s\n' "$dep" | sed -n 's/.*(= \(.*\))/\1/p')
}

if ! resolve; then
    apt_update
    resolve || die "cannot resolve the kernel package $META depends on"
fi

target=$pkg
[ -n "$pkg_ver" ] && target="$pkg=$pkg_ver"
download() { (cd "$tmp" && apt-get download -qq "$target") >"$tmp/apt.log" 2>&1; }
if ! download; then
    # Stale lists naming a build the archive no longer has: refresh once.
    if apt_update; then
        resolve || die "cannot resolve the kernel package $META depends on"
        target=$pkg
        [ -n "$pkg_ver" ] && target="$pkg=$pkg_ver"
        download || { cat "$tmp/apt.log" >&2; die "apt-get download $target failed"; }
    else
        cat "$tmp/apt.log" >&2
        die "apt-get download $target failed"
    fi
fi

deb=$(ls "$tmp"/"$pkg"_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || die "apt-get download left no .deb for $pkg"
dpkg-deb -x "$deb" "$tmp/x" || die "dpkg-deb -x $(basename "$deb") failed"

# Debian 12 installs into /boot and /lib/modules; later releases use
# /usr/lib/modules. The release is the modules directory's name.
moddir=""
for d in "$tmp/x/lib/modules" "$tmp/x/usr/lib/modules"; do
    [ -d "$d" ] && { moddir=$d; break; }
done
[ -n "$moddir" ] || die "$(basename "$deb") holds no lib/modules"
release=$(ls "$moddir" | head -n1)
[ -n "$release" ] && [ -d "$moddir/$release/kernel" ] ||
    die "$(basename "$deb"): no modules/<release>/kernel"
vmlinuz="$tmp/x/boot/vmlinuz-$release"
[ -s "$vmlinuz" ] || die "$(basename "$deb") holds no boot/vmlinuz-$release"
# A bzImage carries "HdrS" at offset 0x202 (Documentation/x86/boot.rst).
[ "$(dd if="$vmlinuz" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
    die "boot/vmlinuz-$release is not a bzImage"

# Move into place, vmlinuz last, so an interrupted run never leaves a
# cache that the check at the top accepts.
mkdir -p "$out"
rm -rf "$out/modules" "$out/vmlinuz" "$out/vmlinux"
mv "$moddir" "$out/modules"
[ -f "$tmp/x/boot/config-$release" ] && mv "$tmp/x/boot/config-$release" "$out/config"
printf '%s\n' "$release" >"$out/version"
basename "$deb" >"$out/package"
mv "$vmlinuz" "$out/vmlinuz"
echo "fetch-linux: $(basename "$deb") -> build/linux (release $release)"
