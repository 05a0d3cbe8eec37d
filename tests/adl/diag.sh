#!/usr/bin/env bash
# Diagnostics of the ADL compiler: each case is a small bad description (after a common
# two-line prelude, so case text starts on line 3) and the exact "file:line:col: error:"
# message adlc must print; adlc must exit with status 1 and never crash (it is the
# sanitizer build). Usage: diag.sh ADLC WORKDIR
set -u
adlc=$(realpath "$1")
work=$2
rm -rf "$work" && mkdir -p "$work"
cd "$work" || exit 1
prelude='architecture t { prefix t; insn_bits 32; }
register u64 PC pc; register u64 X[4]; register u1 F; register u8 B;'
pass=0
fail=0

# check NAME 'expected message substring' 'description text'   (after the prelude)
# check_raw NAME 'expected message substring' 'whole description'
check() { run_case "$1" "$2" "$prelude
$3"; }
check_raw() { run_case "$1" "$2" "$3"; }
run_case() {
    local name=$1 expect=$2 text=$3
    printf '%s\n' "$text" > "$name.adl"
    "$adlc" -o out "$name.adl" > "$name.out" 2>&1
    local rc=$?
    if [ $rc -ne 1 ]; then
        echo "FAIL $name: exit status $rc (expected 1)"; cat "$name.out"; fail=$((fail + 1)); return
    fi
    if ! grep -qF -- "$expect" "$name.out"; then
        echo "FAIL $name: expected: $expect"; echo "got:"; cat "$name.out"; fail=$((fail + 1)); return
    fi
    pass=$((pass + 1))
}

# ---- the diagnostics docs/adl.md lists ----
check unknown_ident "unknown_ident.adl:3:57: error: unknown identifier 'y'" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = y; } }'
check width_range "width_range.adl:3:50: error: type width 129 out of range (1..128)" 'insn A "x:32" { disasm { print("a"); } execute { u129 v = 1; } }'
check pattern_short "pattern_short.adl:3:8: error: pattern has 31 bits, insn_bits is 32" 'insn A "x:31" { disasm { print("a"); } execute { } }'
check pattern_long "pattern_long.adl:3:14: error: pattern has more than 32 bits" 'insn A "x:31 11" { disasm { print("a"); } execute { } }'
check dup_field "dup_field.adl:3:14: error: duplicate field 'x' in pattern" 'insn A "x:16 x:16" { disasm { print("a"); } execute { } }'
check index_rt "index_rt.adl:3:52: error: register-file index must be a translation-time value" 'insn A "x:32" { disasm { print("a"); } execute { X[X[1]] = 1; } }'
check index_const "index_const.adl:3:52: error: register index 4 out of range for X[4]" 'insn A "x:32" { disasm { print("a"); } execute { X[4] = 1; } }'
check slice_range "slice_range.adl:3:68: error: bit slice bound 32 out of range for u32" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = zext<64>(x<32:0>); } }'
check slice_order "slice_order.adl:3:67: error: bit slice <3:5> has its high bound below its low bound" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = zext<64>(x<3:5>); } }'
check slice_width "slice_width.adl:3:78: error: bit slice width must be a compile-time constant" 'insn A "x:32" { disasm { print("a"); } execute { u32 k = x; X[0] = zext<64>(x<k:0>); } }'
check slice_rt "slice_rt.adl:3:59: error: bit slice bounds must be translation-time values" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = x<X[1]>; } }'
check for_bound "for_bound.adl:3:68: error: for loop bounds must be translation-time values" 'insn A "x:32" { disasm { print("a"); } execute { for (u32 i = 0; i < X[0]; i += 1) { F = 1; } } }'
check recursion_self "recursion_self.adl:3:12: error: helper 'f' calls itself" 'helper u64 f(u64 a) { return f(a); }
insn A "x:32" { disasm { print("a"); } execute { X[0] = f(1); } }'
check recursion "recursion.adl:4:12: error: helper 'g' calls 'f', which leads back to 'g'" 'helper u64 f(u64 a) { return g(a); }
helper u64 g(u64 a) { return f(a); }
insn A "x:32" { disasm { print("a"); } execute { X[0] = f(1); } }'
check no_disasm "no_disasm.adl:3:6: error: instruction 'A' has no disasm block" 'insn A "x:32" { execute { } }'
check no_execute "no_execute.adl:3:6: error: instruction 'A' has no execute block" 'insn A "x:32" { disasm { print("a"); } }'
check pc_write "pc_write.adl:3:50: error: cannot write the pc register 'PC' (use branch())" 'insn A "x:32" { disasm { print("a"); } execute { PC = 4; } }'
check return_outside "return_outside.adl:3:50: error: return outside a helper" 'insn A "x:32" { disasm { print("a"); } execute { return; } }'

