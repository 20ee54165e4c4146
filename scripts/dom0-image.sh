#!/usr/bin/env bash
# Assemble the Xenolith Dom0 image (design.md, "Dom0 image and the default
# guest"; docs/dom0-image.md) from Debian's stock kernel, busybox-static,
# iproute2 and our toolstack.
#
#   scripts/dom0-image.sh               build/dom0/vmlinuz, initrd.img
#   scripts/dom0-image.sh --debian-xl   build/dom0/debian-xl.cpio.gz
#
# initrd.img (gzip'd newc cpio):
#   /init                  config/dom0/init
#   /bin, /etc/profile     busybox (every applet a symlink), Debian's ip
#                          (/bin/ip) and bridge (/sbin/bridge) from iproute2
#   /lib/modules/*.ko      the Xen back ends, xenfs, bridge, loop and their
#                          depends=, load order in /lib/modules/order
#   /usr/sbin/*            whatever of build/tools/bin exists (make tools),
#                          with exactly the shared libraries ldd names (plus
#                          libgcc_s.so.1, which glibc dlopen()s)
#   /etc/xen               config/dom0/xl.conf, scripts/ (tools/hotplug/*
#                          when there is one), auto/default.cfg
#   /var/lib/xen/images/default/{vmlinuz,initrd.gz}  the default DomU: the
#                          same kernel, config/domu/init on busybox and the
#                          xen-netfront and xen-blkfront modules
# debian-xl.cpio.gz: Debian's real Xen 4.17 toolstack (xen-utils-4.17,
# xen-utils-common, xenstore-utils, its libraries, bash for its hotplug
# scripts), to append to initrd.img; init starts it with
# xenolith.toolstack=debian.
#
# Packages come from the archive the machine's apt sources name, with
# `apt-get download`, cached in build/debs. Cached outputs: rebuilt only
# when an input is newer.
set -euo pipefail

prog=dom0-image
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/dom0
debs=$root/build/debs
linux=$root/build/linux
die() { echo "$prog: $*" >&2; exit 1; }

# need_pkgs fetch_debs extract_debs module_order install_busybox
# install_with_libs install_libs pack_cpio
. "$root/scripts/lib/initramfs.sh"

DOM0_MODULES=(xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs
              xen-netback xen-blkback llc stp bridge loop)
DOMU_MODULES=(xen-netfront xen-blkfront)
IPROUTE_PKGS=(iproute2)
# Debian's toolstack and what its programs link (real-xen-in-qemu.md).
DEBIAN_XL_PKGS=(xen-utils-4.17 xen-utils-common xenstore-utils libxenmisc4.17
                libxencall1 libxendevicemodel1 libxenevtchn1
                libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxenstore4
                libxentoolcore1 libxentoollog1 libyajl2 bash libtinfo6
                libncurses6 libext2fs2 libcom-err2 liblzma5 libzstd1
                libuuid1 zlib1g)
LIBDIRS_OF() { # tree -> the library directories of an extracted .deb tree
    echo "$1/lib/x86_64-linux-gnu $1/usr/lib/x86_64-linux-gnu $1/usr/lib/xen-4.17/lib"
}

mode=image
case ${1:-} in
'') ;;
--debian-xl) mode=debian-xl ;;
-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d;s/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument '$1' (expected nothing or --debian-xl)" ;;
esac

need_pkgs busybox-static cpio
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing after installing busybox-static"
"$root/scripts/fetch-linux.sh"
release=$(cat "$linux/version")
kdir=$linux/modules/$release/kernel
[ -d "$kdir" ] || die "$kdir: no modules (run scripts/fetch-linux.sh)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$prog.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# Is OUT newer than every input file (directories are searched)?
up_to_date() { # out input...
    local o=$1
    shift
    [ -s "$o" ] || return 1
    [ -z "$(find "$@" -newer "$o" -print -quit 2>/dev/null)" ]
}

