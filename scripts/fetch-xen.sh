#!/usr/bin/env bash
# Fetch Debian's real Xen 4.17 hypervisor, the reference every integration
# test also runs against (design.md, "Tests"). Leaves, under build/xen-4.17/:
#   xen.gz  the image as Debian ships it (GRUB's multiboot2 loads it as is)
#   xen     the same, gunzipped: an ELF32 with a multiboot1 header, which
#           `qemu-system-x86_64 -kernel` loads directly
# Cached: does nothing when both are already there. Never committed (build/).
set -euo pipefail

PKG=xen-hypervisor-4.17-amd64
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build/xen-4.17"

die() { echo "fetch-xen: $*" >&2; exit 1; }

[ -s "$out/xen.gz" ] && [ -s "$out/xen" ] && exit 0

for tool in apt-get dpkg-deb gzip; do
    command -v "$tool" >/dev/null || die "'$tool' not found (this needs Debian's apt tools)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-xen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# apt-get download writes into the current directory. When run as root it
# warns that the _apt user cannot write there; that is harmless, and the
# directory is made world-writable so the sandboxed download works anyway.
chmod 0777 "$tmp"
download() { (cd "$tmp" && apt-get download -qq "$PKG") >"$tmp/apt.log" 2>&1; }

if ! download; then
    # No lists yet (a fresh machine), or stale ones naming a version the
    # archive no longer has: refresh them once and retry.
    if grep -qiE 'unable to locate|no candidate|404|failed to fetch' "$tmp/apt.log"; then
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq >"$tmp/update.log" 2>&1 ||
            { cat "$tmp/update.log" >&2; die "apt-get update failed"; }
        download || { cat "$tmp/apt.log" >&2; die "apt-get download $PKG failed"; }
    else
        cat "$tmp/apt.log" >&2
        die "apt-get download $PKG failed"
    fi
fi

deb=$(ls "$tmp"/"$PKG"_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || die "apt-get download left no .deb for $PKG"
dpkg-deb -x "$deb" "$tmp/x" || die "dpkg-deb -x $(basename "$deb") failed"

gz=$(ls "$tmp"/x/boot/xen-4.17-amd64.gz 2>/dev/null | head -n1)
[ -n "$gz" ] || die "$(basename "$deb") holds no boot/xen-4.17-amd64.gz"

# Build in the scratch directory and move into place last (xen last of
# all), so an interrupted run never leaves a cache the check above accepts.
mkdir -p "$out"
cp "$gz" "$tmp/xen.gz"
gzip -dc "$tmp/xen.gz" >"$tmp/xen" || die "cannot gunzip $(basename "$gz")"
head -c 4 "$tmp/xen" | grep -q 'ELF' || die "gunzipped image is not an ELF file"
mv "$tmp/xen.gz" "$out/xen.gz"
mv "$tmp/xen" "$out/xen"
basename "$deb" >"$out/deb"      # which build this is, for the logs
