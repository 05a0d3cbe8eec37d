#!/usr/bin/env bash
# A recording stopped by SIGTERM or SIGHUP (a guest that never ends, stopped by kill or a
# closed terminal) ends with a complete trace: the run prints one line, ends with the
# signal's status, and the file reads back without --recover. Covered: `ferry user` with
# the guest in a loop of chained translated code and blocked in a host read, the JIT
# and the interpreter, full, block and replay traces; `ferry run --hosted` with a guest
# in a loop. And a guest spinning in a translated self-loop under `ferry user`, which
# does not look for requests (block mode): a second signal ends the run at once.
# Usage: interrupt.sh FERRY HANG_ELF SYSSPIN_ELF WORKDIR
set -u
ferry=$1 hang=$2 sysspin=$3 dir=$4
if [ ! -s "$hang" ] || [ ! -s "$sysspin" ]; then
    echo "SKIP: the AArch64 test programs are not built (cross toolchain missing)"; exit 77
fi
mkdir -p "$dir"
fails=0 runs=0
# stdin: a FIFO this script holds open for writing and never writes to, so a read blocks
rm -f "$dir/stdin" "$dir/self.ft"
mkfifo "$dir/stdin" && exec 3<>"$dir/stdin" || { echo "FAIL: cannot make a FIFO in $dir"; exit 1; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# started FILE: the run has opened its trace (then, soon after, caught the signals) and
# run a little (a loaded machine may take a while to get there)
started() {
    local waited=0
    while [ ! -e "$1" ] && [ "$waited" -lt 100 ]; do
        sleep 0.05; waited=$((waited + 1))
    done
    sleep 0.2
}

# stopped NAME SIGNAL EXPECTED_STATUS MIN_INSNS FERRY-ARGS...: starts the run, signals it
# once it has recorded something, and checks its status, message and file.
stopped() {
    local name=$1 sig=$2 want=$3 min=$4
    shift 4
    local ft="$dir/$name.ft"
    rm -f "$ft"
    "$ferry" "$@" <"$dir/stdin" >"$dir/$name.out" 2>"$dir/$name.err" &
    local pid=$!
    started "$ft"
    kill "-$sig" "$pid"
    { wait "$pid"; } 2>/dev/null
    local rc=$?
    runs=$((runs + 1))
    if [ "$rc" -ne "$want" ]; then
        fail "$name: status $rc, expected $want; $(head -3 "$dir/$name.err")"
        return
    fi
    if ! grep -q ": the trace is finished, then the run ends$" "$dir/$name.err"; then
        fail "$name: no message that the trace was finished: $(head -3 "$dir/$name.err")"
        return
    fi
    if [[ $name == *replay ]]; then
        # reading a whole replay trace back runs it again (10 M instructions/s): its
        # first chunk will do (the file's end and index are checked on opening)
        if ! "$ferry" trace show "$ft" --count 3 >"$dir/$name.first" 2>&1 || [ "$(wc -l <"$dir/$name.first")" -ne 3 ]; then
            fail "$name: the trace does not read back: $(head -2 "$dir/$name.first")"
        fi
        return
    fi
    if ! "$ferry" trace stats "$ft" >"$dir/$name.stats" 2>&1; then
        fail "$name: the trace does not read back: $(head -2 "$dir/$name.stats")"
        return
    fi
    local n
    n=$(sed -n 's/^instructions: *\([0-9]*\) .*/\1/p' "$dir/$name.stats")
    if [ -z "$n" ] || [ "$n" -lt "$min" ]; then
        fail "$name: $n instructions recorded, expected at least $min"
        return
    fi
    if ! "$ferry" trace show "$ft" --from $((n - 1)) >"$dir/$name.last" 2>&1; then
        fail "$name: its last instruction cannot be shown: $(head -2 "$dir/$name.last")"
    fi
}

for mode in "" --trace-blocks --trace-replay; do
    tag=${mode#--trace-}; tag=${tag:-full}
    # a guest looping in translated code (two blocks chained to each other: only the
    # exit request stops it)
    stopped "user-spin-$tag" TERM 143 1000 user --trace "$dir/user-spin-$tag.ft" $mode "$hang"
    stopped "user-interp-spin-$tag" HUP 129 1000 user --interp --trace "$dir/user-interp-spin-$tag.ft" $mode "$hang"
    # a guest blocked in a host read: the signal ends the read
    stopped "user-read-$tag" TERM 143 5 user --trace "$dir/user-read-$tag.ft" $mode "$hang" block
    stopped "hosted-spin-$tag" TERM 143 1000 run --hosted --kernel "$sysspin" --trace "$dir/hosted-spin-$tag.ft" $mode
done
# A self-loop in block mode: the first signal is noted, the second ends the run.
"$ferry" user --trace "$dir/self.ft" --trace-blocks "$hang" self <"$dir/stdin" >"$dir/self.out" 2>"$dir/self.err" &
pid=$!
started "$dir/self.ft"
kill -TERM "$pid"
sleep 0.3
if ! kill -0 "$pid" 2>/dev/null; then
    fail "self-loop: the first signal ended the run (status $( { wait "$pid"; } 2>/dev/null; echo $?))"
else
    kill -TERM "$pid"
    { wait "$pid"; } 2>/dev/null
    rc=$?
    [ "$rc" -eq 143 ] || fail "self-loop: status $rc after the second signal, expected 143"
fi
runs=$((runs + 1))

# The read's trace ends with its SVC (the system call never returned).
if ! grep -qs "svc #0x0 .*exception ec=0x15" "$dir/user-read-full.last"; then
    fail "user-read-full: the last instruction is not the blocked SVC: $(cat "$dir/user-read-full.last" 2>/dev/null)"
fi

echo "interrupted recordings: $runs runs, $fails failures"
[ "$fails" -eq 0 ]