debian_xl() {
    local o=$out/debian-xl.cpio.gz x=$tmp/x r=$tmp/root f
    up_to_date "$o" "$0" "$root/scripts/lib/initramfs.sh" && return 0
    fetch_debs "$debs" "${DEBIAN_XL_PKGS[@]}"
    extract_debs "$debs" "$x" "${DEBIAN_XL_PKGS[@]}"
    mkdir -p "$r"
    # Programs, libraries, /etc/xen; not docs, init scripts or systemd
    # units; our xl.conf stays. Not /usr/sbin either: Debian's links there
    # (xl, xenstored, xenconsoled -> its version wrapper) would replace
    # ours; its programs stay reachable in /usr/lib/xen-4.17/bin.
    (cd "$x" && tar -cf - --exclude=./usr/sbin --exclude=./usr/share --exclude=./usr/lib/python3 --exclude=./etc/init.d \
        --exclude=./lib/systemd --exclude=./usr/lib/systemd --exclude=./etc/default \
        --exclude=./etc/xen/xl.conf --exclude=./etc/xen/auto --exclude=./usr/lib/modules-load.d \
        --exclude=./etc/modules-load.d .) | (cd "$r" && tar -xf -)
    # Debian 12 is not merged-/usr inside .debs: bash lands in /bin.
    while IFS= read -r f; do
        head -c 4 "$x/$f" | grep -q ELF || continue
        install_libs "$r" "$x/$f" $(LIBDIRS_OF "$x")
    done < <(cd "$x" && find . -type f \( -perm -u+x -o -name '*.so*' \) | sed 's|^\./||')
    pack_cpio "$r" "$o"
    echo "$prog: $o ($(stat -c %s "$o") bytes; $(cd "$x" && ls usr/lib/xen-4.17/bin | tr '\n' ' '))" >&2
}

domu_initrd() { # out
    local o=$1 r=$tmp/domu rel
    up_to_date "$o" "$0" "$root/scripts/lib/initramfs.sh" "$root/config/domu/init" \
        "$busybox" "$linux/version" && return 0
    module_order "$kdir" "${DOMU_MODULES[@]}"
    mkdir -p "$r"/{bin,dev,proc,sys,tmp,run,root,lib/modules,etc}
    install_busybox "$r" "$busybox"
    install -m 0755 "$root/config/domu/init" "$r/init"
    for rel in "${order[@]}"; do
        cp "$kdir/$rel" "$r/lib/modules/"
        basename "$rel" >>"$r/lib/modules/order"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
    printf 'root:x:0:\n' >"$r/etc/group"
    printf 'PS1="domu:\\w# "\n' >"$r/etc/profile"
    pack_cpio "$r" "$o"
}

