# The toolstack's integration checks (issue 5), run inside Dom0 by
# tests/integration/toolstack.sh through dom0-run.sh: xl's commands and
# output shapes, a guest's life (create, console, pause, rename, sysrq,
# memory, shutdown, reboot with on_reboot=restart, destroy, create -c,
# libvirt XML), configs with errors, and failed creates that must leave
# nothing behind. busybox sh. One line per check:
#   PASS: toolstack/<check>   or   FAIL: toolstack/<check>: <why>
CFG=/etc/xen/auto/default.cfg
T=/tmp/toolstack
mkdir -p "$T"
failed=0

pass() { echo "PASS: toolstack/$1"; }
fail() { echo "FAIL: toolstack/$1: $2"; failed=1; }

# Waits up to $2 s for command $3... to succeed (one try per second).
wait_for() {
    n=$2
    shift 2
    while [ "$n" -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 1
        n=$((n - 1))
    done
    return 1
}

# Follows guest $1's console into file $2 in the background (for 300 s).
follow_console() {
    timeout 300 xl console "$1" </dev/null >"$2" 2>&1 &
}
# The guest's init answers shutdown requests once it printed its ready
# line (its signal handlers are set): one asked earlier is lost, as on a
# real machine asked to power off while it boots.
guest_ready() { # console-file
    grep -q XENOLITH-DOMU-READY "$1"
}

# What a domain leaves in the system: domains, xenstore homes, /vm, /libxl,
# backends, monitors and ptys. Compared before and after a failed create.
footprint() {
    xl list | awk 'NR > 1 { print "dom", $1 }'
    for d in /local/domain /vm /libxl /local/domain/0/backend/console; do
        echo "xs $d: $(xenstore-list "$d" 2>/dev/null | tr '\n' ' ')"
    done
    echo "monitors: $(ps | grep -c '[x]l monitor\|[x]l create')"
    echo "ptys: $(ls /dev/pts | wc -l)"
    echo "userdata: $(ls /var/lib/xen/userdata-* 2>/dev/null | wc -l)"
}

# --- host information -----------------------------------------------------
xl info >"$T/info" 2>&1
names=$(cut -c1-23 "$T/info" | sed 's/ *$//' | tr '\n' ' ')
want="host release version machine nr_cpus max_cpu_id nr_nodes cores_per_socket threads_per_core cpu_mhz hw_caps virt_caps total_memory free_memory sharing_freed_memory sharing_used_memory outstanding_claims free_cpus xen_major xen_minor xen_extra xen_version xen_caps xen_scheduler xen_pagesize platform_params xen_changeset xen_commandline cc_compiler cc_compile_by cc_compile_domain cc_compile_date build_id xend_config_format "
if [ "$names" = "$want" ] && ! grep -qv '^[a-z_]* *:' "$T/info" && [ "$(cut -c24 "$T/info" | sort -u)" = ":" ]; then
    pass info-fields
else
    fail info-fields "fields [$names] or their format differ from xl's: $(head -c 300 "$T/info")"
fi
major=$(xl info xen_major)
[ "$major" = 4 ] && pass info-one-field || fail info-one-field "xl info xen_major printed '$major'"
xl info no_such_field >/dev/null 2>&1 && fail info-bad-field "exit 0 for an unknown field" || pass info-bad-field

header=$(printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)')
xl list >"$T/list" 2>&1
if [ "$(head -n1 "$T/list")" = "$header" ] && sed -n 2p "$T/list" | grep -qE '^Domain-0 {36} +0 +[0-9]+ +[0-9]+     r-----  +[0-9]+\.[0-9]$'; then
    pass list-dom0
else
    fail list-dom0 "$(head -n2 "$T/list")"
fi
xl dmesg >"$T/dmesg" 2>&1
grep -q '(XEN)' "$T/dmesg" && pass dmesg || fail dmesg "no (XEN) line in xl dmesg: $(head -c 200 "$T/dmesg")"

# --- a guest's life ---------------------------------------------------------
before=$(footprint)
if xl create "$CFG" >"$T/create" 2>&1; then pass create; else fail create "$(cat "$T/create")"; fi
id=$(xl domid default 2>/dev/null)
[ -n "$id" ] && [ "$(xl domname "$id" 2>&1)" = default ] && pass domid-domname ||
    fail domid-domname "domid '$id', domname '$(xl domname "$id" 2>&1)'"
xl list default 2>&1 | grep -qE "^default {33} +$id +128 +1     [-r][-b]----  +[0-9]+\.[0-9]$" &&
    pass list-guest || fail list-guest "$(xl list default 2>&1)"
# The guest's home with libxl's permissions: Dom0's directories readable by
# the guest, the guest's own nodes its own (xl leaves some to inheritance).
home=$(xenstore-ls -p /local/domain/$id 2>&1)
bad=""
for k in cpu memory control device console; do
    printf '%s\n' "$home" | grep -qE "^$k = .*\(n0,r$id\)$" || bad="$bad $k"
done
for k in data drivers feature attr error; do
    printf '%s\n' "$home" | grep -qE "^$k = .*\(n$id\)$" || bad="$bad $k"
done
[ -z "$bad" ] && pass home-perms || fail home-perms "wrong or missing:$bad: $(printf '%s' "$home" | head -c 400)"

timeout 120 xl console default </dev/null >"$T/console" 2>&1 &
console=$!
if wait_for "" 90 grep -q XENOLITH-DOMU-UP "$T/console"; then pass console; else
    fail console "no banner in 90 s: $(tail -c 300 "$T/console")"; fi
wait_for "" 30 guest_ready "$T/console"

xl list -l default >"$T/long" 2>&1
grep -q "\"domid\": $id," "$T/long" && grep -q '"name": "default"' "$T/long" && head -n1 "$T/long" | grep -q '^\[' &&
    pass list-long || fail list-long "$(head -c 300 "$T/long")"
xl vcpu-list default >"$T/vcpus" 2>&1
if head -n1 "$T/vcpus" | grep -q '^Name  *ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)$' &&
   sed -n 2p "$T/vcpus" | grep -qE "^default +$id +0 +[0-9]+ +[-r][-b]- +[0-9]+\.[0-9]  [a-z0-9,-]+ / [a-z0-9,-]+$"; then
    pass vcpu-list
else
    fail vcpu-list "$(cat "$T/vcpus")"
fi
xl uptime default 2>&1 | grep -qE "^default +$id +[ 0-9]+:[0-9]{2}:[0-9]{2}$" && pass uptime ||
    fail uptime "$(xl uptime default 2>&1)"

# The third state letter is p while paused (r and b may come and go).
state() { xl list default 2>/dev/null | awk 'NR == 2 { print $5 }'; }
xl pause default && case $(state) in ??p*) true ;; *) false ;; esac && pass pause ||
    fail pause "$(xl list default 2>&1)"
