# Shared by the hotplug scripts (sourced). The toolstack runs a script as
#   SCRIPT online|offline|add|remove
# with XENBUS_PATH=backend/<kind>/<domid>/<devid> (relative to Dom0's home,
# /local/domain/0) in the environment (xl-inventory A1(d)). A script
# reports to the toolstack through xenstore: hotplug-status=connected on
# success; on failure hotplug-error=<why> and hotplug-status=error, and a
# non-zero exit. Every message names the device and the cause.

HOTPLUG_LOG=${HOTPLUG_LOG:-/var/log/xen/xen-hotplug.log}

# The iproute2 `ip` (busybox's applet lacks `link set ... master`).
find_ip() {
    for ip in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do
        [ -x "$ip" ] && [ "$(readlink -f "$ip")" != /bin/busybox ] && { echo "$ip"; return 0; }
    done
    echo ip
}
IP=${IP:-$(find_ip)}

log() {
    mkdir -p "$(dirname "$HOTPLUG_LOG")" 2>/dev/null
    echo "$(date '+%F %T') $script_name $command $XENBUS_PATH: $*" >>"$HOTPLUG_LOG" 2>/dev/null
}

# Backend node $1, or empty.
xs_backend_read() {
    xenstore-read "/local/domain/0/$XENBUS_PATH/$1" 2>/dev/null
}

xs_backend_write() {
    xenstore-write "/local/domain/0/$XENBUS_PATH/$1" "$2"
}

success() {
    log "connected"
    xs_backend_write hotplug-status connected
}

fatal() {
    echo "$script_name: $XENBUS_PATH: $*" >&2
    log "error: $*"
    xs_backend_write hotplug-error "$*" 2>/dev/null
    xs_backend_write hotplug-status error 2>/dev/null
    exit 1
}

hotplug_init() {
    script_name=$(basename "$0")
    command=${1:-}
    [ -n "${XENBUS_PATH:-}" ] || { echo "$script_name: XENBUS_PATH is not set (run by the toolstack)" >&2; exit 2; }
    case $command in
    online|offline|add|remove) ;;
    *) echo "$script_name: '$command': expected online, offline, add or remove" >&2; exit 2 ;;
    esac
}