dom0_image() {
    local o=$out/initrd.img r=$tmp/dom0 x=$tmp/ip rel f name tools=() hotplug=()
    [ -d "$root/build/tools/bin" ] && tools=("$root"/build/tools/bin/*)
    [ -d "$root/tools/hotplug" ] && hotplug=("$root"/tools/hotplug/*)
    domu_initrd "$out/domu-initrd.gz"
    if up_to_date "$o" "$0" "$root/scripts/lib/initramfs.sh" "$root/config/dom0" \
            "$root/config/domu" "$out/domu-initrd.gz" "$busybox" "$linux/version" \
            ${tools[@]+"${tools[@]}"} ${hotplug[@]+"${hotplug[@]}"} &&
       [ "$(cat "$out/tools.list" 2>/dev/null)" = "${tools[*]##*/}" ] &&
       [ "$out/vmlinuz" -nt "$linux/vmlinuz" ]; then
        return 0
    fi
    fetch_debs "$debs" "${IPROUTE_PKGS[@]}"
    extract_debs "$debs" "$x" "${IPROUTE_PKGS[@]}"

    mkdir -p "$r"/{bin,sbin,dev,proc,sys,tmp,run,root,var,lib/modules,usr/bin,usr/sbin,usr/lib/xen/bin}
    mkdir -p "$r"/etc/xen/{auto,scripts} "$r/var/lib/xen/images/default"
    install_busybox "$r" "$busybox"
    install -m 0755 "$root/config/dom0/init" "$r/init"
    # The real ip and bridge replace busybox's applets of the same name.
    for f in bin/ip sbin/bridge; do
        [ -f "$x/$f" ] || die "iproute2 has no /$f"
        rm -f "$r/bin/${f##*/}"
        install_with_libs "$r" "$x/$f" "$f" $(LIBDIRS_OF "$x")
    done

    module_order "$kdir" "${DOM0_MODULES[@]}"
    for rel in "${order[@]}"; do
        cp "$kdir/$rel" "$r/lib/modules/"
        basename "$rel" >>"$r/lib/modules/order"
    done

    # Our toolstack, as far as it is built. xl finds xenconsole where
    # Xen installs it, /usr/lib/xen/bin.
    for f in ${tools[@]+"${tools[@]}"}; do
        [ -f "$f" ] && [ -x "$f" ] || continue
        name=${f##*/}
        # A link to another program there (a multi-call binary) stays one.
        if [ -L "$f" ] && [[ $(readlink "$f") != */* ]]; then
            ln -sf "$(readlink "$f")" "$r/usr/sbin/$name"
            continue
        fi
        install_with_libs "$r" "$f" "usr/sbin/$name"
        case $name in xenconsole|xen-init-dom0|libxl-save-helper)
            ln -sf "../../../sbin/$name" "$r/usr/lib/xen/bin/$name" ;;
        esac
    done
    # xl dlopen()s libxml2 for libvirt XML (tools/xl/xl_xml.c), so ldd of xl
    # does not name it: it comes with its own libraries (ICU, libstdc++).
    if [ -e "$r/usr/sbin/xl" ]; then
        xml2=$(PATH=$PATH:/sbin:/usr/sbin ldconfig -p | awk '/libxml2\.so\.2 .*x86-64/ && !f { print $NF; f = 1 }')
        [ -n "$xml2" ] || die "libxml2.so.2 not found on the host (apt-get install libxml2)"
        install_with_libs "$r" "$xml2" lib/x86_64-linux-gnu/libxml2.so.2
    fi
    # Hotplug scripts; bash comes along when one of them asks for it.
    for f in ${hotplug[@]+"${hotplug[@]}"}; do
        [ -f "$f" ] || continue
        install -m 0755 "$f" "$r/etc/xen/scripts/${f##*/}"
        if head -n1 "$f" | grep -q bash && [ ! -e "$r/bin/bash" ]; then
            install_with_libs "$r" /bin/bash bin/bash
        fi
    done

    install -m 0644 "$root/config/dom0/xl.conf" "$r/etc/xen/xl.conf"
    install -m 0644 "$root/config/dom0/profile" "$r/etc/profile"
    install -m 0644 "$root/config/domu/default.cfg" "$r/etc/xen/auto/default.cfg"
    cp "$linux/vmlinuz" "$r/var/lib/xen/images/default/vmlinuz"
    cp "$out/domu-initrd.gz" "$r/var/lib/xen/images/default/initrd.gz"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
    printf 'root:x:0:\ntty:x:5:\n' >"$r/etc/group"
    printf '127.0.0.1 localhost\n10.0.0.1 dom0\n' >"$r/etc/hosts"
    printf '%s\n' "$release" >"$r/etc/xenolith-kernel"

    pack_cpio "$r" "$o"
    printf '%s\n' "${tools[*]##*/}" >"$out/tools.list"
    cp "$linux/vmlinuz" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
    local built=${tools[*]##*/}
    echo "$prog: $o ($(stat -c %s "$o") bytes; kernel $release; toolstack: ${built:-none built yet})" >&2
}

case $mode in
image) dom0_image ;;
debian-xl) debian_xl ;;
esac