xl unpause default && case $(state) in ??-*) true ;; *) false ;; esac && pass unpause ||
    fail unpause "$(xl list default 2>&1)"

xl rename default renamed && [ "$(xl domid renamed)" = "$id" ] && xl rename renamed default &&
    [ "$(xl domid default)" = "$id" ] && pass rename || fail rename "$(xl list 2>&1)"
xl rename default Domain-0 >"$T/rename" 2>&1 && fail rename-taken "renamed to an existing name" || pass rename-taken

# The guest's kernel answers sysrq h with its help line on the console.
xl sysrq default h && wait_for "" 20 grep -q 'sysrq: HELP' "$T/console" && pass sysrq ||
    fail sysrq "no 'sysrq: HELP' on the console"
xl mem-set default 120m && [ "$(xenstore-read /local/domain/$id/memory/target)" = 122880 ] &&
    pass mem-set || fail mem-set "memory/target is '$(xenstore-read /local/domain/$id/memory/target 2>&1)'"
xl mem-max default 256m && [ "$(xenstore-read /local/domain/$id/memory/static-max)" = 262144 ] &&
    pass mem-max || fail mem-max "memory/static-max is '$(xenstore-read /local/domain/$id/memory/static-max 2>&1)'"
xl mem-set default 12q >/dev/null 2>&1 && fail mem-set-bad "accepted 12q" || pass mem-set-bad

# on_reboot = "restart" (the default config's): a new domain of the same name.
xl reboot default
if wait_for "" 60 sh -c "n=\$(xl domid default) && [ \"\$n\" != $id ]"; then
    new=$(xl domid default)
    wait_for "" 30 grep -q "restarted as domain $new" /var/log/xen/xl-default.log && pass reboot-restart ||
        fail reboot-restart "no restart line in xl-default.log: $(cat /var/log/xen/xl-default.log)"
else
    fail reboot-restart "domain $id was not replaced in 60 s: $(xl list 2>&1)"
    new=$id
fi
kill "$console" 2>/dev/null

if xl shutdown -w default >"$T/shutdown" 2>&1 && ! xl domid default >/dev/null 2>&1; then
    pass shutdown-wait
else
    fail shutdown-wait "$(cat "$T/shutdown"; xl list 2>&1)"
fi
wait_for "" 10 sh -c "! ps | grep -q '[x]l create'"
after=$(footprint)
[ "$before" = "$after" ] && pass shutdown-clean || fail shutdown-clean "before: $before / after: $after"

xl create "$CFG" >/dev/null 2>&1 && id=$(xl domid default) && xl destroy default &&
    ! xl domid default >/dev/null 2>&1 && [ -z "$(xenstore-list /local/domain/$id 2>/dev/null)" ] &&
    pass destroy || fail destroy "$(xl list 2>&1)"
wait_for "" 10 sh -c "! ps | grep -q '[x]l create'"
after=$(footprint)
[ "$before" = "$after" ] && pass destroy-clean || fail destroy-clean "before: $before / after: $after"

# xl create -c: the console from the first byte, until the guest powers off.
if timeout 120 xl create -c "$CFG" 'extra="console=hvc0 xenolith.domu=poweroff"' </dev/null >"$T/create-c" 2>&1 &&
   grep -q XENOLITH-DOMU-UP "$T/create-c"; then
    pass create-console
