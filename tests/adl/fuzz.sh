#!/usr/bin/env bash
# Robustness of the ADL compiler: feeds the sanitizer build of adlc hundreds of random
# truncations and mutations of a valid description (deterministic seed). Every run must
# end with status 0 (and then the generated C must compile) or status 1 with a
# "file:line:column: error:" diagnostic; a crash or a sanitizer report fails the test.
# Usage: fuzz.sh ADLC FILE.adl WORKDIR [RUNS]
set -u
adlc=$(realpath "$1")
src=$2
work=$3
runs=${4:-400}
rm -rf "$work" && mkdir -p "$work"
text=$(cat "$src")
len=${#text}
RANDOM=20261121
export ASAN_OPTIONS=exitcode=99:detect_leaks=0
export UBSAN_OPTIONS=exitcode=99:print_stacktrace=1
tokens=('{' '}' '(' ')' ';' '<' '>' ':' ',' '"' '0x' '128' 'u129' 's1' 'x' 'if' 'else' 'for'
        'return' 'helper' 'insn' 'register' 'X[' 'R[15]' '<63:0>' '/*' '//' '\' '@' '$'
        'branch(' 'mem_read<64>(' 'zext<0>(' '==' '<<' '=' 'unallocated;' 'print("%d")'
        'sext<200>(' '999999999999999999999999999999999999999999' 'pc' 'PC = 1;' 'mode')
fails=0 ok=0 rejected=0 compiled=0

# rnd N: sets R to a pseudo-random number below N (no subshell: bash reseeds RANDOM there)
rnd() { R=$(( (RANDOM << 15 | RANDOM) % $1 )); }

for ((i = 0; i < runs; i++)); do
    f="$work/m$i.adl"
    rnd $((len + 1)); a=$R
    rnd ${#tokens[@]}; t=${tokens[$R]}
    rnd 300; b=$R
    rnd $((len + 1)); c=$R
    rnd 256; byte=$R
    case $((i % 6)) in
    0) printf '%s' "${text:0:a}" > "$f" ;;                                  # truncation
    1) printf '%s%s' "${text:0:a}" "${text:a+b}" > "$f" ;;                  # deletion
    2) printf '%s%s%s' "${text:0:a}" "$t" "${text:a}" > "$f" ;;             # insertion
    3) printf '%s%s%s' "${text:0:a}" "$t" "${text:a+1+b%8}" > "$f" ;;       # replacement
    4) printf '%s%s%s' "${text:0:a}" "${text:c:b}" "${text:a}" > "$f" ;;    # duplicated span
    5) { printf '%s' "${text:0:a}"; printf "\\x$(printf %02x $byte)"        # random byte
         printf '%s' "${text:a+1}"; } > "$f" ;;
    esac
    out="$work/out$i"
    "$adlc" -o "$out" "$f" > "$work/log" 2>&1
    rc=$?
    if grep -q -e 'Sanitizer' -e 'runtime error' "$work/log" || { [ $rc -ne 0 ] && [ $rc -ne 1 ]; }; then
        echo "FAIL: adlc crashed (status $rc) on mutation $i ($f):"; head -20 "$work/log"
        fails=$((fails + 1)); continue
    fi
    if [ $rc -eq 1 ]; then
        if ! grep -qE '^[^:]+:[0-9]+:[0-9]+: error: ' "$work/log"; then
            echo "FAIL: status 1 without a diagnostic on mutation $i ($f):"; head -5 "$work/log"
            fails=$((fails + 1)); continue
        fi
        rejected=$((rejected + 1))
    else
        ok=$((ok + 1))
        # a mutation adlc accepts must still give C that compiles (first few only: slow)
        if [ $compiled -lt 8 ]; then
            compiled=$((compiled + 1))
            for c in "$out"/*.c; do
                if ! gcc -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter -fsyntax-only \
                        -Iinclude -I. -I"$out" "$c" > "$work/cc.log" 2>&1; then
                    echo "FAIL: generated C does not compile for accepted mutation $i ($f, $c):"
                    head -20 "$work/cc.log"; fails=$((fails + 1)); break
                fi
            done
        fi
        rm -rf "$out"
    fi
    [ $fails -ge 5 ] && break
done
echo "adl fuzz: $runs mutations, $rejected rejected with a diagnostic, $ok accepted ($compiled compiled), $fails failures"
[ $fails -eq 0 ]
