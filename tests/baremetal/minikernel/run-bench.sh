#!/usr/bin/env bash
# The EL0 benchmark: each bench/progs program (static AArch64 build) run at EL0 under
# the minikernel with the MMU on, on qemu-system-aarch64 -M virt and on `ferry run`
# (system mode), and the same program under qemu-aarch64 and `ferry user`; outputs
# compared, median wall times and the ratios printed: qemu-system/ferry-system (the
# issue asks for at least 2x on the geometric mean) and ferry-system/ferry-user (at
# most 1.25x). Usage: run-bench.sh [BUILD] [NAME...]  (env: RUNS (default 3), SCALE)
set -u
build=${1:-build}
shift 2>/dev/null || true
runs=${RUNS:-3}
scale=${SCALE:-1}
kdir=$build/tests/baremetal/minikernel
udir=$build/bench/aarch64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source "$(dirname "$0")/../../../bench/programs.sh"
source "$(dirname "$0")/../../../bench/timing.sh"


echo "EL0 benchmark under the minikernel, $(date -u +%Y-%m-%dT%H:%MZ), runs=$runs (median wall seconds)"
echo "qemu: $(qemu-system-aarch64 --version | head -1)"
ferry=$build/ferry
printf '%-14s %10s %10s %10s %10s %11s %11s %8s\n' program qemu-sys ferry-sys qemu-user ferry-user \
    qsys/fsys fsys/fuser output
ratios=()
for name in "${names[@]}"; do
    a=$(( ${arg[$name]:-1} * scale ))
    t_sys=$(median_wall "$tmp/sys" qemu-system-aarch64 -M virt -cpu cortex-a57 -m 1G -nodefaults \
        -display none -serial stdio -no-reboot -kernel "$kdir/$name.elf" -append "$name $a")
    t_fsys=$(median_wall "$tmp/fsys" "$ferry" run --hosted --mem 1G --kernel "$kdir/$name.elf" --append "$name $a")
    t_user=$(median_wall "$tmp/user" qemu-aarch64 "$udir/$name" "$a")
    t_fuser=$(median_wall "$tmp/fuser" "$ferry" user "$udir/$name" "$a")
    same=same
    for o in sys fsys fuser; do cmp -s "$tmp/$o" "$tmp/user" || same=DIFFERENT; done
    r1=$(awk -v a="$t_sys" -v b="$t_fsys" 'BEGIN { if (b+0 > 0) printf "%.2f", a/b; else print "nan" }')
    r2=$(awk -v a="$t_fsys" -v b="$t_fuser" 'BEGIN { if (b+0 > 0) printf "%.2f", a/b; else print "nan" }')
    ratios+=("$r1 $r2")
    printf '%-14s %10s %10s %10s %10s %11s %11s %8s\n' "$name" "$t_sys" "$t_fsys" "$t_user" "$t_fuser" "$r1" "$r2" "$same"
done
printf '%s\n' "${ratios[@]}" | awk '$1 != "nan" && $2 != "nan" { a += log($1); b += log($2); n++ }
    END { if (n) printf "geometric mean over %d programs: qemu-system/ferry-system %.2fx, ferry-system/ferry-user %.2fx\n", n, exp(a/n), exp(b/n) }'
