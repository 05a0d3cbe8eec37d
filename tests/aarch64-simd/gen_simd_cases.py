#!/usr/bin/env python3
"""Writes an assembly list of every encoding simd_fast.adl specialises (each Q, lane
size and shift, several register combinations) for the disassembly comparison with
aarch64-linux-gnu-objdump.  Usage: gen_simd_cases.py OUT.s"""
import sys

REGS = [(0, 1, 2), (31, 30, 29), (7, 7, 7), (16, 3, 24)]


def v(n, arr):
    return f"v{n}.{arr}"


def lines():
    for d, n, m in REGS:
        for arr in ("8b", "16b"):
            yield f"cmeq {v(d, arr)}, {v(n, arr)}, {v(m, arr)}"
            yield f"cmhs {v(d, arr)}, {v(n, arr)}, {v(m, arr)}"
            yield f"cmeq {v(d, arr)}, {v(n, arr)}, #0"
        for op in ("umaxp", "uminp", "addp"):
            yield f"{op} {v(d, '16b')}, {v(n, '16b')}, {v(m, '16b')}"
        for shift in range(1, 9):
            yield f"shrn {v(d, '8b')}, {v(n, '8h')}, #{shift}"
            yield f"shrn2 {v(d, '16b')}, {v(n, '8h')}, #{shift}"
        for src, wide, bits in (("8b", "8h", 8), ("4h", "4s", 16)):
            src2 = {"8b": "16b", "4h": "8h"}[src]
            for shift in range(bits):
                yield f"ushll {v(d, wide)}, {v(n, src)}, #{shift}"
                yield f"ushll2 {v(d, wide)}, {v(n, src2)}, #{shift}"
            yield f"uxtl {v(d, wide)}, {v(n, src)}"
            yield f"uxtl2 {v(d, wide)}, {v(n, src2)}"
            yield f"shll {v(d, wide)}, {v(n, src)}, #{bits}"
            yield f"shll2 {v(d, wide)}, {v(n, src2)}, #{bits}"
        for op in ("and", "bic", "orr", "orn", "eor", "bsl", "bit", "bif"):
            yield f"{op} {v(d, '8b')}, {v(n, '8b')}, {v(m, '8b')}"
        yield f"mov {v(d, '8b')}, {v(n, '8b')}"
        for arr, bits in (("16b", 8), ("8h", 16), ("4s", 32), ("2d", 64)):
            for shift in range(bits):
                yield f"shl {v(d, arr)}, {v(n, arr)}, #{shift}"


with open(sys.argv[1], "w") as out:
    out.write("\t.text\n")
    for line in lines():
        out.write(f"\t{line}\n")
