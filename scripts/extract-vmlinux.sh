#!/usr/bin/env bash
# Unpack the ELF kernel (vmlinux) from an x86 bzImage whose payload is
# XZ-compressed, as Debian's is (CONFIG_KERNEL_XZ=y).
#
#   scripts/extract-vmlinux.sh [BZIMAGE [OUT]]
#
# Defaults: build/linux/vmlinuz -> build/linux/vmlinux (run
# scripts/fetch-linux.sh first). Cached: does nothing when OUT is newer than
# BZIMAGE. A fallback for hypervisors that load ELF kernels only; the real
# Xen (and soon Xenolith) decompresses the bzImage itself.
#
# Where the payload is: the boot protocol's setup header
# (Documentation/x86/boot.rst) gives setup_sects at 0x1f1 (0 means 4) and
# payload_offset at 0x248, relative to the protected-mode code, which starts
# (setup_sects + 1) * 512 bytes into the file. An XZ stream starts with the
# magic FD 37 7A 58 5A 00. If the header does not point at one, every
# occurrence of the magic in the file is tried instead. The compressed
# payload is followed by 4 bytes of decompressed size, which
# `xz --single-stream` ignores.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
in=${1:-$root/build/linux/vmlinuz}
out=${2:-$root/build/linux/vmlinux}

die() { echo "extract-vmlinux: $*" >&2; exit 1; }

[ -s "$in" ] || die "$in: no such file (run scripts/fetch-linux.sh)"
[ -s "$out" ] && [ "$out" -nt "$in" ] && exit 0
command -v xz >/dev/null || die "'xz' not found (Debian package xz-utils)"
command -v od >/dev/null || die "'od' not found"

# Little-endian unsigned integer of $2 bytes at offset $1 of the input.
le() { od -An -tu"$2" -j "$1" -N "$2" "$in" | tr -d ' '; }
# The 6 bytes at offset $1, in hex.
hex6() { od -An -tx1 -j "$1" -N 6 "$in" | tr -d ' \n'; }

XZ_MAGIC=fd377a585a00
[ "$(dd if="$in" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
    die "$in is not a bzImage (no HdrS at 0x202)"

candidates=()
setup_sects=$(le $((0x1f1)) 1)
[ "$setup_sects" -eq 0 ] && setup_sects=4
at=$(( (setup_sects + 1) * 512 + $(le $((0x248)) 4) ))
if [ "$(hex6 "$at")" = "$XZ_MAGIC" ]; then
    candidates+=("$at")
else
    # Not where the header says: scan the file for the magic.
    while IFS=: read -r off _; do
        candidates+=("$off")
    done < <(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$in" || true)
fi
[ ${#candidates[@]} -gt 0 ] || die "$in holds no XZ stream (not CONFIG_KERNEL_XZ?)"

tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
for off in "${candidates[@]}"; do
    # xz stops reading at the end of the stream, and the SIGPIPE that tail
    # may then get is no error: only xz's status counts.
    if xz -dc --single-stream < <(tail -c +$((off + 1)) "$in") >"$tmp" 2>/dev/null &&
       [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
        mv "$tmp" "$out"
        echo "extract-vmlinux: $(basename "$in") -> $out (XZ stream at $off, $(stat -c %s "$out") bytes)"
        exit 0
    fi
done
die "no XZ stream in $in decompresses to an ELF file"
