#!/usr/bin/env bash
# Install what Xenolith needs to build and test, idempotently, on Debian 12.
# QEMU comes from bookworm-backports (>= 8): Debian 12's own 7.2 delivers a
# wrong #GP error code for `int $N` from 64-bit user mode under TCG.
set -euo pipefail

PKGS=(build-essential gzip binutils python3 libxen-dev libcunit1-dev
      grub-pc-bin grub-common xorriso mtools clang-format
      xz-utils perl busybox-static cpio
      libyajl-dev libxml2-dev uuid-dev liblzma-dev zlib1g-dev)

need=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done

qemu_ok() {
    command -v qemu-system-x86_64 >/dev/null || return 1
    local v
    v=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
    [ "${v:-0}" -ge 8 ]
}

if [ ${#need[@]} -eq 0 ] && qemu_ok; then
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# Enable bookworm-backports on the archive URI apt already uses for bookworm.
if ! qemu_ok && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    uri=$(grep -rhs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)
    [ -n "$uri" ] || uri=$(awk '$1=="deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    if [ -z "$uri" ]; then
        echo "deps: cannot find the Debian archive URI in /etc/apt; add bookworm-backports by hand" >&2
        exit 1
    fi
    echo "deb $uri bookworm-backports main" | $sudo tee /etc/apt/sources.list.d/xenolith-backports.list >/dev/null
fi

echo "deps: installing ${need[*]} qemu-system-x86 (backports)"
$sudo apt-get update -qq
[ ${#need[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
if ! qemu_ok; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t bookworm-backports qemu-system-x86 >/dev/null
fi
qemu_ok || { echo "deps: qemu-system-x86_64 >= 8 not available" >&2; exit 1; }