else
    fail create-console "$(tail -c 300 "$T/create-c")"
fi
wait_for "" 20 sh -c "! xl domid default" && pass poweroff-destroy || fail poweroff-destroy "$(xl list 2>&1)"

# on_crash = "preserve": a crashed guest stays, shown as shut down with
# reason c (xl list's "-rscwS" letters), until destroyed. sysrq c panics
# the guest's kernel, which reports SHUTDOWN_crash.
# The guest's init allows every sysrq key: wait until it is ready.
if xl create "$CFG" 'name="crasher"' 'on_crash="preserve"' >"$T/crash" 2>&1 &&
   follow_console crasher "$T/crash-console" &&
   wait_for "" 90 guest_ready "$T/crash-console" &&
   xl sysrq crasher c && wait_for "" 30 sh -c "xl list crasher | grep -q ' ---sc-  '" &&
   sleep 2 && xl list crasher | grep -q ' ---sc-  '; then
    pass crash-preserve
else
    fail crash-preserve "$(cat "$T/crash"; xl list 2>&1; cat /var/log/xen/xl-crasher.log; tail -c 300 "$T/crash-console")"
fi
xl destroy crasher >/dev/null 2>&1

# shutdown -a -w: every guest, waiting for all of them.
xl create "$CFG" 'name="one"' >/dev/null 2>&1 && follow_console one "$T/one"
xl create "$CFG" 'name="two"' >/dev/null 2>&1 && follow_console two "$T/two"
wait_for "" 120 guest_ready "$T/one" && wait_for "" 120 guest_ready "$T/two"
if timeout 120 xl shutdown -a -w -w >"$T/all" 2>&1 && ! xl domid one >/dev/null 2>&1 &&
   ! xl domid two >/dev/null 2>&1; then
    pass shutdown-all
else
    fail shutdown-all "$(cat "$T/all"; xl list 2>&1; tail -c 200 "$T/one"; tail -c 200 "$T/two")"
    xl destroy one >/dev/null 2>&1
    xl destroy two >/dev/null 2>&1
fi

# A libvirt domain XML is accepted as well as xl.cfg.
if xl config-convert --to-xml "$CFG" >"$T/default.xml" 2>"$T/convert" &&
   xl create "$T/default.xml" >"$T/create-xml" 2>&1 && xl list default >/dev/null 2>&1; then
    pass create-xml
else
    fail create-xml "$(cat "$T/convert" "$T/create-xml")"
fi
xl destroy default >/dev/null 2>&1

# --- errors: one clear message, a non-zero exit, nothing left behind -------
before=$(footprint)
printf 'name = "broken"\nmemory = 64\nkernel = "/var/lib/xen/images/default/vmlinuz"\nvcpus = [1\n' >"$T/syntax.cfg"
xl create "$T/syntax.cfg" >"$T/err" 2>&1 && fail config-syntax "exit 0" ||
    { grep -q "^$T/syntax.cfg:[0-9]*:[0-9]*: " "$T/err" && pass config-syntax || fail config-syntax "$(cat "$T/err")"; }
printf 'name = "typo"\nmemroy = 64\nkernel = "/var/lib/xen/images/default/vmlinuz"\n' >"$T/typo.cfg"
xl -N create "$T/typo.cfg" >/dev/null 2>"$T/err"
grep -q "did you mean 'memory'" "$T/err" && pass config-typo-warning || fail config-typo-warning "$(cat "$T/err")"

failed_create() { # check-name expected-message-pattern config-lines...
    name=$1 pattern=$2
    shift 2
    printf '%s\n' "$@" >"$T/$name.cfg"
    if xl create "$T/$name.cfg" >"$T/err" 2>&1; then
        fail "$name" "exit 0"
    elif ! grep -q "$pattern" "$T/err"; then
        fail "$name" "message does not say '$pattern': $(cat "$T/err")"
    else
        pass "$name"
    fi
    wait_for "" 5 sh -c "! ps | grep -q '[x]l create'"
    after=$(footprint)
    [ "$before" = "$after" ] && pass "$name-clean" || fail "$name-clean" "before: $before / after: $after"
}
failed_create create-no-kernel-file "/nonexistent/vmlinuz" \
    'name = "nokernel"' 'memory = 64' 'kernel = "/nonexistent/vmlinuz"'
head -c 65536 /dev/urandom >"$T/garbage.kernel"
failed_create create-bad-kernel "garbage.kernel" \
    'name = "badkernel"' 'memory = 64' "kernel = \"$T/garbage.kernel\""
failed_create create-too-much-memory "not enough free memory" \
    'name = "huge"' 'memory = 1000000' 'kernel = "/var/lib/xen/images/default/vmlinuz"'
failed_create create-name-taken "already used" \
    'name = "Domain-0"' 'memory = 64' 'kernel = "/var/lib/xen/images/default/vmlinuz"'

exit $failed
