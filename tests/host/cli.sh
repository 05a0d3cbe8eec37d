#!/usr/bin/env bash
# Command-line behaviour of ferry that needs no working KVM: help, version, usage
# errors, and the one-line errors for a missing or unusable KVM device, a bad engine
# file and `run` without guest support. Usage: cli.sh FERRY FIXTURE_DIR
set -u
ferry=$1; fixtures=$2
. "$(dirname "$0")/testlib.sh"
engine="$fixtures/exit_status.elf"
echo "cli tests of $ferry"

run help 10 "$ferry" --help
expect_rc help 0; expect_grep help "$out" "usage: ferry"; expect_grep help "$out" "selftest"
run version 10 "$ferry" --version
expect_rc version 0; expect_grep version "$out" "ferry 0."
run subcommand-help 10 "$ferry" selftest -h
expect_rc subcommand-help 0; expect_grep subcommand-help "$out" "--crash"

run no-command 10 "$ferry"
expect_rc no-command 2; expect_exact_line no-command "$err" "ferry: no command given (try ferry --help)"
run bad-option 10 "$ferry" --frobnicate
expect_rc bad-option 2; expect_exact_line bad-option "$err" "ferry: unknown option '--frobnicate' (try ferry --help)"
run bad-selftest-option 10 "$ferry" selftest --crash=sometimes
expect_rc bad-selftest-option 2
expect_exact_line bad-selftest-option "$err" "ferry: invalid crash kind 'sometimes' (expected pf, ud, panic, nested or stack)"
run bad-value 10 "$ferry" selftest --iterations lots
expect_rc bad-value 2; expect_lines bad-value "$err" 1; expect_grep bad-value "$err" "'lots'"

# A KVM device that does not exist, by option and by environment.
msg="ferry: cannot open /nonexistent/kvm: No such file or directory (is KVM available? see --kvm-device)"
run missing-kvm 20 "$ferry" --kvm-device /nonexistent/kvm selftest --engine "$engine"
expect_rc missing-kvm 1; expect_exact_line missing-kvm "$err" "$msg"; expect_lines missing-kvm "$out" 0
run missing-kvm-env 20 env FERRY_KVM_DEVICE=/nonexistent/kvm "$ferry" selftest --engine "$engine"
expect_rc missing-kvm-env 1; expect_exact_line missing-kvm-env "$err" "$msg"
# Devices that open but are not KVM, or do not open: a plain file, a directory,
# /dev/null, and (when not root, where permissions apply) an unreadable file.
echo "not a device" >"$work/fake-kvm"
run file-as-kvm 20 "$ferry" selftest --kvm-device "$work/fake-kvm" --engine "$engine"
expect_rc file-as-kvm 1
expect_exact_line file-as-kvm "$err" "ferry: $work/fake-kvm is not a KVM device: KVM_GET_API_VERSION failed: Inappropriate ioctl for device"
run dir-as-kvm 20 "$ferry" selftest --kvm-device "$work" --engine "$engine"
expect_rc dir-as-kvm 1
expect_exact_line dir-as-kvm "$err" "ferry: cannot open $work: Is a directory (is KVM available? see --kvm-device)"
run null-as-kvm 20 "$ferry" selftest --kvm-device /dev/null --engine "$engine"
expect_rc null-as-kvm 1; expect_lines null-as-kvm "$err" 1; expect_grep null-as-kvm "$err" "/dev/null is not a KVM device"
if [ "$(id -u)" -ne 0 ]; then
    cp "$work/fake-kvm" "$work/locked-kvm"; chmod 000 "$work/locked-kvm"
    run locked-kvm 20 "$ferry" selftest --kvm-device "$work/locked-kvm" --engine "$engine"
    expect_rc locked-kvm 1; expect_lines locked-kvm "$err" 1; expect_grep locked-kvm "$err" "Permission denied"
fi

# Engine files: missing, not an ELF, wrong architecture.
run missing-engine 20 "$ferry" selftest --engine /nonexistent/engine.elf
expect_rc missing-engine 1
expect_exact_line missing-engine "$err" "ferry: engine /nonexistent/engine.elf: cannot open: No such file or directory"
run text-engine 20 "$ferry" selftest --engine "$work/fake-kvm"
expect_rc text-engine 1; expect_exact_line text-engine "$err" "ferry: engine $work/fake-kvm: not an ELF file (bad magic)"
run i386-engine 20 "$ferry" selftest --engine "$fixtures/wrong_i386.elf"
expect_rc i386-engine 1; expect_lines i386-engine "$err" 1; expect_grep i386-engine "$err" "32-bit ELF"
head -c 100 "$engine" >"$work/truncated.elf"
run truncated-engine 20 "$ferry" selftest --engine "$work/truncated.elf"
expect_rc truncated-engine 1; expect_lines truncated-engine "$err" 1; expect_grep truncated-engine "$err" "truncated"

run bad-flavour 20 env FERRY_KVM_FLAVOUR=quantum "$ferry" selftest --engine "$engine"
expect_rc bad-flavour 2; expect_exact_line bad-flavour "$err" "ferry: invalid FERRY_KVM_FLAVOUR 'quantum' (expected hardware or pvlite)"

