#!/usr/bin/env python3
"""Writes assembly for the disassembler-vs-objdump test of the load/store and FP/AdvSIMD
descriptions (arch/aarch64/loadstore.adl, fpsimd.adl).

  gen_ls_cases.py directed OUT.s   every instruction form with many operand combinations
  gen_ls_cases.py random OUT.s     random words (.inst) inside the encoding groups B owns

Random words use a fixed seed so failures reproduce."""
import random
import sys

rng = random.Random(20240611)


def gpr(n, x=True, sp=False):
    if n == 31:
        return ("sp" if x else "wsp") if sp else ("xzr" if x else "wzr")
    return ("x" if x else "w") + str(n)


def regs():
    return [0, 1, 7, 15, 29, 30, 31]


def directed():
    out = []
    add = out.append
    # single register, integer
    forms = [("strb", False, 0), ("ldrb", False, 0), ("ldrsb", True, 0), ("ldrsb", False, 0),
             ("strh", False, 1), ("ldrh", False, 1), ("ldrsh", True, 1), ("ldrsh", False, 1),
             ("str", False, 2), ("ldr", False, 2), ("ldrsw", True, 2), ("str", True, 3), ("ldr", True, 3)]
    for mnem, x, scale in forms:
        for t in regs():
            for n in [0, 5, 31]:
                rt, rn = gpr(t, x), gpr(n, True, True)
                for off in [0, 1, 4095]:
                    add(f"{mnem} {rt}, [{rn}, #{off << scale}]")
                for off in [-256, -1, 0, 17, 255]:
                    add(f"{mnem} {rt}, [{rn}, #{off}]!")
                    add(f"{mnem} {rt}, [{rn}], #{off}")
                    u = mnem.replace("ldr", "ldur").replace("str", "stur")
                    add(f"{u} {rt}, [{rn}, #{off}]")
                    tm = mnem.replace("ldr", "ldtr").replace("str", "sttr")
                    add(f"{tm} {rt}, [{rn}, #{off}]")
                for m in [0, 9, 31]:
                    add(f"{mnem} {rt}, [{rn}, {gpr(m)}]")
                    add(f"{mnem} {rt}, [{rn}, {gpr(m)}, lsl #{scale}]")
                    add(f"{mnem} {rt}, [{rn}, {gpr(m, False)}, uxtw]")
                    add(f"{mnem} {rt}, [{rn}, {gpr(m, False)}, sxtw #{scale}]")
                    add(f"{mnem} {rt}, [{rn}, {gpr(m)}, sxtx]")
    for t in [0, 30, 31]:
        for lit in [".-4", ".", ".+1048572", ".-1048576"]:
            add(f"ldr {gpr(t)}, {lit}")
            add(f"ldr {gpr(t, False)}, {lit}")
            add(f"ldrsw {gpr(t)}, {lit}")
            add(f"prfm pldl1keep, {lit}")
    for op in range(32):
        add(f"prfm #{op}, [x0, #8]")
        add(f"prfm #{op}, [sp, x3, lsl #3]")
        add(f"prfum #{op}, [x2, #-5]")
    # SIMD&FP single register
    for letter, scale in [("b", 0), ("h", 1), ("s", 2), ("d", 3), ("q", 4)]:
        for t in [0, 17, 31]:
            for n in [1, 31]:
                rn = gpr(n, True, True)
                for ld in ["ldr", "str"]:
                    for off in [0, 1, 4095]:
                        add(f"{ld} {letter}{t}, [{rn}, #{off << scale}]")
                    for off in [-256, -3, 0, 255]:
                        add(f"{ld} {letter}{t}, [{rn}, #{off}]!")
                        add(f"{ld} {letter}{t}, [{rn}], #{off}")
                        add(f"{ld.replace('r', 'ur')} {letter}{t}, [{rn}, #{off}]")
                    for m in [2, 31]:
                        add(f"{ld} {letter}{t}, [{rn}, {gpr(m)}]")
                        add(f"{ld} {letter}{t}, [{rn}, {gpr(m)}, lsl #{scale}]")
                        add(f"{ld} {letter}{t}, [{rn}, {gpr(m, False)}, uxtw #{scale}]")
                        add(f"{ld} {letter}{t}, [{rn}, {gpr(m, False)}, sxtw]")
            if letter in "sdq":
                add(f"ldr {letter}{t}, .+64")
    # pairs
    for x, scale in [(False, 2), (True, 3)]:
        for t, t2, n in [(0, 1, 2), (29, 30, 31), (31, 31, 0), (5, 3, 31)]:
            a, b, rn = gpr(t, x), gpr(t2, x), gpr(n, True, True)
            for mnem in ["ldp", "stp", "ldnp", "stnp"] + (["ldpsw"] if not x else []):
                # LDPSW loads words (scale 2) into X registers
                ra, rb = (gpr(t), gpr(t2)) if mnem == "ldpsw" else (a, b)
                for off in [-64, 0, 63]:
                    add(f"{mnem} {ra}, {rb}, [{rn}, #{off << scale}]")
                    if "n" not in mnem:
                        add(f"{mnem} {ra}, {rb}, [{rn}, #{off << scale}]!")
                        add(f"{mnem} {ra}, {rb}, [{rn}], #{off << scale}")
    for letter, scale in [("s", 2), ("d", 3), ("q", 4)]:
        for t, t2, n in [(0, 1, 2), (30, 31, 31)]:
            for mnem in ["ldp", "stp", "ldnp", "stnp"]:
                for off in [-64, 0, 63]:
                    add(f"{mnem} {letter}{t}, {letter}{t2}, [{gpr(n, True, True)}, #{off << scale}]")
                    if "n" not in mnem:
                        add(f"{mnem} {letter}{t}, {letter}{t2}, [{gpr(n, True, True)}, #{off << scale}]!")
                        add(f"{mnem} {letter}{t}, {letter}{t2}, [{gpr(n, True, True)}], #{off << scale}")
    # exclusives, ordered, atomics
    for sfx, x in [("b", False), ("h", False), ("", False), ("", True)]:
        for t, s, n in [(0, 1, 2), (31, 30, 31)]:
            rt, rs, rn = gpr(t, x), gpr(s, False), gpr(n, True, True)
            for m in ["ldxr", "ldaxr", "ldar", "ldlar"] + (["ldapr"]):
                add(f"{m}{sfx} {rt}, [{rn}]")
            for m in ["stxr", "stlxr"]:
                add(f"{m}{sfx} {rs}, {rt}, [{rn}]")
            for m in ["stlr", "stllr"]:
                add(f"{m}{sfx} {rt}, [{rn}]")
            for m in ["cas", "casa", "casl", "casal"]:
                add(f"{m}{sfx} {gpr(s, x)}, {rt}, [{rn}]")
            for op in ["add", "clr", "eor", "set", "smax", "smin", "umax", "umin"]:
                for order in ["", "a", "l", "al"]:
                    add(f"ld{op}{order}{sfx} {gpr(s, x)}, {rt}, [{rn}]")
                    add(f"ld{op}{order}{sfx} {gpr(s, x)}, {gpr(31, x)}, [{rn}]")
            for order in ["", "a", "l", "al"]:
                add(f"swp{order}{sfx} {gpr(s, x)}, {rt}, [{rn}]")
    for x in [False, True]:
        for m in ["ldxp", "ldaxp"]:
            add(f"{m} {gpr(3, x)}, {gpr(4, x)}, [x5]")
        for m in ["stxp", "stlxp"]:
            add(f"{m} w6, {gpr(3, x)}, {gpr(4, x)}, [sp]")
        for m in ["casp", "caspa", "caspl", "caspal"]:
            add(f"{m} {gpr(0, x)}, {gpr(1, x)}, {gpr(30, x)}, {gpr(31, x)}, [x9]")
    # structures
    arrs = ["8b", "16b", "4h", "8h", "2s", "4s", "1d", "2d"]
    for arr in arrs:
        for count in [1, 2, 3, 4]:
            for first in [0, 29, 31]:
                lst = ", ".join(f"v{(first + i) % 32}.{arr}" for i in range(count))
                bytes_ = count * (16 if arr in ("16b", "8h", "4s", "2d") else 8)
                for mnem in ["ld1", "st1"] + ([f"ld{count}", f"st{count}"] if count > 1 and arr != "1d" else []):
                    add(f"{mnem} {{{lst}}}, [x0]")
                    add(f"{mnem} {{{lst}}}, [sp], #{bytes_}")
                    add(f"{mnem} {{{lst}}}, [x3], x7")
    # scalar FP
    for t in ["s", "d"]:
        for m in ["fmov", "fabs", "fneg", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta",
                  "frintx", "frinti"]:
            add(f"{m} {t}0, {t}31")
        for m in ["fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"]:
            add(f"{m} {t}1, {t}2, {t}30")
        for m in ["fmadd", "fmsub", "fnmadd", "fnmsub"]:
            add(f"{m} {t}1, {t}2, {t}30, {t}31")
        for m in ["fcmp", "fcmpe"]:
            add(f"{m} {t}3, {t}4")
            add(f"{m} {t}3, #0.0")
        for cond in ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"]:
            add(f"fccmp {t}1, {t}2, #0x{rng.randrange(16):x}, {cond}")
            add(f"fccmpe {t}1, {t}2, #0xf, {cond}")
            add(f"fcsel {t}1, {t}2, {t}3, {cond}")
        for imm8 in range(256):
            pass
        for gp in ["w", "x"]:
            for m in ["fcvtns", "fcvtnu", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu", "fcvtzs", "fcvtzu",
                      "fcvtas", "fcvtau"]:
                add(f"{m} {gp}5, {t}6")
            for m in ["scvtf", "ucvtf"]:
                add(f"{m} {t}6, {gp}5")
            for fbits in [1, 17, 32] + ([33, 64] if gp == "x" else []):
                add(f"fcvtzs {gp}5, {t}6, #{fbits}")
                add(f"fcvtzu {gp}5, {t}6, #{fbits}")
                add(f"scvtf {t}6, {gp}5, #{fbits}")
                add(f"ucvtf {t}6, {gp}5, #{fbits}")
        for m in ["fcvtns", "fcvtnu", "fcvtps", "fcvtpu", "fcvtms", "fcvtmu", "fcvtzs", "fcvtzu",
                  "fcvtas", "fcvtau", "scvtf", "ucvtf"]:
            add(f"{m} {t}7, {t}8")
    add("fmov w0, s1"); add("fmov s1, w0"); add("fmov x0, d1"); add("fmov d1, x0")
    add("fmov x0, v1.d[1]"); add("fmov v1.d[1], x0"); add("fmov x30, v31.d[1]")
    for a, b in [("s", "d"), ("d", "s"), ("h", "s"), ("s", "h"), ("h", "d"), ("d", "h")]:
        add(f"fcvt {a}0, {b}1")
    # FMOV (immediate) and the vector immediates: every imm8
    words = []
    for imm8 in range(256):
        a, b = imm8 >> 5, imm8 & 31
        words.append(0x1e201000 | (imm8 << 13) | 3)                 # fmov s3, #imm
        words.append(0x1e601000 | (imm8 << 13) | 3)                 # fmov d3, #imm
        for q in [0, 1]:
            for op in [0, 1]:
                for cmode in range(16):
                    words.append((q << 30) | (op << 29) | 0x0f000400 | (a << 16) | (cmode << 12) | (b << 5) | 7)
    # AdvSIMD
    for q, arrs_q in [(0, ["8b", "4h", "2s"]), (1, ["16b", "8h", "4s", "2d"])]:
        for arr in arrs_q:
            for m in ["add", "sub", "cmeq", "cmtst", "cmgt", "cmhi", "cmge", "cmhs", "sshl", "ushl",
                      "sqadd", "uqadd", "sqsub", "uqsub", "addp"]:
                add(f"{m} v0.{arr}, v1.{arr}, v31.{arr}")
            if arr != "2d":
                for m in ["shadd", "uhadd", "srhadd", "urhadd", "shsub", "uhsub", "smax", "umax", "smin",
                          "umin", "sabd", "uabd", "smaxp", "umaxp", "sminp", "uminp", "mul"]:
                    add(f"{m} v2.{arr}, v3.{arr}, v4.{arr}")
                for m in ["cls", "clz"]:
                    add(f"{m} v5.{arr}, v6.{arr}")
                add(f"rev64 v5.{arr}, v6.{arr}")
            for m in ["cmgt", "cmge", "cmeq", "cmle", "cmlt"]:
                add(f"{m} v7.{arr}, v8.{arr}, #0")
            add(f"abs v9.{arr}, v10.{arr}")
            add(f"neg v9.{arr}, v10.{arr}")
            if arr in ("8b", "16b", "4h", "8h"):
                add(f"rev32 v5.{arr}, v6.{arr}")
            bits = {"b": 8, "h": 16, "s": 32, "d": 64}[arr[-1]]
            for sh in [1, bits // 2, bits]:
                add(f"ushr v1.{arr}, v2.{arr}, #{sh}")
                add(f"sshr v1.{arr}, v2.{arr}, #{sh}")
                add(f"urshr v1.{arr}, v2.{arr}, #{sh}")
                add(f"srshr v1.{arr}, v2.{arr}, #{sh}")
            for sh in [0, 1, bits - 1]:
                add(f"shl v1.{arr}, v2.{arr}, #{sh}")
        for arr in ["8b", "16b"] if q == 0 else []:
            pass
        b_arr = "16b" if q else "8b"
        for m in ["and", "bic", "orr", "orn", "eor", "bsl", "bit", "bif"]:
            add(f"{m} v0.{b_arr}, v1.{b_arr}, v2.{b_arr}")
        add(f"orr v3.{b_arr}, v4.{b_arr}, v4.{b_arr}")
        add(f"cnt v0.{b_arr}, v1.{b_arr}")
        add(f"not v0.{b_arr}, v1.{b_arr}")
        add(f"rbit v0.{b_arr}, v1.{b_arr}")
        add(f"rev16 v0.{b_arr}, v1.{b_arr}")
        for imm in [0, 3, 7] + ([8, 15] if q else []):
            add(f"ext v0.{b_arr}, v1.{b_arr}, v2.{b_arr}, #{imm}")
        for n in [1, 2, 3, 4]:
            lst = ", ".join(f"v{(30 + i) % 32}.16b" for i in range(n))
            add(f"tbl v0.{b_arr}, {{{lst}}}, v5.{b_arr}")
            add(f"tbx v0.{b_arr}, {{{lst}}}, v5.{b_arr}")
    for arr, src in [("8b", "16b"), ("4h", "8h"), ("2s", "4s")]:
        add(f"addv {arr[-1]}0, v1.{src}")
        add(f"umaxv {arr[-1]}0, v1.{src}")
        add(f"uminv {arr[-1]}0, v1.{src}")
        add(f"smaxv {arr[-1]}0, v1.{src}")
        add(f"sminv {arr[-1]}0, v1.{src}")
    add("addv b0, v1.8b"); add("addv h0, v1.4h"); add("uaddlv h0, v1.16b"); add("saddlv s0, v1.8h")
    add("uaddlv d0, v1.4s"); add("uaddlv h0, v1.8b")
    for narrow, wide, half in [("8b", "8h", "16b"), ("4h", "4s", "8h"), ("2s", "2d", "4s")]:
        bits = {"b": 8, "h": 16, "s": 32}[narrow[-1]]
        add(f"xtn v0.{narrow}, v1.{wide}")
        add(f"xtn2 v0.{half}, v1.{wide}")
        for sh in [1, bits]:
            add(f"shrn v0.{narrow}, v1.{wide}, #{sh}")
            add(f"shrn2 v0.{half}, v1.{wide}, #{sh}")
            add(f"rshrn v0.{narrow}, v1.{wide}, #{sh}")
        for sh in [0, 1, bits - 1]:
            add(f"ushll v0.{wide}, v1.{narrow}, #{sh}")
            add(f"sshll2 v0.{wide}, v1.{half}, #{sh}")
        for m in ["uaddl", "saddl", "usubl", "ssubl", "uabdl", "sabdl", "umull", "smull"]:
            add(f"{m} v0.{wide}, v1.{narrow}, v2.{narrow}")
            add(f"{m}2 v0.{wide}, v1.{half}, v2.{half}")
        for m in ["uaddw", "saddw", "usubw", "ssubw"]:
            add(f"{m} v0.{wide}, v1.{wide}, v2.{narrow}")
            add(f"{m}2 v0.{wide}, v1.{wide}, v2.{half}")
    for arr in ["8b", "16b", "4h", "8h", "2s", "4s", "2d"]:
        for m in ["uzp1", "uzp2", "trn1", "trn2", "zip1", "zip2"]:
            add(f"{m} v0.{arr}, v1.{arr}, v2.{arr}")
    for m in ["add", "sub", "cmeq", "cmtst", "cmgt", "cmhi", "cmge", "cmhs", "sshl", "ushl", "sqadd",
              "uqadd", "sqsub", "uqsub"]:
        add(f"{m} d0, d1, d2")
    for m in ["cmgt", "cmge", "cmeq", "cmle", "cmlt"]:
        add(f"{m} d3, d4, #0")
    add("abs d3, d4"); add("neg d3, d4")
    for sh in [1, 63, 64]:
        add(f"ushr d0, d1, #{sh}"); add(f"sshr d0, d1, #{sh}")
    for sh in [0, 1, 63]:
        add(f"shl d0, d1, #{sh}")
    # multiply-accumulate, SHLL, scalar ADDP, vector FP, LD1R
    for arr in ["8b", "16b", "4h", "8h", "2s", "4s"]:
        add(f"mla v0.{arr}, v1.{arr}, v2.{arr}")
        add(f"mls v31.{arr}, v30.{arr}, v29.{arr}")
    for narrow, wide, half in [("8b", "8h", "16b"), ("4h", "4s", "8h"), ("2s", "2d", "4s")]:
        bits = {"b": 8, "h": 16, "s": 32}[narrow[-1]]
        add(f"shll v0.{wide}, v1.{narrow}, #{bits}")
        add(f"shll2 v0.{wide}, v1.{half}, #{bits}")
    add("addp d8, v0.2d"); add("addp d31, v31.2d")
    fp3 = ["fmaxnm", "fmla", "fadd", "fcmeq", "fmax", "fminnm", "fmls", "fsub", "fmin", "fmaxnmp",
           "faddp", "fmul", "fcmge", "facge", "fmaxp", "fdiv", "fminnmp", "fabd", "fcmgt", "facgt",
           "fminp"]
    fp2 = ["fabs", "fneg", "fsqrt", "frintn", "frintm", "frintp", "frintz", "frinta", "frintx",
           "frinti", "fcvtns", "fcvtnu", "fcvtms", "fcvtmu", "fcvtas", "fcvtau", "fcvtps", "fcvtpu",
           "fcvtzs", "fcvtzu", "scvtf", "ucvtf"]
    for arr in ["2s", "4s", "2d"]:
        for m in fp3:
            add(f"{m} v0.{arr}, v1.{arr}, v2.{arr}")
            add(f"{m} v31.{arr}, v17.{arr}, v30.{arr}")
        for m in fp2:
            add(f"{m} v0.{arr}, v1.{arr}")
            add(f"{m} v30.{arr}, v31.{arr}")
        for m in ["fcmgt", "fcmge", "fcmeq", "fcmle", "fcmlt"]:
            add(f"{m} v3.{arr}, v4.{arr}, #0.0")
    for arr in ["8b", "16b", "4h", "8h", "2s", "4s", "1d", "2d"]:
        ebytes = {"b": 1, "h": 2, "s": 4, "d": 8}[arr[-1]]
        add(f"ld1r {{v0.{arr}}}, [x1]")
        add(f"ld1r {{v31.{arr}}}, [sp]")
        add(f"ld1r {{v2.{arr}}}, [x1], #{ebytes}")
        add(f"ld1r {{v2.{arr}}}, [sp], x3")
        add(f"ld1r {{v2.{arr}}}, [x30], x30")
    # copies
    for el, n in [("b", 16), ("h", 8), ("s", 4), ("d", 2)]:
        for i in [0, n - 1]:
            for arr in {"b": ["8b", "16b"], "h": ["4h", "8h"], "s": ["2s", "4s"], "d": ["2d"]}[el]:
                add(f"dup v0.{arr}, v1.{el}[{i}]")
                add(f"dup v0.{arr}, {'x' if el == 'd' else 'w'}3")
            add(f"mov v0.{el}[{i}], {'x' if el == 'd' else 'w'}3")
            add(f"mov v0.{el}[{i}], v1.{el}[{n - 1 - i}]")
            add(f"umov {'x' if el == 'd' else 'w'}3, v1.{el}[{i}]")
            add(f"mov {el}4, v1.{el}[{i}]")
            if el in "bh":
                add(f"smov w3, v1.{el}[{i}]")
            if el in "bhs":
                add(f"smov x3, v1.{el}[{i}]")
    return out, words


def random_words():
    # (fixed value, mask of the bits that are randomised) per encoding group
    groups = [
        (0x38000000, 0xc4ffffff),   # loads/stores register (imm9, reg, atomics), V both
        (0x39000000, 0xc4ffffff),   # unsigned immediate
        (0x18000000, 0xc4ffffff),   # literal
        (0x28000000, 0xc5ffffff),   # pairs
        (0x08000000, 0xc0ffffff),   # exclusives / ordered / CAS
        (0x0c000000, 0x40ffffff),   # structure loads/stores (multiple, single)
        (0x1e200000, 0x80dffc00 | 0x3ff),   # FP data processing (conversions, 1/2 source, cmp)
        (0x1f000000, 0x00ffffff),   # FP 3 source
        (0x0e200400, 0x60dffbff),   # AdvSIMD three same / different / misc / across
        (0x0f000400, 0x60fffbff),   # AdvSIMD shift by immediate / modified immediate
        (0x0e000000, 0x60dffc00 | 0x3ff),   # permute, copy, ext, tbl
        (0x5e200400, 0x20dffbff),   # AdvSIMD scalar
    ]
    words = []
    for fixed, mask in groups:
        for _ in range(1500):
            words.append(fixed | (rng.getrandbits(32) & mask))
    return words


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, "w") as f:
        f.write("\t.text\n")
        if kind == "directed":
            lines, words = directed()
            for line in lines:
                f.write(f"\t{line}\n")
            for w in words:
                f.write(f"\t.inst 0x{w:08x}\n")
        else:
            for w in random_words():
                f.write(f"\t.inst 0x{w:08x}\n")


if __name__ == "__main__":
    main()
