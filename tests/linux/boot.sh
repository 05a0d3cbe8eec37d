#!/usr/bin/env bash
# Boots the Linux test guest (tests/linux/build.mk) to its init and checks what the init
# prints with ferry.test on the command line (the kernel's version, user-space results),
# that the console shows no oops or panic, and that the guest powered off (status 0).
#   boot.sh RUNNER DIR   RUNNER: a ferry command line ("build/ferry run --hosted") or
#                        qemu; DIR: where Image and initrd.gz are
# Env: LINUX_BOOT_TIMEOUT (seconds, default 120).
set -u
runner=$1
dir=$2
timeout_s=${LINUX_BOOT_TIMEOUT:-120}
append="console=ttyAMA0 panic=-1 quiet ferry.test"
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
if [ "$runner" = qemu ]; then
    cmd=(qemu-system-aarch64 -M virt -cpu cortex-a57 -m 512M -nodefaults -display none -serial stdio
         -no-reboot -kernel "$dir/Image" -initrd "$dir/initrd.gz" -append "$append")
else
    # shellcheck disable=SC2206  # the ferry command line is word-split on purpose
    cmd=($runner --mem 512M --kernel "$dir/Image" --initrd "$dir/initrd.gz" --append "$append")
fi
start=$(date +%s%N)
timeout -k 2 "$timeout_s" "${cmd[@]}" < /dev/null > "$out" 2> "$err"
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
fail() {
    echo "FAIL linux boot ($runner): $1"
    echo "--- last console lines:"; tail -n 15 "$out"
    echo "--- stderr:"; tail -n 5 "$err"
    exit 1
}
[ "$status" -eq 124 ] || [ "$status" -eq 137 ] && fail "no power-off within ${timeout_s}s"
[ "$status" -eq 0 ] || fail "exit status $status"
if grep -qE 'Kernel panic|Oops|Internal error|BUG:|Unable to handle' "$out"; then
    fail "the kernel reported an error"
fi
want=("linux-test: init running" "linux-test: kernel Linux .* aarch64" "linux-test: cpus 1"
      "linux-test: sum 500500" "linux-test: sha 44aa71f1737e882b" "linux-test: done")
for w in "${want[@]}"; do
    grep -qE "^$w\$" <(tr -d '\r' < "$out") || fail "missing console line matching '$w'"
done
grep -q 'AddressSanitizer\|runtime error' "$err" && fail "sanitizer report"
echo "PASS linux boot ($runner): $(grep -m1 'linux-test: kernel' "$out" | cut -d' ' -f3-), init to power-off, ${ms} ms"