# ferry run: inputs checked, each error one line naming the file or option.
run run-no-kernel 10 "$ferry" run
expect_rc run-no-kernel 2; expect_lines run-no-kernel "$err" 1
run run-missing-kernel 10 "$ferry" run --kernel /nonexistent/Image
expect_rc run-missing-kernel 1
expect_exact_line run-missing-kernel "$err" "ferry run: --kernel /nonexistent/Image: No such file or directory"
run run-dir-initrd 10 "$ferry" run --kernel "$engine" --initrd "$work"
expect_rc run-dir-initrd 1; expect_exact_line run-dir-initrd "$err" "ferry run: --initrd $work: not a regular file"
run run-x86-kernel 10 "$ferry" run --kernel "$engine" -m 1G --append "console=ttyAMA0"
expect_rc run-x86-kernel 1; expect_lines run-x86-kernel "$err" 1; expect_grep run-x86-kernel "$err" "$engine"
run run-board-options 10 "$ferry" run --kernel "$engine" --mem 256M --dtb "$engine" --dump-dtb "$work/out.dtb" \
    --stats --interp --mmu soft-tlb --hosted --append "console=ttyAMA0 earlycon"
expect_rc run-board-options 1; expect_lines run-board-options "$err" 1; expect_grep run-board-options "$err" "$engine"
# a raw kernel of three instructions: PSCI SYSTEM_OFF through HVC
printf '\x00\x80\xb0\x52\x00\x01\x80\x72\x02\x00\x00\xd4' > "$work/off.bin"
# a guest waiting for an interrupt that nothing can raise (DAIF masked, no timer, input at
# its end): status 4 and one message, in both homes (where KVM works, the engine)
printf '\x7f\x20\x03\xd5\xff\xff\xff\x17' > "$work/wfi.bin"
for where in --hosted ""; do
    run "run-wfi$where" 10 "$ferry" run $where --kernel "$work/wfi.bin" </dev/null
    expect_rc "run-wfi$where" 4
    expect_grep "run-wfi$where" "$err" "waits for an interrupt (WFI at 0x40080000) with nothing left"
done
run run-host-pt 10 "$ferry" run --kernel "$engine" --mmu host-pt
expect_rc run-host-pt 2; expect_lines run-host-pt "$err" 1; expect_grep run-host-pt "$err" "only the software TLB"
run run-kvm-hosted 10 "$ferry" run --kernel "$engine" --kvm --hosted
expect_rc run-kvm-hosted 2; expect_exact_line run-kvm-hosted "$err" "ferry: --hosted and --kvm exclude each other"
# One error naming the file, in this process and (where KVM works) in the engine; the
# default run adds the notice that it falls back to --hosted on a machine without KVM.
run run-trace-unwritable 10 "$ferry" run --hosted --kernel "$work/off.bin" --trace /nonexistent/dir/t.ft
expect_rc run-trace-unwritable 1; expect_lines run-trace-unwritable "$err" 1
expect_grep run-trace-unwritable "$err" "/nonexistent/dir/t.ft"
run run-trace-unwritable-default 10 "$ferry" run --kernel "$work/off.bin" --trace /nonexistent/dir/t.ft
expect_rc run-trace-unwritable-default 1
expect_grep run-trace-unwritable-default "$err" "ferry run: /nonexistent/dir/t.ft: cannot create the trace file"
run run-profile-hosted 10 "$ferry" run --kernel "$engine" --hosted --profile
expect_rc run-profile-hosted 2; expect_exact_line run-profile-hosted "$err" "ferry: --profile samples the engine; under --hosted use perf"
run run-kvm-missing 10 "$ferry" run --kernel "$engine" --kvm --kvm-device /nonexistent/kvm
expect_rc run-kvm-missing 1; expect_lines run-kvm-missing "$err" 1; expect_grep run-kvm-missing "$err" "/nonexistent/kvm"
run run-no-kvm-fallback 10 "$ferry" run --kernel "$work/off.bin" --kvm-device /nonexistent/kvm
expect_rc run-no-kvm-fallback 0; expect_grep run-no-kvm-fallback "$err" "/nonexistent/kvm: No such file or directory; running the system emulator in this process"
run run-disk 10 "$ferry" run --kernel "$engine" --disk "$engine"
expect_rc run-disk 2; expect_lines run-disk "$err" 1; expect_grep run-disk "$err" "no virtio-blk device yet"
run run-help 10 "$ferry" run --help
expect_rc run-help 0
for opt in "--dtb FILE" "--dump-dtb FILE" "--mem SIZE" "--stats" "--interp" "--hosted" "--kvm" "--mmu STRATEGY"; do
    expect_grep run-help "$out" "$opt"
done
# Each bad board option: exit 2 and one line naming the option and the value.
run run-bad-mmu 10 "$ferry" run --kernel "$engine" --mmu shadow
expect_rc run-bad-mmu 2
expect_exact_line run-bad-mmu "$err" "ferry: invalid MMU strategy 'shadow' for --mmu (expected host-pt or soft-tlb)"
run run-bad-mem 10 "$ferry" run --kernel "$engine" --mem 300G
expect_rc run-bad-mem 2; expect_lines run-bad-mem "$err" 1; expect_grep run-bad-mem "$err" "invalid guest memory size '300G'"
run run-flag-value 10 "$ferry" run --kernel "$engine" --stats=yes
expect_rc run-flag-value 2
expect_exact_line run-flag-value "$err" "ferry: option --stats takes no value (got '--stats=yes')"
run run-empty-dtb 10 "$ferry" run --kernel "$engine" --dtb ""
expect_rc run-empty-dtb 2; expect_exact_line run-empty-dtb "$err" "ferry: option --dtb needs a non-empty path"
run run-dump-dtb-missing 10 "$ferry" run --kernel "$engine" --dump-dtb
expect_rc run-dump-dtb-missing 2; expect_exact_line run-dump-dtb-missing "$err" "ferry: option --dump-dtb needs a value"
run run-hosted-host-pt 10 "$ferry" run --kernel "$engine" --hosted --mmu host-pt
expect_rc run-hosted-host-pt 2
expect_exact_line run-hosted-host-pt "$err" "ferry: --mmu host-pt needs the engine under KVM; --hosted uses soft-tlb"

finish
