# shellcheck shell=bash disable=SC2034  # (variables are used by the scripts that source this)
# Shared helpers for the localstack/ scripts (sourced, not executed).
# Paths are resolved from this file, so the scripts work from any cwd.

LS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$LS_DIR")"
STATE_DIR="${VIDEOQUEUE_STATE_DIR:-$ROOT/.localstack}"
LS_VENV="$ROOT/.venv-localstack"
MOTO_VENV="$ROOT/.venv-moto"

# Pins (see README.md): dependencies are resolved as they were on this date, because newer
# cbor2 and pyOpenSSL releases break localstack-core 2026.3.0.
LOCALSTACK_VERSION="2026.3.0"
MOTO_VERSION="5.1.22"
UV_VERSION="0.13.9"
EXCLUDE_NEWER="2026-03-31T00:00:00Z"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# pid_alive PIDFILE PATTERN -> prints the pid and succeeds if the process in PIDFILE is running and its
# command line contains PATTERN (so a stale pid file whose pid was reused is not taken for ours).
pid_alive() {
    local pidfile=$1 pattern=$2 pid
    [ -s "$pidfile" ] || return 1
    pid=$(cat "$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != "Z" ] || return 1   # a zombie is not running
    [[ "$(ps -o args= -p "$pid" 2>/dev/null)" == *"$pattern"* ]] || return 1
    printf '%s\n' "$pid"
}

LOCALSTACK_CMD="localstack.runtime.main"   # what pid_alive looks for in the processes' command lines
MOTO_CMD="moto_server"

# port_in_use PORT -> succeeds if something listens on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# stop_group NAME PIDFILE PATTERN: stop what a start script started: TERM to its process group (the start scripts
# run the server under setsid, so its pid is also its process-group id) and to any descendant that moved
# to another group, wait up to 15 s, then KILL whatever is left.
stop_group() {
    local name=$1 pidfile=$2 pattern=$3 pid i strays=()
    if ! pid=$(pid_alive "$pidfile" "$pattern"); then
        if [ -e "$pidfile" ]; then
            log "$name is not running (removing stale $pidfile)"; rm -f "$pidfile"
        else
            log "$name is not running"
        fi
        return 0
    fi
    mapfile -t strays < <(descendants "$pid" | outside_group "$pid")
    log "stopping $name (process group $pid${strays[*]:+; descendants elsewhere: ${strays[*]}})"
    kill -TERM -- "-$pid" 2>/dev/null || true
    ((${#strays[@]} == 0)) || kill -TERM "${strays[@]}" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        anything_alive "$pid" "${strays[@]}" || break
        sleep 0.1
    done
    if anything_alive "$pid" "${strays[@]}"; then
        log "$name did not exit within 15 s: sending KILL"
        kill -KILL -- "-$pid" 2>/dev/null || true
        ((${#strays[@]} == 0)) || kill -KILL "${strays[@]}" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do anything_alive "$pid" "${strays[@]}" || break; sleep 0.1; done
        anything_alive "$pid" "${strays[@]}" && die "$name (process group $pid) survived KILL"
    fi
    rm -f "$pidfile"
    log "$name stopped"
}

# descendants PID: every descendant's pid, one a line.
descendants() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { children[$2] = children[$2] " " $1 }
        END {
            queue = root
            while (queue != "") {
                split(queue, current, " "); queue = ""
                for (i in current) {
                    n = split(children[current[i]], kids, " ")
                    for (j = 1; j <= n; j++) { print kids[j]; queue = queue " " kids[j] }
                }
            }
        }'
}

# outside_group PGID: filters stdin's pids to those not in process group PGID.
outside_group() {
    local pgid=$1 p
    while read -r p; do
        [ "$(ps -o pgid= -p "$p" 2>/dev/null | tr -d ' ')" = "$pgid" ] || printf '%s\n' "$p"
    done
}

# anything_alive PGID [PID...]: succeeds while any non-zombie process is in group PGID or is one of PIDs.
anything_alive() {
    local pgid=$1; shift
    ps -e -o pid=,pgid=,stat= | awk -v g="$pgid" -v list=" $* " '
        $3 !~ /^Z/ && ($2 == g || index(list, " " $1 " ")) { found = 1 } END { exit !found }'
}
