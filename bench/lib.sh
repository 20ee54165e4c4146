# Shared by the Dom0-image benchmarks (bench/toolstack.sh, bench/devices.sh),
# sourced once their options are read; then bench_begin NAME.

# To the top of the tree; say() and die() print lines that start with NAME.
bench_begin() {
    bench_name=$1
    cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
}
say() { printf '%s: %s\n' "$bench_name" "$*"; }
die() { printf '%s: %s\n' "$bench_name" "$*" >&2; exit 1; }

# The log label of a hypervisor image.
label_of() {
    case $1 in
    build/xen-4.17/xen) echo xen-4.17 ;;
    xen/xen) echo xenolith ;;
    *) basename "$1" ;;
    esac
}

# Fetches or builds each hypervisor image named, and our toolstack as the
# tree has it now (the Dom0 image takes build/tools/bin).
prepare_hypervisors() {
    local h
    for h in "$@"; do
        case $h in
        build/xen-4.17/xen) scripts/fetch-xen.sh >/dev/null || die "cannot fetch the real Xen 4.17" ;;
        xen/xen) make --no-print-directory xen >/dev/null ||
                     { [ -f xen/xen ] && say "make xen failed: using the xen/xen there is"; } ||
                     die "make xen failed" ;;
        esac
        [ -f "$h" ] || die "$h: no such hypervisor image"
    done
    make --no-print-directory tools >/dev/null ||
        say "make tools failed: the Dom0 image gets the build/tools/bin there is"
}
