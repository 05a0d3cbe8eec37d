#!/usr/bin/env bash
# Tests of `ferry trace show|stats|diff` on traces test_trace writes: each show filter
# (alone and combined), seek, stats, diff (identical, differing at a known instruction,
# one trace shorter), error exits, --recover, and output into a closed pipe.
# Usage: cli.sh FERRY TEST_TRACE WORKDIR
set -u
ferry=$1; gen=$2; dir=$3
mkdir -p "$dir"
fails=0; n=0
check() {   # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1; shift
    n=$((n + 1))
    if ! "$@"; then echo "FAIL: $what"; fails=$((fails + 1)); fi
}

"$gen" sample "$dir/a.ft" --n 3000 --chunk 1000 || exit 1
"$gen" sample "$dir/b.ft" --n 3000 --chunk 700 || exit 1
"$gen" sample "$dir/c.ft" --n 3000 --differ-at 1234 || exit 1
"$gen" sample "$dir/d.ft" --n 2500 || exit 1
"$gen" sample "$dir/blk.ft" --n 500 --block --chunk 100 || exit 1
"$gen" sample "$dir/big.ft" --n 200000 || exit 1

# show
out=$("$ferry" trace show "$dir/a.ft")
check "show prints every record" [ "$(printf '%s\n' "$out" | wc -l)" -eq 3000 ]
check "show: first record" grep -qE '^ +0  0000000000400000 pa=40400000  EL0  a9400ac1  ldp x1, x2, \[x22\] +x1=0x' <<<"$(printf '%s\n' "$out" | head -1)"
check "show: register changes" grep -qE ' x[0-9]+=0x[0-9a-f]+' <<<"$out"
check "show: loads" grep -qE ' ld8 \[0x[0-9a-f]+\] = 0x' <<<"$out"
check "show: stores" grep -qE ' st8 \[0x[0-9a-f]+\] = 0x' <<<"$out"
check "show: vector registers" grep -qE ' v[0-9]+=0x[0-9a-f]{32}' <<<"$out"
check "show: system registers" grep -qE ' tpidr_el0=0x' <<<"$out"
check "show: exceptions" grep -qE '\| (exception|interrupt) ec=0x' <<<"$out"
check "show: physical PCs" grep -qE ' pa=[0-9a-f]+ ' <<<"$out"
check "show --count" [ "$("$ferry" trace show "$dir/a.ft" --count 7 | wc -l)" -eq 7 ]
first=$("$ferry" trace show "$dir/a.ft" --from 1500 --count 1 | awk '{print $1}')
check "show --from seeks ($first)" [ "$first" -ge 1500 -a "$first" -le 1510 ]
check "show --from agrees with the full listing" \
    grep -qF "$("$ferry" trace show "$dir/a.ft" --from 1500 --count 1)" <<<"$out"
pcs=$("$ferry" trace show "$dir/a.ft" --pc 0x400000..0x400010 | awk '{print $2}' | sort -u | tr '\n' ' ')
check "show --pc range ($pcs)" [ "$pcs" = "0000000000400000 0000000000400004 0000000000400008 000000000040000c " ]
check "show --pc single" [ "$("$ferry" trace show "$dir/a.ft" --pc 0x400004 | awk '{print $2}' | sort -u)" = 0000000000400004 ]
el2=$("$ferry" trace show "$dir/a.ft" --el 2)
check "show --el" [ -n "$el2" ] && check "show --el only EL2" [ -z "$(grep -v '  EL2  ' <<<"$el2")" ]
x3=$("$ferry" trace show "$dir/a.ft" --reg x3)
check "show --reg" [ -n "$x3" ] && check "show --reg only x3 writes" [ -z "$(grep -v ' x3=' <<<"$x3")" ]
check "show --reg nzcv" [ -z "$("$ferry" trace show "$dir/a.ft" --reg nzcv | grep -vE ' nzcv(=| |$)')" ]
mem=$("$ferry" trace show "$dir/a.ft" --mem 0x80000000..0x80010000)
check "show --mem" [ -n "$mem" ] && check "show --mem only matching" [ -z "$(grep -v ' \[0x8000[0-9a-f]\{4\}\]' <<<"$mem")" ]
both=$("$ferry" trace show "$dir/a.ft" --from 100 --pc 0x400000..0x400100 --reg x1 --count 3)
check "show: combined filters" [ "$(wc -l <<<"$both")" -eq 3 ]
check "show: combined filters agree" [ -z "$(awk '$1 < 100 || $2 > "0000000000400100"' <<<"$both")$(grep -v ' x1=' <<<"$both")" ]
check "show: block mode" grep -q 'block of [0-9]* instructions' <<<"$("$ferry" trace show "$dir/blk.ft" --count 3)"

# Pipes: a closed pipe ends show quietly with status 0.
"$ferry" trace show "$dir/big.ft" 2>"$dir/pipe.err" | head -1 >/dev/null
status=${PIPESTATUS[0]}
check "show into a closed pipe: status $status" [ "$status" -eq 0 ]
check "show into a closed pipe: quiet" [ ! -s "$dir/pipe.err" ]