# ---- syntax and lexical errors ----
check syntax "syntax.adl:3:56: error: expected ';', found '}'" 'insn A "x:32" { disasm { print("a"); } execute { F = 1 } }'
check syntax_decl "syntax_decl.adl:3:1: error: expected a declaration" 'bogus;'
check no_init "no_init.adl:3:54: error: expected '=' (a declaration needs an initialiser), found ';'" 'insn A "x:32" { disasm { print("a"); } execute { u8 v; } }'
check bad_char "bad_char.adl:3:54: error: unexpected character '@'" 'insn A "x:32" { disasm { print("a"); } execute { F = @; } }'
check unterminated_string "unterminated_string.adl:3:32: error: unterminated string" 'insn A "x:32" { disasm { print("a); } execute { } }'
check unterminated_comment "unterminated_comment.adl:3:1: error: unterminated comment" '/* no end'
check bad_escape "bad_escape.adl:3:33: error: unknown escape sequence '\q'" 'insn A "x:32" { disasm { print("\q"); } execute { } }'
check bad_number "bad_number.adl:3:54: error: malformed number" 'insn A "x:32" { disasm { print("a"); } execute { F = 0b102; } }'
check big_number "big_number.adl:3:54: error: number does not fit in 128 bits" 'insn A "x:32" { disasm { print("a"); } execute { F = 0x1_0000_0000_0000_0000_0000_0000_0000_0000; } }'
check pattern_char "pattern_char.adl:3:15: error: unexpected '2' in pattern" 'insn A "x:30 12" { disasm { print("a"); } execute { } }'
check pattern_field "pattern_field.adl:3:9: error: malformed field 'x:' in pattern" 'insn A "x: y:32" { disasm { print("a"); } execute { } }'

# ---- declarations ----
check second_arch "second_arch.adl:3:1: error: second architecture declaration (the first is at second_arch.adl:1:1)" 'architecture u { prefix u; insn_bits 32; }'
check_raw no_arch "no_arch.adl:2:6: error: missing architecture declaration" 'register u64 PC pc;
insn A "x:32" { disasm { print("a"); } execute { } }'
check_raw no_pc "no_pc.adl:1:1: error: no register is marked as the pc" 'architecture t { prefix t; insn_bits 32; }'
check_raw no_prefix "no_prefix.adl:1:1: error: architecture has no prefix" 'architecture t { insn_bits 32; }
register u64 PC pc;'
check_raw bad_insn_bits "bad_insn_bits.adl:1:38: error: insn_bits must be 8, 16 or 32" 'architecture t { prefix t; insn_bits 12; }
register u64 PC pc;'
check dup_reg "dup_reg.adl:3:13: error: duplicate register 'F'" 'register u1 F;'
check two_pcs "two_pcs.adl:3:16: error: second pc register (the first is 'PC')" 'register u64 Q pc;'
check pc_type "pc_type.adl:3:16: error: the pc register must be u64" 'register u32 Q pc;'
check dup_insn "dup_insn.adl:4:6: error: duplicate instruction 'A'" 'insn A "x:32" { disasm { print("a"); } execute { } }
insn A "x:32" { disasm { print("a"); } execute { } }'
check dup_func "dup_func.adl:4:12: error: duplicate function 'f'" 'extern u64 f(u64 a);
extern u64 f(u32 a);'
check extern_slots "extern_slots.adl:3:12: error: extern 'f' has more than 5 argument slots" 'extern u64 f(u128 a, u128 b, u128 c);'
check touches_unknown "touches_unknown.adl:3:19: error: unknown register 'Y' in touches()" 'extern touches(F, Y) u64 f(u64 a);'
check touches_mode "touches_mode.adl:4:16: error: 'M' is not a register: touches() lists registers and register files only" 'mode u2 M;
extern touches(M) u64 f(u64 a);'
check touches_twice "touches_twice.adl:3:19: error: register 'F' listed twice in touches()" 'extern touches(F, F) u64 f(u64 a);'
check touches_disasm "touches_disasm.adl:3:15: error: 'extern disasm' functions cannot have touches()" 'extern disasm touches(F) string f(u32 a);'
check touches_syntax "touches_syntax.adl:3:16: error: expected a register name" 'extern touches(1) u64 f(u64 a);'
check touches_redecl "touches_redecl.adl:4:23: error: duplicate function 'f'" 'extern touches(F) u64 f(u64 a);
extern touches(B) u64 f(u64 a);'
check shadow "shadow.adl:3:54: error: 'x' is already declared" 'insn A "x:32" { disasm { print("a"); } execute { u32 x = 1; } }'
check field_global "field_global.adl:3:9: error: field 'F' has the name of a global declaration" 'insn A "F:32" { disasm { print("a"); } execute { } }'
check second_block "second_block.adl:3:40: error: second 'disasm' block in instruction 'A'" 'insn A "x:32" { disasm { print("a"); } disasm { print("b"); } execute { } }'
check missing_return "missing_return.adl:3:12: error: helper 'f' can reach its end without returning a value" 'helper u64 f(u64 a) { if (a == 0) { return 1; } }
insn A "x:32" { disasm { print("a"); } execute { X[0] = f(1); } }'
check void_return_value "void_return_value.adl:3:19: error: void helper 'f' returns a value" 'helper void f() { return 1; }
insn A "x:32" { disasm { print("a"); } execute { f(); } }'

