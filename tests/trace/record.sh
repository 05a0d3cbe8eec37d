#!/usr/bin/env bash
# Recording traces with `ferry user --trace`:
#  - the JIT's trace equals the interpreter's, instruction for instruction (registers,
#    memory values, exceptions), on the user corpus and the regression programs (tagged
#    pointers, host faults with guest handlers, self-modifying code, alignment faults);
#  - a replay trace (--trace-replay: block entries and load values) read back equals the
#    full trace, instruction for instruction, on the same programs (translated code and,
#    on the regression programs, the interpreter);
#  - block mode covers the same instructions as a full trace;
#  - each recording filter, and the recording errors (unwritable file, full disk, bad
#    options);
#  - the instruction count of a trace equals the QEMU plugin's for a deterministic
#    program, and `ferry trace diff` finds no difference in PCs, encodings and accesses.
# The runs are made reproducible with --seed (AT_RANDOM, getrandom) and, for the process
# ids that reach registers (set_tid_address, getpid), a PID namespace: `unshare -p -f`
# (root). Skipped (exit 77) without it or without the test programs.
# Usage: record.sh FERRY PROG_DIR SRC_DIR REGRESS_DIR LOOP_ELF PLUGIN WORKDIR
set -u
ferry=$1 progs=$2 srcs=$3 regress=$4 loop=$5 plugin=$6 dir=$7
if ! unshare -p -f true 2>/dev/null; then
    echo "SKIP: unshare -p (a PID namespace, needs root) is not available"; exit 77
fi
if [ ! -s "$loop" ] || [ ! -d "$progs" ]; then
    echo "SKIP: the AArch64 test programs are not built (cross toolchain missing)"; exit 77
fi
mkdir -p "$dir"
fails=0 compared=0 insns=0 replayed=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

run() { # OUT.ft STDIN FERRY-ARGS... : a reproducible run, stdout and status kept
    local ft=$1 input=$2
    shift 2
    (env -i PATH=/usr/bin:/bin LC_ALL=C timeout 300 unshare -p -f "$ferry" user --seed 7 --trace "$ft" "$@" \
        <"$input" >"$ft.out" 2>"$ft.err"; echo $? >"$ft.rc") 2>/dev/null
}

