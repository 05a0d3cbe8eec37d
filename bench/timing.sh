# Sourced by the benchmark scripts (bench/run.sh, bench/trace-record.sh,
# tests/baremetal/minikernel/run-bench.sh): wall-clock medians of repeated runs.

# median SECONDS...: their median (of an even count, the lower middle one), or nan if
# there are none or any is nan or empty: a failed run leaves no time to compare.
median() {
    printf '%s\n' "$@" | LC_ALL=C sort -g | awk '!NF || /nan/ { bad = 1 } { a[NR] = $1 }
        END { if (bad || NR == 0) print "nan"; else printf "%.3f\n", a[int((NR + 1) / 2)] }'
}

# median_wall OUT CMD...: the median wall seconds of $runs runs of CMD (stdin /dev/null,
# stdout in OUT, stderr in OUT.err; the last run's stay for the caller), or "nan" when a
# run fails or a program exceeds $BENCH_TIMEOUT seconds (default 900; a shell function
# runs without that limit). The command and the start of its stderr go to stderr.
median_wall() {
    local out=$1
    shift
    local times=() start end rc us s
    for ((r = 0; r < runs; r++)); do
        start=$(date +%s%N)
        if declare -F "$1" >/dev/null; then
            "$@" >"$out" 2>"$out.err" </dev/null
        else
            timeout "${BENCH_TIMEOUT:-900}" "$@" >"$out" 2>"$out.err" </dev/null
        fi
        rc=$?
        end=$(date +%s%N)
        if [ "$rc" -ne 0 ]; then
            echo "error: '$*' exited with status $rc" >&2
            head -n 3 "$out.err" >&2
            echo nan
            return
        fi
        us=$(( (end - start) / 1000 ))
        printf -v s '%d.%06d' $((us / 1000000)) $((us % 1000000))
        times+=("$s")
    done
    median "${times[@]}"
}