# ---- types ----
check literal_fit "literal_fit.adl:3:54: error: literal does not fit in u8" 'insn A "x:32" { disasm { print("a"); } execute { B = 256; } }'
check shift_width "shift_width.adl:3:76: error: shift amount 12 is not less than the width of u12" 'insn A "x:20 y:12" { disasm { print("a"); } execute { X[0] = zext<64>(y << 12); } }'
check sext_narrow "sext_narrow.adl:3:58: error: sext<8> of a wider u32 operand" 'insn A "x:32" { disasm { print("a"); } execute { B = (u8)sext<8>(x); } }'
check bswap_width "bswap_width.adl:3:54: error: bswap() needs a 16, 32 or 64-bit operand, not u8" 'insn A "x:32" { disasm { print("a"); } execute { B = bswap(B); } }'
check void_value "void_value.adl:3:57: error: an initialiser must be an integer, not void" 'insn A "x:32" { disasm { print("a"); } execute { u8 v = barrier(); } }'
check mem_size "mem_size.adl:3:57: error: memory access size must be 8, 16, 32, 64 or 128 bits" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = mem_read<24>(0); } }'
check arg_count "arg_count.adl:4:57: error: 'f' takes 1 argument, 2 given" 'helper u64 f(u64 a) { return a; }
insn A "x:32" { disasm { print("a"); } execute { X[0] = f(1, 2); } }'
check intrinsic_args "intrinsic_args.adl:3:57: error: clz() takes 1 argument, 2 given" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = clz(1, 2); } }'
check unknown_func "unknown_func.adl:3:57: error: unknown function 'nope'" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = nope(1); } }'
check regfile_noindex "regfile_noindex.adl:3:57: error: register file 'X' needs an index" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = X; } }'
check not_regfile "not_regfile.adl:3:57: error: 'F' is not a register file" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = F[1]; } }'
check string_misuse "string_misuse.adl:3:57: error: a string is only allowed as the format of print()" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = "s"; } }'