# ---- the JIT against the interpreter ----------------------------------------------
# The first 3 million instructions of each run are compared (the whole run executes,
# so its output and status are compared too): enough for every program but the long
# loops of compute, sort and heap, and it keeps the test within a minute.
jit_vs_interp() { # NAME BINARY STDIN
    local name=$1 bin=$2 input=$3
    run "$dir/jit.ft" "$input" --trace-count 3000000 "$bin"
    run "$dir/interp.ft" "$input" --interp --trace-count 3000000 "$bin"
    if ! cmp -s "$dir/jit.ft.rc" "$dir/interp.ft.rc" || ! cmp -s "$dir/jit.ft.out" "$dir/interp.ft.out"; then
        fail "$name: the JIT and the interpreter ran differently (status $(cat "$dir/jit.ft.rc") vs $(cat "$dir/interp.ft.rc"))"
        return
    fi
    if ! "$ferry" trace diff "$dir/jit.ft" "$dir/interp.ft" >"$dir/diff.out" 2>&1; then
        fail "$name: traces differ"
        head -12 "$dir/diff.out" | sed 's/^/    /'
        return
    fi
    local n
    n=$(sed -n 's/^traces identical: \([0-9]*\) instructions compared (PC, EL, encoding, registers, memory, exceptions)$/\1/p' "$dir/diff.out")
    if [ -z "$n" ] || [ "$n" -lt 2 ]; then
        fail "$name: $(head -1 "$dir/diff.out")"
        return
    fi
    compared=$((compared + 1)) insns=$((insns + n))
    replay_vs_full "$name" "$bin" "$input" "$n" ""
    case $name in regress/*) replay_vs_full "$name" "$bin" "$input" "$n" --interp ;; esac
}

# A replay trace of the whole run, read back (the reader runs its instructions again),
# against the full trace's instructions (its first N).
replay_vs_full() { # NAME BINARY STDIN N [--interp]
    local name=$1 bin=$2 input=$3 n=$4 mode=$5
    run "$dir/replay.ft" "$input" $mode --trace-replay "$bin"
    if ! cmp -s "$dir/jit.ft.rc" "$dir/replay.ft.rc" || ! cmp -s "$dir/jit.ft.out" "$dir/replay.ft.out"; then
        fail "$name ${mode:-jit}: the replay-traced run ran differently (status $(cat "$dir/replay.ft.rc"))"
        return
    fi
    if ! "$ferry" trace diff --count "$n" "$dir/jit.ft" "$dir/replay.ft" >"$dir/diff.out" 2>&1 ||
        ! grep -qx "traces identical: $n instructions compared (PC, EL, encoding, registers, memory, exceptions)" "$dir/diff.out"; then
        fail "$name ${mode:-jit}: the replay trace read back differs from the full trace"
        head -12 "$dir/diff.out" | sed 's/^/    /'
        return
    fi
    # and the rest of the run reads back too (every recorded state checked)
    if ! "$ferry" trace stats "$dir/replay.ft" >/dev/null 2>"$dir/replay.err"; then
        fail "$name ${mode:-jit}: the replay trace does not read back: $(head -1 "$dir/replay.err")"
        return
    fi
    replayed=$((replayed + 1))
}

# Programs whose runs depend on the clock or the machine are left out: clocks and
# system_info by what they do, fileio and mmap_ops because glibc names their temporary
# files from the clock. Everything else in the corpus is deterministic under --seed and
# a PID namespace.
for bin in "$progs"/*-O0 "$progs"/*-O2; do
    name=$(basename "$bin")
    case ${name%-O[02]} in clocks|system_info|fileio|mmap_ops) continue ;; esac
    input=/dev/null
    [ -f "$srcs/${name%-O[02]}.stdin" ] && input=$srcs/${name%-O[02]}.stdin
    jit_vs_interp "$name" "$bin" "$input"
done
for bin in "$regress"/*; do
    [ -x "$bin" ] || continue
    jit_vs_interp "regress/$(basename "$bin")" "$bin" /dev/null
done
echo "trace recording: JIT = interpreter on $compared programs ($insns instructions); replay = full on $replayed runs"

# ---- block mode ---------------------------------------------------------------------
for mode in "" --interp; do
    run "$dir/full.ft" /dev/null $mode "$progs/sort-O2"
    run "$dir/blocks.ft" /dev/null $mode --trace-blocks "$progs/sort-O2"
    full=$("$ferry" trace stats "$dir/full.ft" | sed -n 's/^instructions: \([0-9]*\) .*/\1/p')
    blocks=$("$ferry" trace stats "$dir/blocks.ft" | sed -n 's/^instructions: \([0-9]*\) in \([0-9]*\) records.*/\1 \2/p')
    [ -n "$full" ] && [ "${blocks% *}" = "$full" ] && [ "${blocks#* }" -lt "$full" ] ||
        fail "block mode ${mode:-jit}: $blocks (instructions, records) against $full instructions in full"
done

# ---- exceptions ------------------------------------------------------------------------
# dead_loads: system calls, and loads that fault into the program's SIGSEGV handler.
run "$dir/exc.ft" /dev/null "$regress/dead_loads"
"$ferry" trace stats "$dir/exc.ft" >"$dir/exc.stats"
grep -Eq '^  ec=0x15 svc +[1-9]' "$dir/exc.stats" && grep -Eq '^  ec=0x24 data abort \(lower EL\) +9$' "$dir/exc.stats" ||
    fail "exceptions in a user-mode trace: $(grep -A3 '^exceptions' "$dir/exc.stats" | tr '\n' ' ')"

# ---- filters --------------------------------------------------------------------------
# loop.elf: 2 instructions, the 4-instruction loop body 1000 times from 0x400080, 3 more.
run "$dir/window.ft" /dev/null --trace-skip 100 --trace-count 50 "$loop"
"$ferry" trace stats "$dir/window.ft" | grep -q '^instructions: 50 in 50 records, sequence 100..150' ||
    fail "window: $("$ferry" trace stats "$dir/window.ft" | grep ^instructions)"
[ "$("$ferry" trace show "$dir/window.ft" | head -1 | awk '{print $1}')" = 100 ] || fail "window: first record"
run "$dir/pc.ft" /dev/null --trace-pc 0x400088..0x400090 "$loop"
[ "$("$ferry" trace show "$dir/pc.ft" | grep -c '  subs x0, x0, #0x1 ')" = 1000 ] &&
    [ "$("$ferry" trace show "$dir/pc.ft" | wc -l)" = 2000 ] || fail "pc range"
run "$dir/pc2.ft" /dev/null --trace-pc 0x400078 --trace-pc 0x400098 "$loop"
[ "$("$ferry" trace show "$dir/pc2.ft" | awk '{print $2}' | tr '\n' ' ')" = "0000000000400078 0000000000400098 " ] ||
    fail "two pc ranges"
run "$dir/el1.ft" /dev/null --trace-el 1 "$loop"
"$ferry" trace stats "$dir/el1.ft" | grep -q '^instructions: 0 ' || fail "el filter: EL1 of a user program"
run "$dir/el0.ft" /dev/null --trace-el 0 "$loop"
"$ferry" trace stats "$dir/el0.ft" | grep -q '^instructions: 4005 ' || fail "el filter: EL0"
"$ferry" trace stats "$dir/window.ft" | grep -q 'filters: .*skip=100 count=50' || fail "filters in the header"

# ---- the QEMU plugin counts the same instructions -------------------------------------
if command -v qemu-aarch64 >/dev/null; then
    run "$dir/ferry-loop.ft" /dev/null "$loop"
    qemu-aarch64 -plugin "$plugin,out=$dir/qemu-loop.ft" "$loop" 2>/dev/null
    q=$("$ferry" trace stats "$dir/qemu-loop.ft" | sed -n 's/^instructions: \([0-9]*\) .*/\1/p')
    f=$("$ferry" trace stats "$dir/ferry-loop.ft" | sed -n 's/^instructions: \([0-9]*\) .*/\1/p')
    [ -n "$q" ] && [ "$q" = "$f" ] || fail "instruction count: ferry $f, QEMU plugin $q"
    # stacks lie at different addresses in the two emulators: compare PCs and encodings
    "$ferry" trace diff --no-mem "$dir/ferry-loop.ft" "$dir/qemu-loop.ft" >/dev/null ||
        fail "ferry and QEMU traces of loop.elf differ"
else
    echo "note: qemu-aarch64 missing: plugin comparison not run"
fi

# ---- errors -------------------------------------------------------------------------
"$ferry" user --trace "$dir/no/such/dir/x.ft" "$loop" 2>"$dir/err" >/dev/null
[ $? -eq 1 ] && grep -q "ferry user: $dir/no/such/dir/x.ft: " "$dir/err" || fail "unwritable file: $(cat "$dir/err")"
"$ferry" user --trace-count 5 "$loop" 2>"$dir/err" >/dev/null
[ $? -eq 2 ] && grep -q 'need --trace FILE' "$dir/err" || fail "filter without --trace"
for bad in "--trace-count 0" "--trace-pc 9..3" "--trace-el 4" "--trace-skip x" "--trace ''" \
           "--trace x.ft --trace-replay --trace-count 5" "--trace x.ft --trace-replay --trace-blocks"; do
    eval "\"\$ferry\" user $bad \"\$loop\"" 2>"$dir/err" >/dev/null
    [ $? -eq 2 ] && grep -q "^ferry user: --trace" "$dir/err" || fail "bad option '$bad': $(cat "$dir/err")"
done
# A full disk: the file may not grow past 64 KiB (RLIMIT_FSIZE, SIGXFSZ ignored).
(ulimit -f 64; trap '' XFSZ; "$ferry" user --trace "$dir/big.ft" "$progs/sort-O2" >/dev/null 2>"$dir/err"; echo $? >"$dir/rc")
[ "$(cat "$dir/rc")" = 1 ] && grep -q "^ferry user: .*$dir/big.ft" "$dir/err" ||
    fail "full disk: status $(cat "$dir/rc"), $(cat "$dir/err")"

echo "trace recording: $fails failed"
[ "$fails" -eq 0 ]
