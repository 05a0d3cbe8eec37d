#!/usr/bin/env bash
# The trace writer's benchmark (not a test): records/s and bytes per instruction of
# build/tools/trace_bench on the synthetic stream (every codec) and on real traces that
# the QEMU plugin records from bench/'s programs (their first MAX records replayed from
# memory), plus the plugin's own cost (qemu-aarch64 with and without it) and its bytes per
# instruction over the whole run. Throughput is per CPU-second of the recording thread
# and of the helper thread, so a loaded machine disturbs it less than wall time would.
# Replayed records stream from memory; the "(window)" line cycles over the first 64Ki
# records instead, so it measures the writer without that streaming.
# Usage: bench/trace-writer.sh TRACE_BENCH PLUGIN BENCH_AARCH64_DIR   (make trace-bench)
# Environment: PROGS="crc32 sha256" (default: all), SYNTH=50000000, MAX=5000000.
set -eu
tb=$1; plugin=$2; progs_dir=$3
synth=${SYNTH:-50000000}; max=${MAX:-5000000}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
progs=${PROGS:-$(ls "$progs_dir")}

echo "== synthetic stream ($synth records: loops over ~430 PCs, ~30% memory, 1-2 register writes)"
for codec in zstd zlib none; do "$tb" synth "$synth" "$codec" 1 "$tmp/s.ft"; done

echo "== bench/ programs under qemu-aarch64 with the plugin (no values: PC, encoding, memory)"
printf '%-14s %12s %9s %9s %7s %s\n' program instructions qemu_s plugin_s slowdn bytes/insn
for p in $progs; do
    exe=$progs_dir/$p
    t0=$(date +%s.%N); qemu-aarch64 "$exe" >/dev/null; t1=$(date +%s.%N)
    qemu-aarch64 -plugin "$plugin,out=$tmp/$p.ft" "$exe" >/dev/null 2>"$tmp/$p.err"; t2=$(date +%s.%N)
    line=$(grep 'ferry trace plugin:' "$tmp/$p.err" | tail -1)
    insns=$(sed -E 's/.*: ([0-9]+) instructions.*/\1/' <<<"$line")
    bpi=$(sed -E 's/.*, ([0-9.]+) bytes\/instruction.*/\1/' <<<"$line")
    awk -v p="$p" -v n="$insns" -v a="$t0" -v b="$t1" -v c="$t2" -v bpi="$bpi" \
        'BEGIN { printf "%-14s %12s %9.1f %9.1f %6.1fx %s\n", p, n, b - a, c - b, (c - b) / (b - a), bpi }'
    for codec in zstd zlib; do "$tb" replay "$tmp/$p.ft" "$codec" 1 "$tmp/r.ft" "$max" | sed "s|^$tmp/||"; done
    FERRY_TRACE_BENCH_WINDOW=65536 "$tb" replay "$tmp/$p.ft" zstd 1 "$tmp/r.ft" "$max" | sed "s|^$tmp/||"
    rm -f "$tmp/$p.ft" "$tmp/r.ft"
done