# ---- where things may appear ----
check assign_field "assign_field.adl:3:50: error: cannot assign to instruction field 'x'" 'insn A "x:32" { disasm { print("a"); } execute { x = 1; } }'
check assign_loopvar "assign_loopvar.adl:3:83: error: cannot assign to loop variable 'i'" 'insn A "x:32" { disasm { print("a"); } execute { for (u32 i = 0; i < 4; i += 1) { i = 2; } } }'
check unalloc_exec "unalloc_exec.adl:3:50: error: 'unallocated' is only allowed in decode blocks" 'insn A "x:32" { disasm { print("a"); } execute { unallocated; } }'
check print_exec "print_exec.adl:3:50: error: print() is only allowed in disasm blocks" 'insn A "x:32" { disasm { print("a"); } execute { print("b"); } }'
check reg_in_decode "reg_in_decode.adl:3:34: error: register access is not allowed in a decode block" 'insn A "x:32" { decode { u64 v = X[0]; } disasm { print("a"); } execute { } }'
check reg_in_when "reg_in_when.adl:3:21: error: register access is not allowed in a 'when' constraint" 'insn A "x:32" when (F == 1) { disasm { print("a"); } execute { } }'
check branch_in_disasm "branch_in_disasm.adl:3:26: error: branch() is not allowed in a disasm block" 'insn A "x:32" { disasm { branch(0); } execute { } }'
check helper_state_decode "helper_state_decode.adl:4:34: error: helper 'f' uses the machine state, which a decode block cannot" 'helper u64 f() { return X[0]; }
insn A "x:32" { decode { u64 v = f(); } disasm { print("a"); } execute { } }'
check disasm_extern_exec "disasm_extern_exec.adl:4:57: error: extern disasm function 'n' can only be called in disasm blocks" 'extern disasm string n(u32 r);
insn A "x:32" { disasm { print("a"); } execute { X[0] = n(1); } }'
check unreachable "unreachable.adl:3:63: error: unreachable statement (the previous one leaves)" 'insn A "x:32" { disasm { print("a"); } execute { branch(0); F = 1; } }'
check expr_stmt "expr_stmt.adl:3:52: error: expression statement has no effect" 'insn A "x:32" { disasm { print("a"); } execute { F + 1; } }'
check exit_imm_rt "exit_imm_rt.adl:3:63: error: the immediate of an exit must be a translation-time value" 'insn A "x:32" { disasm { print("a"); } execute { exit_syscall(X[0]); } }'
check rt_side_effect "rt_side_effect.adl:3:67: error: an operand with side effects (memory, extern or exit) under a run-time condition" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = X[1] == 0 ? mem_read<64>(0) : 1; } }'
check print_args "print_args.adl:3:26: error: print() format needs more arguments than the 0 given" 'insn A "x:32" { disasm { print("%d"); } execute { } }'
check print_conv "print_conv.adl:3:32: error: unsupported conversion in print() format" 'insn A "x:32" { disasm { print("%f", x); } execute { } }'
check print_string "print_string.adl:3:38: error: %s needs a string" 'insn A "x:32" { disasm { print("%s", x); } execute { } }'
check_raw arch_prop "arch_prop.adl:1:18: error: unknown architecture property 'endian'" 'architecture u { endian little; }
register u64 PC pc;'
check case_const "case_const.adl:3:68: error: case label must be a constant" 'insn A "x:32" { disasm { print("a"); } execute { switch (x) { case X[0]: { F = 1; } } } }'
check case_dup "case_dup.adl:3:90: error: duplicate case value" 'insn A "x:32" { disasm { print("a"); } execute { switch (x) { case 1: { F = 1; } case 2, 1: { F = 0; } } } }'
check case_default "case_default.adl:3:83: error: second default in a switch" 'insn A "x:32" { disasm { print("a"); } execute { switch (x) { default: { F = 1; } default: { F = 0; } } } }'

check fp_width "fp_width.adl:3:66: error: fadd<16>: IEEE width must be 32 (single) or 64 (double)" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = zext<64>(fadd<16>(1, 2)); } }'
check fp_operand "fp_operand.adl:3:75: error: fmul<32> needs 32-bit operands (IEEE bit patterns), not u64" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = zext<64>(fmul<32>(X[1], 2)); } }'
check ffma_args "ffma_args.adl:3:57: error: ffma() takes 3 arguments, 2 given" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = ffma<64>(X[1], X[2]); } }'
check ffma_operand "ffma_operand.adl:3:81: error: ffma<32> needs 32-bit operands (IEEE bit patterns), not u64" 'insn A "x:32" { disasm { print("a"); } execute { X[0] = zext<64>(ffma<32>(1, 2, X[1])); } }'
check host_fma_args "host_fma_args.adl:3:54: error: host_has_fma() takes 0 arguments, 1 given" 'insn A "x:32" { disasm { print("a"); } execute { if (host_has_fma(1)) { X[0] = 1; } } }'

# ---- limits that keep adlc's recursion bounded ----
check deep_parens "deep_parens.adl:3:256: error: nested too deeply (more than 200 levels)" "insn A \"x:32\" { disasm { print(\"a\"); } execute { X[0] = $(printf '(%.0s' {1..300})1$(printf ')%.0s' {1..300}); } }"
check deep_chain "deep_chain.adl:3:570: error: expression nested too deeply (more than 256 levels)" "insn A \"x:32\" { disasm { print(\"a\"); } execute { X[0] = 1$(printf '+1%.0s' {1..300}); } }"

echo "adl diagnostics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
