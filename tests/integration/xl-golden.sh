#!/usr/bin/env bash
# Golden tests of xl's configuration half, no hypervisor needed.
#
#   tests/integration/xl-golden.sh [XL]      (default build/tools/bin/xl)
#
# Each test in tests/xl/golden is one input:
#   NAME.cfg, NAME.xml   run as `xl -N create NAME.cfg`
#   NAME.cmd             one line of xl arguments (split at spaces)
# and its expectations:
#   NAME.json or NAME.out   the exact stdout
#   NAME.err                the exact stderr, then a line `exit status: N`
# Without NAME.err the exit status must be 0 (stderr is not compared).
# Prints `PASS: xl-golden/NAME` or `FAIL: xl-golden/NAME` with the diff,
# and exits 1 if any test failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
xl=$(realpath -m "${1:-$root/build/tools/bin/xl}")
dir=$root/tests/xl/golden
if [ ! -x "$xl" ]; then
    echo "xl-golden: $xl not built (make build/tools/bin/xl)" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$dir" || exit 2

failed=0
shopt -s nullglob
for input in *.cfg *.xml *.cmd; do
    name=${input%.*}
    case $input in
    *.cmd) read -r -a args <"$input" ;;
    *) args=(-N create "$input") ;;
    esac
    "$xl" "${args[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    echo "exit status: $status" >>"$tmp/err"
    ok=1
    report=
    expected_out=
    [ -f "$name.json" ] && expected_out=$name.json
    [ -f "$name.out" ] && expected_out=$name.out
    if [ -z "$expected_out" ] && [ ! -f "$name.err" ]; then
        ok=0
        report="no $name.json, $name.out or $name.err"
    fi
    if [ -n "$expected_out" ] && ! d=$(diff -u "$expected_out" "$tmp/out"); then
        ok=0
        report+=$d$'\n'
    fi
    if [ -f "$name.err" ]; then
        if ! d=$(diff -u "$name.err" "$tmp/err"); then
            ok=0
            report+=$d$'\n'
        fi
    elif [ $status -ne 0 ]; then
        ok=0
        report+="exit status $status, expected 0: $(head -5 "$tmp/err")"$'\n'
    fi
    if [ $ok -eq 1 ]; then
        echo "PASS: xl-golden/$name"
    else
        echo "FAIL: xl-golden/$name"
        printf '%s\n' "$report" | sed 's/^/    /'
        failed=1
    fi
done
exit $failed
