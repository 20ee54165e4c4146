# Shell functions shared by the scripts that assemble initramfs archives:
# scripts/dom0-image.sh (the Dom0 image, the default DomU's initrd, the
# Debian toolstack archive) and tests/integration/linux-initramfs/build.sh.
# Source it from bash after defining die(); nothing here exits on its own
# except through die.
#
#   need_pkgs PKG...             install missing host packages (apt-get)
#   fetch_debs CACHE PKG...      apt-get download each PKG into CACHE once
#   module_order KDIR NAME...    sets `order`: the .ko paths (relative to
#                                KDIR) of NAME and their depends=, each
#                                after what it depends on
#   install_busybox ROOT BUSYBOX busybox + one symlink per applet in ROOT/bin
#   install_with_libs ROOT FILE DEST [LIBDIR...]
#                                FILE as ROOT/DEST and the shared libraries
#                                it needs, looked up in LIBDIR first, then
#                                on the host, into ROOT/lib/x86_64-linux-gnu
#   install_libs ROOT FILE [LIBDIR...]   only the libraries
#   pack_cpio ROOT OUT           gzip'd newc cpio of ROOT, owned by root,
#                                reproducible; OUT replaced when complete

_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# apt-get update at most once per run, and only when something failed.
_apt_updated=no
_apt_update() {
    [ "$_apt_updated" = yes ] && return 1
    _apt_updated=yes
    _sudo apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed"
}

need_pkgs() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "initramfs: installing ${missing[*]}" >&2
    if ! _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
        _apt_update || true
        _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
            die "apt-get install ${missing[*]} failed"
    fi
}

# Downloads (never installs) the candidate version of each package into
# CACHE, unless a .deb of that package is there already.
fetch_debs() {
    local cache=$1 p tmp missing=()
    shift
    mkdir -p "$cache"
    for p in "$@"; do
        compgen -G "$cache/${p}_*.deb" >/dev/null || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-debs.XXXXXX")
    # apt-get download writes into the current directory as the _apt user.
    chmod 0777 "$tmp"
    echo "initramfs: downloading ${missing[*]}" >&2
    if ! (cd "$tmp" && apt-get download -qq "${missing[@]}") >"$tmp/apt.log" 2>&1; then
        # No or stale package lists: refresh once and retry.
        if ! _apt_update || ! (cd "$tmp" && apt-get download -qq "${missing[@]}") >"$tmp/apt.log" 2>&1; then
            cat "$tmp/apt.log" >&2
            rm -rf "$tmp"
            die "apt-get download ${missing[*]} failed"
        fi
    fi
    mv "$tmp"/*.deb "$cache"/
    rm -rf "$tmp"
}

# Extracts the cached .debs of PKG... into DIR (a fresh tree).
extract_debs() {
    local cache=$1 dir=$2 p deb
    shift 2
    rm -rf "$dir"
    mkdir -p "$dir"
    for p in "$@"; do
        deb=$(compgen -G "$cache/${p}_*.deb" | sort -V | tail -n1)
        [ -n "$deb" ] || die "no cached .deb of $p in $cache"
        dpkg-deb -x "$deb" "$dir" || die "dpkg-deb -x $(basename "$deb") failed"
    done
}

# Path (relative to KDIR) of module NAME; names use - and _ interchangeably.
_find_module() {
    local kdir=$1 alt=${2//-/_} alt2=${2//_/-}
    (cd "$kdir" && find . \( -name "$2.ko" -o -name "$alt.ko" -o -name "$alt2.ko" \) |
        head -n1 | sed 's|^\./||')
}
# The depends= field of a module's .modinfo (NUL-separated key=value
# strings): a dpkg-deb -x tree has no modules.dep.
_module_depends() {
    tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}
_add_module() {
    local kdir=$1 m=$2 rel dep seen
    rel=$(_find_module "$kdir" "$m")
    [ -n "$rel" ] || die "module $m not found under $kdir"
    for seen in "${order[@]}"; do [ "$seen" = "$rel" ] && return 0; done
    for dep in $(_module_depends "$kdir/$rel"); do _add_module "$kdir" "$dep"; done
    order+=("$rel")
}
module_order() {
    local kdir=$1 m
    shift
    order=()
    for m in "$@"; do _add_module "$kdir" "$m"; done
}

install_busybox() {
    local root=$1 busybox=$2 applet
    mkdir -p "$root/bin"
    cp "$busybox" "$root/bin/busybox"
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] ||
            ln -s busybox "$root/bin/$applet"
    done
    # The kernel runs /sbin/poweroff for a Xen shutdown request
    # (orderly_poweroff's poweroff_cmd); halt and reboot keep it company.
    mkdir -p "$root/sbin"
    for applet in poweroff reboot halt; do
        [ -e "$root/sbin/$applet" ] || ln -s ../bin/busybox "$root/sbin/$applet"
    done
}

# Libraries are resolved with the host's ldd (the same Debian release as
# the .debs), LIBDIRs first; glibc dlopen()s libgcc_s.so.1 for
# pthread_cancel, which ldd cannot see, so it comes along with libc.
install_with_libs() {
    local root=$1 file=$2 dest=$3
    shift 3
    [ -f "$file" ] || die "$file: no such file"
    mkdir -p "$root/$(dirname "$dest")"
    rm -f "$root/$dest"
    cp -L "$file" "$root/$dest"
    install_libs "$root" "$file" "$@"
}
install_libs() {
    local root=$1 file=$2 libpath="" d line lib
    shift 2
    for d in "$@"; do libpath+=${libpath:+:}$d; done
    mkdir -p "$root/lib/x86_64-linux-gnu" "$root/lib64"
    # Scripts and static binaries need nothing more.
    head -c 4 "$file" | grep -q ELF || return 0
    local out
    out=$(LD_LIBRARY_PATH=$libpath ldd "$file" 2>&1) || {
        case $out in *"not a dynamic executable"*) return 0 ;; esac
        die "ldd $file failed: $out"
    }
    if grep -q 'not found' <<<"$out"; then
        die "$file needs libraries found neither in ${libpath:-the given dirs} nor on the host: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ' | tr '\n' ';')"
    fi
    while read -r line; do
        case $line in
        *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
        /*) lib=${line%% (*} ;;
        *) continue ;;
        esac
        case $lib in
        */ld-linux-x86-64.so.2) [ -e "$root/lib64/ld-linux-x86-64.so.2" ] ||
                                cp -L "$lib" "$root/lib64/ld-linux-x86-64.so.2" ;;
        *) [ -e "$root/lib/x86_64-linux-gnu/$(basename "$lib")" ] ||
           cp -L "$lib" "$root/lib/x86_64-linux-gnu/" ;;
        esac
        if [ "$(basename "$lib")" = libc.so.6 ] &&
           [ ! -e "$root/lib/x86_64-linux-gnu/libgcc_s.so.1" ]; then
            lib=$(_libgcc_s "$@")
            [ -n "$lib" ] || die "libgcc_s.so.1 not found (install libgcc-s1)"
            cp -L "$lib" "$root/lib/x86_64-linux-gnu/"
        fi
    done <<<"$out"
}
_libgcc_s() {
    local d
    for d in "$@" /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
        [ -e "$d/libgcc_s.so.1" ] && { echo "$d/libgcc_s.so.1"; return; }
    done
}

pack_cpio() {
    local root=$1 out=$2
    mkdir -p "$(dirname "$out")"
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
        cpio -o -H newc --owner=0:0 --reproducible --quiet) | gzip -9n >"$out.tmp.$$" ||
        die "cannot pack $root into $out"
    mv "$out.tmp.$$" "$out"
}
