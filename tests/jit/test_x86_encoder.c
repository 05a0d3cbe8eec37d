/* Every instruction form the code generator emits, checked against capstone: encode one
 * instruction, disassemble it (Intel syntax) and compare the text, and check that
 * capstone consumed exactly the bytes written. Registers are varied so that REX
 * prefixes, rsp/r12 SIB bytes and rbp/r13 displacement forms are all exercised. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <capstone/capstone.h>
#include <stdio.h>
#include <string.h>
#include "jit/x86_64/x86_encode.h"

#define BASE 0x1000u

static csh cs;
static uint8_t code[64];
static x86_buf B;
static unsigned failures;

static x86_buf *fresh(void)
{
    memset(code, 0x90, sizeof(code));
    B = (x86_buf){ .start = code, .p = code, .end = code + sizeof(code) };
    return &B;
}

static void check(const char *want, int line)
{
    cs_insn *insn;
    size_t len = (size_t)(B.p - code);
    size_t n = cs_disasm(cs, code, len, BASE, 1, &insn);
    char got[400] = "(undecodable)";
    size_t used = 0;
    if (n == 1) {
        snprintf(got, sizeof(got), "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
        used = insn->size;
        cs_free(insn, n);
    }
    if (strcmp(got, want) != 0 || used != len) {
        failures++;
        print_error("line %d: want \"%s\", got \"%s\" (%zu of %zu bytes):", line, want, got, used, len);
        for (size_t i = 0; i < len; i++) print_error(" %02x", code[i]);
        print_error("\n");
    }
}

#define T(want, ...) do { x86_buf *b = fresh(); __VA_ARGS__; check(want, __LINE__); } while (0)

static void test_alu(void **st)
{
    (void)st;
    failures = 0;
    T("add rax, rbx", x86_alu_rr(b, X86_ADD, 8, X86_RAX, X86_RBX));
    T("sub r13d, esi", x86_alu_rr(b, X86_SUB, 4, X86_R13, X86_RSI));
    T("xor r11, r15", x86_alu_rr(b, X86_XOR, 8, X86_R11, X86_R15));
    T("and cx, r8w", x86_alu_rr(b, X86_AND, 2, X86_RCX, X86_R8));
    T("or sil, dil", x86_alu_rr(b, X86_OR, 1, X86_RSI, X86_RDI));
    T("cmp r9b, al", x86_alu_rr(b, X86_CMP, 1, X86_R9, X86_RAX));
    T("adc rdx, r10", x86_alu_rr(b, X86_ADC, 8, X86_RDX, X86_R10));
    T("sbb rax, rdx", x86_alu_rr(b, X86_SBB, 8, X86_RAX, X86_RDX));
    T("add rax, 1", x86_alu_ri(b, X86_ADD, 8, X86_RAX, 1));
    T("sub r12, -0x80", x86_alu_ri(b, X86_SUB, 8, X86_R12, -128));
    T("cmp esi, 0x12345678", x86_alu_ri(b, X86_CMP, 4, X86_RSI, 0x12345678));
    T("and r8, 0xffffffffffff0000", x86_alu_ri(b, X86_AND, 8, X86_R8, -65536));
    T("xor dil, 0x7f", x86_alu_ri(b, X86_XOR, 1, X86_RDI, 0x7f));
    T("cmp bx, 0x1234", x86_alu_ri(b, X86_CMP, 2, X86_RBX, 0x1234));
    T("add rcx, qword ptr [rsp + 0x10]", x86_alu_rm(b, X86_ADD, 8, X86_RCX, x86_mem_bd(X86_RSP, 16)));
    T("sub r10d, dword ptr [r12 + 0x400]", x86_alu_rm(b, X86_SUB, 4, X86_R10, x86_mem_bd(X86_R12, 0x400)));
    T("cmp rax, qword ptr [rbp]", x86_alu_rm(b, X86_CMP, 8, X86_RAX, x86_mem_bd(X86_RBP, 0)));
    T("cmp qword ptr [r13], r9", x86_alu_mr(b, X86_CMP, 8, x86_mem_bd(X86_R13, 0), X86_R9));
    T("cmp byte ptr [rsp + 0x88], 0", x86_alu_mi(b, X86_CMP, 1, x86_mem_bd(X86_RSP, 0x88), 0));
    T("cmp qword ptr [rsp + 8], -1", x86_alu_mi(b, X86_CMP, 8, x86_mem_bd(X86_RSP, 8), -1));
    T("cmp dword ptr [rsp + 0x7000], 0x10000", x86_alu_mi(b, X86_CMP, 4, x86_mem_bd(X86_RSP, 0x7000), 0x10000));
    T("test r11, r11", x86_test_rr(b, 8, X86_R11, X86_R11));
    T("test esi, esi", x86_test_rr(b, 4, X86_RSI, X86_RSI));
    T("test dl, 1", x86_test_ri(b, 1, X86_RDX, 1));
    T("cmp rax, qword ptr [rdx + rax*4]", x86_alu_rm(b, X86_CMP, 8, X86_RAX, (x86_mem){ .base = X86_RDX, .index = X86_RAX, .scale = 4 }));
    T("cmp r11, qword ptr [r13 + r12*4 + 8]", x86_alu_rm(b, X86_CMP, 8, X86_R11, (x86_mem){ .base = X86_R13, .index = X86_R12, .scale = 4, .disp = 8 }));
    assert_int_equal(failures, 0);
}

static void test_moves(void **st)
{
    (void)st;
    failures = 0;
    T("mov rax, r15", x86_mov_rr(b, 8, X86_RAX, X86_R15));
    T("mov r8d, ecx", x86_mov_rr(b, 4, X86_R8, X86_RCX));
    T("mov rsi, qword ptr [r15 + 0x108]", x86_mov_rm(b, 8, X86_RSI, x86_mem_bd(X86_R15, 0x108)));
    T("mov ebx, dword ptr [r14 + rdi]", x86_mov_rm(b, 4, X86_RBX, x86_mem_bi(X86_R14, X86_RDI, 0)));
    T("mov dx, word ptr [r14 + r13]", x86_mov_rm(b, 2, X86_RDX, x86_mem_bi(X86_R14, X86_R13, 0)));
    T("mov qword ptr [r15 + 0x10], r12", x86_mov_mr(b, 8, x86_mem_bd(X86_R15, 0x10), X86_R12));
    T("mov byte ptr [r15 + 0x104], sil", x86_mov_mr(b, 1, x86_mem_bd(X86_R15, 0x104), X86_RSI));
    T("mov word ptr [r14 + r11], r9w", x86_mov_mr(b, 2, x86_mem_bi(X86_R14, X86_R11, 0), X86_R9));
    T("mov qword ptr [rsp + 0x80], 0x1234", x86_mov_mi(b, 8, x86_mem_bd(X86_RSP, 0x80), 0x1234));
    T("mov dword ptr [r14 + 0x40], 0x12345678", x86_mov_mi(b, 4, x86_mem_bd(X86_R14, 0x40), 0x12345678));
    T("mov byte ptr [r15 + 3], 1", x86_mov_mi(b, 1, x86_mem_bd(X86_R15, 3), 1));
    T("mov word ptr [rax], 0xffff", x86_mov_mi(b, 2, x86_mem_bd(X86_RAX, 0), 0xffff));
    T("mov qword ptr [r15 + 0x100], -8", x86_mov_mi(b, 8, x86_mem_bd(X86_R15, 0x100), -8));
    T("mov eax, 0x2a", x86_mov_ri(b, X86_RAX, 42));
    T("mov r11d, 0xffffffff", x86_mov_ri(b, X86_R11, 0xffffffffu));
    T("mov rcx, -1", x86_mov_ri(b, X86_RCX, ~0ull));
    T("movabs r9, 0x123456789abcdef0", x86_mov_ri(b, X86_R9, 0x123456789abcdef0ull));
    T("xor r10d, r10d", x86_zero(b, X86_R10));
    T("movzx esi, sil", x86_movzx8_rr(b, X86_RSI, X86_RSI));
    T("movzx r8d, bl", x86_movzx8_rr(b, X86_R8, X86_RBX));
    T("movzx eax, r12b", x86_movzx8_rr(b, X86_RAX, X86_R12));
    T("movzx edi, r9w", x86_movzx16_rr(b, X86_RDI, X86_R9));
    T("movsx rax, dil", x86_movsx8_rr(b, 8, X86_RAX, X86_RDI));
    T("movsx r10d, cl", x86_movsx8_rr(b, 4, X86_R10, X86_RCX));
    T("movsx rbx, r13w", x86_movsx16_rr(b, 8, X86_RBX, X86_R13));
    T("movsxd rdx, r8d", x86_movsxd_rr(b, X86_RDX, X86_R8));
    T("movzx ecx, byte ptr [r14 + rsi]", x86_movzx_rm(b, 1, X86_RCX, x86_mem_bi(X86_R14, X86_RSI, 0)));
    T("movzx r13d, word ptr [r15 + 0x20]", x86_movzx_rm(b, 2, X86_R13, x86_mem_bd(X86_R15, 0x20)));
    T("movsx rax, byte ptr [rsp + 0x90]", x86_movsx_rm(b, 8, 1, X86_RAX, x86_mem_bd(X86_RSP, 0x90)));
    T("movsxd r8, dword ptr [r14 + r11]", x86_movsx_rm(b, 8, 4, X86_R8, x86_mem_bi(X86_R14, X86_R11, 0)));
    T("lea rdx, [rsi + 0x10]", x86_lea(b, 8, X86_RDX, x86_mem_bd(X86_RSI, 16)));
    T("prefetchw byte ptr [rdx + 0x800]", x86_prefetchw(b, x86_mem_bd(X86_RDX, 0x800)));
    T("prefetchw byte ptr [r11 + 0x40]", x86_prefetchw(b, x86_mem_bd(X86_R11, 0x40)));
    T("movdqu xmm15, xmmword ptr [r15 + 0x100]", x86_movdqu_load(b, 15, x86_mem_bd(X86_R15, 0x100)));
    T("movdqu xmmword ptr [rsp + 0x80], xmm0", x86_movdqu_store(b, x86_mem_bd(X86_RSP, 0x80), 0));
    T("lea eax, [rax + r11]", x86_lea(b, 4, X86_RAX, (x86_mem){ .base = X86_RAX, .index = X86_R11, .scale = 1, .disp = 0 }));
    T("lea eax, [rax + 0x1000001]", x86_lea(b, 4, X86_RAX, x86_mem_bd(X86_RAX, 0x1000001)));
    T("lea rax, [r13 + rcx*4]", x86_lea(b, 8, X86_RAX, (x86_mem){ .base = X86_R13, .index = X86_RCX, .scale = 4, .disp = 0 }));
    T("lea r9d, [rbp + r12*8]", x86_lea(b, 4, X86_R9, (x86_mem){ .base = X86_RBP, .index = X86_R12, .scale = 8, .disp = 0 }));
    T("lea rbx, [r8 + rbx*2]", x86_lea(b, 8, X86_RBX, (x86_mem){ .base = X86_R8, .index = X86_RBX, .scale = 2, .disp = 0 }));
    T("rorx r11d, r11d, 0x18", x86_rorx(b, 4, X86_R11, X86_R11, 24));
    T("rorx eax, r9d, 8", x86_rorx(b, 4, X86_RAX, X86_R9, 8));
    T("rorx r12, rbx, 0x3f", x86_rorx(b, 8, X86_R12, X86_RBX, 63));
    T("movq xmm0, rax", x86_movq_xr(b, 8, 0, X86_RAX));
    T("movq xmm1, r11", x86_movq_xr(b, 8, 1, X86_R11));
    T("movd xmm1, r13d", x86_movq_xr(b, 4, 1, X86_R13));
    T("movd xmm0, esi", x86_movq_xr(b, 4, 0, X86_RSI));
    T("movq xmm1, qword ptr [rsp + 0x48]", x86_movq_xm(b, 8, 1, x86_mem_bd(X86_RSP, 0x48)));
    T("movd xmm0, dword ptr [rsp + 0x200]", x86_movq_xm(b, 4, 0, x86_mem_bd(X86_RSP, 0x200)));
    T("movq rbx, xmm0", x86_movq_rx(b, 8, X86_RBX, 0));
    T("movq r14, xmm0", x86_movq_rx(b, 8, X86_R14, 0));
    T("movd r9d, xmm0", x86_movq_rx(b, 4, X86_R9, 0));
    T("movd eax, xmm1", x86_movq_rx(b, 4, X86_RAX, 1));
    T("addsd xmm0, xmm1", x86_sse_arith_xx(b, X86_SSE_ADD, true, 0, 1));
    T("subsd xmm0, xmm1", x86_sse_arith_xx(b, X86_SSE_SUB, true, 0, 1));
    T("mulsd xmm0, xmm1", x86_sse_arith_xx(b, X86_SSE_MUL, true, 0, 1));
    T("divsd xmm0, xmm1", x86_sse_arith_xx(b, X86_SSE_DIV, true, 0, 1));
    T("addss xmm0, xmm1", x86_sse_arith_xx(b, X86_SSE_ADD, false, 0, 1));
    T("subss xmm0, xmm1", x86_sse_arith_xx(b, X86_SSE_SUB, false, 0, 1));
    T("mulss xmm0, xmm1", x86_sse_arith_xx(b, X86_SSE_MUL, false, 0, 1));
    T("divss xmm9, xmm1", x86_sse_arith_xx(b, X86_SSE_DIV, false, 9, 1));
    T("vfmadd231sd xmm0, xmm1, xmm2", x86_vfmadd231_xxx(b, true, 0, 1, 2));
    T("vfmadd231ss xmm0, xmm1, xmm2", x86_vfmadd231_xxx(b, false, 0, 1, 2));
    T("vfmadd231sd xmm9, xmm14, xmm11", x86_vfmadd231_xxx(b, true, 9, 14, 11));
    T("vfmadd231ss xmm3, xmm8, xmm15", x86_vfmadd231_xxx(b, false, 3, 8, 15));
    assert_int_equal(failures, 0);
}

static void test_shifts_and_arith(void **st)
{
    (void)st;
    failures = 0;
    T("shl rax, 3", x86_shift_ri(b, X86_SHL, 8, X86_RAX, 3));
    T("shr r9d, 1", x86_shift_ri(b, X86_SHR, 4, X86_R9, 1));
    T("sar rbx, 0x3f", x86_shift_ri(b, X86_SAR, 8, X86_RBX, 63));
    T("ror esi, 0x1f", x86_shift_ri(b, X86_ROR, 4, X86_RSI, 31));
    T("rol di, 8", x86_shift_ri(b, X86_ROL, 2, X86_RDI, 8));
    T("shl r12, cl", x86_shift_rcl(b, X86_SHL, 8, X86_R12));
    T("ror eax, cl", x86_shift_rcl(b, X86_ROR, 4, X86_RAX));
    T("shlx rax, rbx, rcx", x86_shiftx(b, X86_SHL, 8, X86_RAX, X86_RBX, X86_RCX));
    T("shrx r9d, r12d, edx", x86_shiftx(b, X86_SHR, 4, X86_R9, X86_R12, X86_RDX));
    T("sarx rsi, r15, r11", x86_shiftx(b, X86_SAR, 8, X86_RSI, X86_R15, X86_R11));
    T("neg r10", x86_unary_r(b, X86_NEG, 8, X86_R10));
    T("not esi", x86_unary_r(b, X86_NOT, 4, X86_RSI));
    T("mul rcx", x86_unary_r(b, X86_MUL, 8, X86_RCX));
    T("imul r8", x86_unary_r(b, X86_IMUL1, 8, X86_R8));
    T("div r11d", x86_unary_r(b, X86_DIV, 4, X86_R11));
    T("idiv qword ptr [rsp + 0x98]", x86_unary_m(b, X86_IDIV, 8, x86_mem_bd(X86_RSP, 0x98)));
    T("imul rdx, r13", x86_imul_rr(b, 8, X86_RDX, X86_R13));
    T("imul esi, dword ptr [rsp + 0x88]", x86_imul_rm(b, 4, X86_RSI, x86_mem_bd(X86_RSP, 0x88)));
    T("imul rax, rbx, 0xa", x86_imul_rri(b, 8, X86_RAX, X86_RBX, 10));
    T("imul r9d, edi, 0x10000", x86_imul_rri(b, 4, X86_R9, X86_RDI, 0x10000));
    T("cqo", x86_cqo(b));
    T("cdq", x86_cdq(b));
    T("bswap rsi", x86_bswap(b, 8, X86_RSI));
    T("bswap r12d", x86_bswap(b, 4, X86_R12));
    T("lzcnt rax, r9", x86_bitscan_rr(b, true, 0xbd, 8, X86_RAX, X86_R9));
    T("tzcnt ecx, esi", x86_bitscan_rr(b, true, 0xbc, 4, X86_RCX, X86_RSI));
    T("popcnt r10, rbx", x86_bitscan_rr(b, true, 0xb8, 8, X86_R10, X86_RBX));
    T("bsr rax, r11", x86_bitscan_rr(b, false, 0xbd, 8, X86_RAX, X86_R11));
    T("bsf eax, edi", x86_bitscan_rr(b, false, 0xbc, 4, X86_RAX, X86_RDI));
    T("bt r8d, 0", x86_bt_ri(b, 4, X86_R8, 0));
    T("bt dword ptr [rsp + 0x90], 0", x86_bt_mi(b, 4, x86_mem_bd(X86_RSP, 0x90), 0));
    T("stc", x86_stc(b));
    T("clc", x86_clc(b));
    assert_int_equal(failures, 0);
}

static void test_conditions_and_control(void **st)
{
    (void)st;
    failures = 0;
    T("sete al", x86_setcc(b, X86_CC_E, X86_RAX));
    T("setb sil", x86_setcc(b, X86_CC_B, X86_RSI));
    T("seto r13b", x86_setcc(b, X86_CC_O, X86_R13));
    T("setge bl", x86_setcc(b, X86_CC_GE, X86_RBX));
    T("sets byte ptr [r15 + 0x108]", x86_setcc_m(b, X86_CC_S, x86_mem_bd(X86_R15, 0x108)));
    T("setae byte ptr [r15 + 0x10a]", x86_setcc_m(b, X86_CC_AE, x86_mem_bd(X86_R15, 0x10a)));
    T("seto byte ptr [rsp + 0x88]", x86_setcc_m(b, X86_CC_O, x86_mem_bd(X86_RSP, 0x88)));
    T("cmovne rax, rdx", x86_cmov_rr(b, X86_CC_NE, 8, X86_RAX, X86_RDX));
    T("cmovl r9d, esi", x86_cmov_rr(b, X86_CC_L, 4, X86_R9, X86_RSI));
    T("cmova rcx, qword ptr [rsp + 0xa0]", x86_cmov_rm(b, X86_CC_A, 8, X86_RCX, x86_mem_bd(X86_RSP, 0xa0)));
    T("jmp 0x1100", x86_jmp32(b, code + 0x100));
    T("je 0xff0", x86_jcc32(b, X86_CC_E, code - 0x10));
    T("ja 0x1234", x86_jcc32(b, X86_CC_A, code + 0x234));
    T("jmp 0x1010", x86_jmp8(b, code + 0x10));
    T("jne 0x1002", x86_jcc8(b, X86_CC_NE, code + 2));
    T("jmp qword ptr [rdx + rax*4 + 8]", x86_jmp_m(b, (x86_mem){ .base = X86_RDX, .index = X86_RAX, .scale = 4, .disp = 8 }));
    T("jmp rsi", x86_jmp_r(b, X86_RSI));
    T("call rax", x86_call_r(b, X86_RAX));
    T("call r11", x86_call_r(b, X86_R11));
    T("ret", x86_ret(b));
    T("push r15", x86_push(b, X86_R15));
    T("pop rbp", x86_pop(b, X86_RBP));
    /* RIP-relative: the displacement counts from the end of the whole instruction */
    T("cmp rsi, qword ptr [rip + 0x39]", x86_alu_rm(b, X86_CMP, 8, X86_RSI, x86_mem_rip(code + 0x40)));
    T("mov qword ptr [rip + 0x35], -1", x86_mov_mi(b, 8, x86_mem_rip(code + 0x40), -1));
    T("lea rdx, [rip - 0x27]", x86_lea(b, 8, X86_RDX, x86_mem_rip(code - 0x20)));
    /* patching a jump after the fact */
    T("jmp 0x1030", uint8_t *site = x86_jmp32(b, code); x86_patch_rel32(site, code + 0x30));
    T("jb 0x1020", uint8_t *site = x86_jcc8(b, X86_CC_B, code); x86_patch_rel8(site, code + 0x20));
    assert_int_equal(failures, 0);
}

static int setup(void **st)
{
    (void)st;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) return -1;
    return 0;
}
static int teardown(void **st)
{
    (void)st;
    cs_close(&cs);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alu),
        cmocka_unit_test(test_moves),
        cmocka_unit_test(test_shifts_and_arith),
        cmocka_unit_test(test_conditions_and_control),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
