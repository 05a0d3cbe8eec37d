# The benchmark programs and their arguments, shared by bench/run.sh and
# tests/baremetal/minikernel/run-bench.sh (sourced: sets `arg` and `names` from "$@").

# Argument per program: about 1-1.5 s natively on the project's CI machine.
declare -A arg=(
    [sha256]=300 [crc32]=350 [matmul_int]=500 [matmul_double]=600
    [qsort_bench]=40 [dhry_like]=60000000 [bytecode]=6000000
)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(sha256 crc32 matmul_int matmul_double qsort_bench dhry_like bytecode)
