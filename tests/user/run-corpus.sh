#!/usr/bin/env bash
# Differential test of the user-mode runner: every corpus program (-O0 and -O2) runs
# under qemu-aarch64 (the reference), `ferry user` (JIT) and `ferry user --interp`;
# stdout and the exit status must be identical, and stderr too unless the program
# dies of a signal (then the emulators' own messages differ by design). A subset also
# runs under the ASan/UBSan build of ferry.
# Usage: run-corpus.sh FERRY SAN_FERRY PROG_DIR SRC_DIR [NAME...]
set -u
ferry=$1 san_ferry=$2 progs=$3 srcs=$4
shift 4
only=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
limit=${USER_CORPUS_TIMEOUT:-60}
passed=0 failed=0 failures=()
# USER_CORPUS_SAN=all runs every program under the sanitizer build too.
san_subset=${USER_CORPUS_SAN:-"hello strings heap fileio signals mmap_ops floats"}

run_one() { # OUT_PREFIX STDIN ARGV...
    local prefix=$1 input=$2
    shift 2
    # The subshell's own stderr is dropped: that is where bash reports "Segmentation
    # fault" for a child killed by a signal, which the tests expect.
    (
        env -i PATH=/usr/bin:/bin FERRY_TEST_VAR=hello LC_ALL=C \
            timeout "$limit" "$@" <"$input" >"$prefix.out" 2>"$prefix.err"
        echo $? >"$prefix.rc"
    ) 2>/dev/null
}

compare() { # NAME MODE REF_PREFIX GOT_PREFIX
    local name=$1 mode=$2 ref=$3 got=$4 why=""
    [ "$(cat "$ref.rc")" = "$(cat "$got.rc")" ] || why="exit status $(cat "$got.rc"), expected $(cat "$ref.rc")"
    [ -z "$why" ] && ! cmp -s "$ref.out" "$got.out" && why="stdout differs"
    if [ -z "$why" ] && [ "$(cat "$ref.rc")" -lt 128 ] && ! cmp -s "$ref.err" "$got.err"; then
        why="stderr differs"
    fi
    if [ -n "$why" ]; then
        failed=$((failed + 1)); failures+=("$name/$mode")
        echo "FAIL $name [$mode]: $why"
        diff "$ref.out" "$got.out" | head -8 | sed 's/^/    /'
        grep -v '^ferry stats' "$got.err" | head -5 | sed 's/^/    stderr: /'
    else
        passed=$((passed + 1))
    fi
}

# Programs are NAME-O0/NAME-O2 (corpus) or plain NAME (regression programs).
for bin in "$progs"/*; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    name=$(basename "$bin")
    base=${name%-O[02]}
    if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $base "* ]]; then continue; fi
    args=()
    [ -f "$srcs/$base.args" ] && eval "args=($(cat "$srcs/$base.args"))"
    input=/dev/null
    [ -f "$srcs/$base.stdin" ] && input=$srcs/$base.stdin
    run_one "$tmp/ref" "$input" qemu-aarch64 "$bin" "${args[@]}"
    run_one "$tmp/jit" "$input" "$ferry" user "$bin" "${args[@]}"
    compare "$name" jit "$tmp/ref" "$tmp/jit"
    run_one "$tmp/interp" "$input" "$ferry" user --interp "$bin" "${args[@]}"
    compare "$name" interp "$tmp/ref" "$tmp/interp"
    if { [ "$san_subset" = all ] || [[ " $san_subset " == *" $base "* ]]; } && [ "${name%-O0}" = "$name" ]; then
        run_one "$tmp/san" "$input" "$san_ferry" user "$bin" "${args[@]}"
        compare "$name" san-jit "$tmp/ref" "$tmp/san"
    fi
done

echo "user corpus: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed: ${failures[*]}"; exit 1; }
