#!/usr/bin/env bash
# Ctrl-C with the real engine: `ferry selftest` with a long compute loop gets SIGINT
# and must stop promptly (within 1 s), exit 130 and say "ferry: interrupted" - both
# while the engine runs its loop inside the VM and while the host runs its own copy
# (FERRY_HC_HOST_LOOP, which the host must break off). Usage: interrupt.sh BUILD_DIR
set -u
build=$1
. "$(dirname "$0")/../host/testlib.sh"
require_kvm

now_ms() { date +%s%3N; }

# interrupt NAME DELAY_S ITERATIONS FERRY: SIGINT after DELAY_S, then checks the exit.
interrupt() {
    local name=$1 delay=$2 iterations=$3 ferry=$4 pid sent waited rc
    "$ferry" selftest --iterations "$iterations" --engine "$build/engine.elf" \
        >"$work/$name.out" 2>"$work/$name.err" &
    pid=$!
    sleep "$delay"
    if ! kill -0 "$pid" 2>/dev/null; then
        fail "$name: ferry ended before the signal"; wait "$pid"; return
    fi
    sent=$(now_ms)
    kill -s INT "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    waited=$(( $(now_ms) - sent ))
    if kill -0 "$pid" 2>/dev/null; then
        fail "$name: still running 5 s after SIGINT"; kill -9 "$pid"
    elif [ "$waited" -le 1000 ]; then pass "$name: stopped $waited ms after SIGINT"
    else fail "$name: stopped only $waited ms after SIGINT (limit 1000)"; fi
    wait "$pid"; rc=$?
    err="$work/$name.err"
    expect_rc "$name" 130
    expect_grep "$name" "$err" "ferry: interrupted"
    expect_no_grep "$name" "$work/$name.out" "; compute ratio"
}

for ferry in "$build/ferry" "$build/san/ferry"; do
    echo "Ctrl-C with $ferry"
    # 10^10 iterations: the engine's first loop runs for about 15 s; the signal comes
    # while it runs inside the VM.
    interrupt engine-loop 1 10000000000 "$ferry"
done
# 3*10^9 iterations (about 5 s a side): at 7 s the host is inside its first host loop
# (from about 5 to 10 s), which used to be deaf to signals until it finished.
interrupt host-loop 7 3000000000 "$build/ferry"
finish
