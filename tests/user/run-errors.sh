#!/usr/bin/env bash
# Error paths of `ferry user`: each bad input gives exit status 1 (2 for usage
# errors) and exactly one clear line on stderr. Usage: run-errors.sh FERRY TEST_DIR
set -u
ferry=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect STATUS "STDERR LINE" -- COMMAND...
expect() {
    local want_status=$1 want_err=$2
    shift 3
    local out err status
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    err=$(cat "$tmp/err")
    if [ "$status" -ne "$want_status" ] || [ "$err" != "$want_err" ] || [ -s "$tmp/out" ]; then
        echo "FAIL: $*"
        echo "  expected status $want_status, stderr: $want_err"
        echo "  got      status $status, stderr: $err"
        failures=$((failures + 1))
    else
        echo "ok: ${want_err:-"(no message)"}"
    fi
}

hello=$dir/progs/hello-O2
head -c 100 "$hello" > "$tmp/truncated_header"
head -c 2000 "$hello" > "$tmp/truncated_segments"
printf 'just text\n' > "$tmp/not_elf"
: > "$tmp/empty"
cp "$hello" "$tmp/unreadable" && chmod 000 "$tmp/unreadable"

expect 1 "ferry user: $dir/fixtures/native_x86_64: not an AArch64 executable (machine x86-64)" -- \
    "$ferry" user "$dir/fixtures/native_x86_64"
expect 1 "ferry user: $dir/fixtures/dynamic_aarch64: dynamically linked; only static executables are supported" -- \
    "$ferry" user "$dir/fixtures/dynamic_aarch64"
expect 1 "ferry user: $tmp/truncated_header: truncated ELF file (program headers beyond the end of the file)" -- \
    "$ferry" user "$tmp/truncated_header"
expect 1 "ferry user: $tmp/truncated_segments: truncated ELF file (segment 0 beyond the end of the file)" -- \
    "$ferry" user "$tmp/truncated_segments"
expect 1 "ferry user: $tmp/not_elf: not an ELF file" -- "$ferry" user "$tmp/not_elf"
expect 1 "ferry user: $tmp/empty: not an ELF file" -- "$ferry" user "$tmp/empty"
expect 1 "ferry user: /nonexistent/prog: cannot open: No such file or directory" -- \
    "$ferry" user /nonexistent/prog
expect 1 "ferry user: $tmp: not a regular file" -- "$ferry" user "$tmp"
if [ "$(id -u)" -ne 0 ]; then
    expect 1 "ferry user: $tmp/unreadable: cannot open: Permission denied" -- "$ferry" user "$tmp/unreadable"
fi
expect 1 "ferry user: $dir/fixtures/over_stack: segment 1 at 0xffff00000 (+0x28 bytes) overlaps the stack area (0xfff700000-0x1000000000)" -- \
    "$ferry" user "$dir/fixtures/over_stack"
expect 2 "ferry user: no program given (see ferry user --help)" -- "$ferry" user
expect 2 "ferry user: unknown option --bogus (see ferry user --help)" -- "$ferry" user --bogus "$hello"
expect 2 "ferry user: no program given (see ferry user --help)" -- "$ferry" user --interp --stats

if [ "$failures" -ne 0 ]; then
    echo "user error paths: $failures failed"
    exit 1
fi
echo "user error paths: all passed"