# stats
stats=$("$ferry" trace stats "$dir/a.ft")
check "stats: count" grep -q '^instructions: 3000 in 3000 records' <<<"$stats"
check "stats: per EL" grep -qE '^per EL: +EL0 [0-9]+' <<<"$stats"
check "stats: hottest PCs" grep -q '^hottest PCs:' <<<"$stats"
check "stats: hottest blocks" grep -q '^hottest blocks' <<<"$stats"
check "stats: mix" grep -q 'add/subtract (immediate)' <<<"$stats"
check "stats: exceptions" grep -qE '^  ec=0x[0-9a-f]{2} ' <<<"$stats"
check "stats: block mode" grep -q '^instructions: 3000 in 500 records' <<<"$("$ferry" trace stats "$dir/blk.ft")"

# diff
"$ferry" trace diff "$dir/a.ft" "$dir/b.ft" >"$dir/diff.out"; status=$?
check "diff identical: status $status" [ "$status" -eq 0 ]
check "diff identical: count" grep -q '^traces identical: 3000 instructions' "$dir/diff.out"
"$ferry" trace diff "$dir/a.ft" "$dir/c.ft" >"$dir/diff.out"; status=$?
check "diff differing: status $status" [ "$status" -eq 1 ]
check "diff differing: the instruction" grep -q '^traces differ at instruction 1234 ' "$dir/diff.out"
check "diff differing: matched count" grep -q '^1234 instructions matched before it' "$dir/diff.out"
check "diff differing: context of both" [ "$(grep -c '^> ' "$dir/diff.out")" -eq 2 ]
"$ferry" trace diff "$dir/a.ft" "$dir/d.ft" >"$dir/diff.out"; status=$?
check "diff shorter: status $status" [ "$status" -eq 1 ]
check "diff shorter" grep -q '^traces differ at instruction 2500 .*: B ends here' "$dir/diff.out"
"$ferry" trace diff "$dir/a.ft" "$dir/c.ft" --start-pc 0x400010 >"$dir/diff.out"; status=$?
check "diff --start-pc: status $status" [ "$status" -eq 1 ]
check "diff --start-pc: same divergence" grep -q '^traces differ at instruction [0-9]* (sequence number 1260): x22' "$dir/diff.out"
"$ferry" trace diff "$dir/a.ft" "$dir/b.ft" --from 2000 >"$dir/diff.out"; status=$?
check "diff --from: status $status" [ "$status" -eq 0 ]
"$ferry" trace diff "$dir/a.ft" "$dir/b.ft" --from-a 1 >"$dir/diff.out"; status=$?
check "diff --from-a misaligned: status $status" [ "$status" -eq 1 ] && check "diff --from-a: first instruction" grep -q '^traces differ at instruction 0 ' "$dir/diff.out"
"$ferry" trace diff "$dir/a.ft" "$dir/b.ft" --start-pc 0x12345 >/dev/null 2>"$dir/err"; status=$?
check "diff --start-pc never reached: status $status" [ "$status" -eq 2 ] && check "diff --start-pc never reached: message" grep -q 'never reaches PC 0x12345' "$dir/err"
"$ferry" trace diff "$dir/a.ft" "$dir/missing.ft" >/dev/null 2>&1; status=$?
check "diff error: status $status" [ "$status" -eq 2 ]

# errors and --recover
head -c 50000 "$dir/big.ft" >"$dir/cut.ft"
"$ferry" trace show "$dir/cut.ft" >/dev/null 2>"$dir/err"; status=$?
check "truncated: status $status" [ "$status" -eq 2 ]
check "truncated: message" grep -q 'cut.ft: truncated: no end record.*--recover' "$dir/err"
"$ferry" trace stats "$dir/cut.ft" --recover >/dev/null 2>"$dir/err"; status=$?
check "recover: status $status" [ "$status" -eq 0 ]
check "recover: note" grep -q 'reading its [0-9]* complete chunks' "$dir/err"
"$ferry" trace show "$dir/nope.ft" 2>"$dir/err"; status=$?
check "missing file: status $status" [ "$status" -eq 2 ] && check "missing file: message" grep -q 'nope.ft: cannot open' "$dir/err"
"$ferry" trace show "$dir/a.ft" --pc zz 2>/dev/null; status=$?
check "bad option value: status $status" [ "$status" -eq 2 ]
"$ferry" trace frob 2>/dev/null; status=$?
check "unknown subcommand: status $status" [ "$status" -eq 2 ]

# Format version 2's block mode (a 4-byte word per entry) still reads: two files recorded
# by ferry at 47e96ca (tests/trace/data): a loop (DEFINE, ids, REPEAT) and a program
# that faults, recorded with a PC filter (SKIP, a block cut short written in place).
data=$(dirname "$0")/data
entries() { "$ferry" trace show "$1" | awk '{print $1, $2, $6}'; }
want=$( { echo "0 0000000000400078 6"
          for ((k = 0; k < 999; k++)); do echo "$((6 + 4 * k)) 0000000000400080 4"; done
          echo "4002 0000000000400090 3"; } )
check "version 2 block mode: a loop" [ "$(entries "$data/v2-loop.ft")" = "$want" ]
want="0 00000000004005c0 12
4885 0000000000400590 4
4895 00000000004005a0 5
4995 00000000004005f4 2
4997 0000000000400530 7
5718 000000000040054c 6
5928 0000000000400564 2"
check "version 2 block mode: filtered, cut short" [ "$(entries "$data/v2-filtered.ft")" = "$want" ]
check "version 2 block mode: stats" grep -q '^trace: .*(format 2, block mode' <<<"$("$ferry" trace stats "$data/v2-loop.ft")"

echo "trace cli: $n checks, $fails failed"
[ "$fails" -eq 0 ]
