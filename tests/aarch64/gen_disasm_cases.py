#!/usr/bin/env python3
"""Writes assembler input (.inst words) for the A64 decoder/disassembler test.

  gen_disasm_cases.py directed OUT.s   every encoding pattern that engineer A's part of
                                       the description covers, with boundary and random
                                       field values (small patterns exhaustively)
  gen_disasm_cases.py random OUT.s     random words of the top-level groups that part
                                       covers (data processing immediate/register,
                                       branches, exception generation, system)

The words are assembled with aarch64-linux-gnu-as and disassembled by objdump; the
C driver (disasm_check.c) compares objdump's text with Ferry's for every word. The
seed is fixed so a failure reproduces."""
import random
import sys

# Encoding patterns, most significant bit first, as in the ADL description.
PATTERNS = [
    "sf:1 op:1 S:1 100010 sh:1 imm12:12 Rn:5 Rd:5",
    "sf:1 op:1 S:1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5",
    "sf:1 op:1 S:1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5",
    "sf:1 op:1 S:1 11010000 Rm:5 000000 Rn:5 Rd:5",
    "sf:1 opc:2 100100 nb:1 immr:6 imms:6 Rn:5 Rd:5",
    "sf:1 opc:2 01010 shift:2 nb:1 Rm:5 imm6:6 Rn:5 Rd:5",
    "sf:1 opc:2 100101 hw:2 imm16:16 Rd:5",
    "op:1 immlo:2 10000 immhi:19 Rd:5",
    "sf:1 opc:2 100110 nb:1 immr:6 imms:6 Rn:5 Rd:5",
    "sf:1 00 100111 nb:1 0 Rm:5 imms:6 Rn:5 Rd:5",
    "sf:1 op:1 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4",
    "sf:1 op:1 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4",
    "sf:1 op:1 0 11010100 Rm:5 cond:4 0 o2:1 Rn:5 Rd:5",
    "sf:1 00 11011 op31:3 Rm:5 o0:1 Ra:5 Rn:5 Rd:5",
    "sf:1 0 0 11010110 Rm:5 opcode:6 Rn:5 Rd:5",
    "sf:1 0 0 11010110 Rm:5 010 c:1 sz:2 Rn:5 Rd:5",
    "sf:1 1 0 11010110 00000 opcode:6 Rn:5 Rd:5",
    "0 00101 imm26:26",
    "1 00101 imm26:26",
    "01010100 imm19:19 0 cond:4",
    "sf:1 011010 op:1 imm19:19 Rt:5",
    "b5:1 011011 op:1 b40:5 imm14:14 Rt:5",
    "1101011 0000 11111 000000 Rn:5 00000",
    "1101011 0001 11111 000000 Rn:5 00000",
    "1101011 0010 11111 000000 Rn:5 00000",
    "11010100 000 imm16:16 000 01",
    "11010100 000 imm16:16 000 10",
    "11010100 000 imm16:16 000 11",
    "11010100 001 imm16:16 000 00",
    "11010100 010 imm16:16 000 00",
    "0000000000000000 imm16:16",
    "11010101 00000011 0010 imm7:7 11111",
    "11010101 00000011 0011 CRm:4 op2:3 11111",
    "1101010100 0 01 011 0111 CRm:4 op2:3 Rt:5",
]

# System registers EL0 can reach (op0 op1 CRn CRm op2), so MRS/MSR cases hit them.
SYSREGS = [(3, 3, 4, 2, 0), (3, 3, 4, 4, 0), (3, 3, 4, 4, 1), (3, 3, 13, 0, 2), (3, 3, 13, 0, 3),
           (3, 3, 0, 0, 1), (3, 3, 0, 0, 7), (3, 0, 0, 0, 0), (3, 0, 0, 0, 5), (3, 0, 0, 0, 6)]
SYSREGS += [(3, 0, 0, crm, op2) for crm in range(4, 8) for op2 in range(8)]
# MRS/MSR words are generated from SYSREGS (plus random ones in random mode): most of
# the system register space is privileged and deliberately undefined at EL0.


def parse(pattern):
    fixed, mask, fields, pos = 0, 0, [], 32
    for tok in pattern.split():
        if ":" in tok:
            name, width = tok.split(":")
            pos -= int(width)
            fields.append((name, pos, int(width)))
        else:
            for ch in tok:
                pos -= 1
                if ch in "01":
                    mask |= 1 << pos
                    fixed |= int(ch) << pos
    assert pos == 0, pattern
    return fixed, mask, fields


def field_value(rng, width):
    top = (1 << width) - 1
    r = rng.random()
    if r < 0.35:
        return rng.choice([0, 1, top, top - 1 if top > 0 else 0, top >> 1, (top >> 1) + 1])
    if width >= 5 and r < 0.5:
        return rng.choice([30, 31, 29, 0, 1]) & top
    return rng.randrange(top + 1)


def directed(rng):
    words = []
    for pattern in PATTERNS:
        fixed, mask, fields = parse(pattern)
        free = sum(w for _, _, w in fields)
        if free <= 12:
            for v in range(1 << free):
                word, rest = fixed, v
                for _, pos, width in fields:
                    word |= (rest & ((1 << width) - 1)) << pos
                    rest >>= width
                words.append(word)
            continue
        for _ in range(400):
            word = fixed
            for _, pos, width in fields:
                word |= field_value(rng, width) << pos
            words.append(word)
    for L in (0, 1):                      # every readable/writable system register
        for op0, op1, crn, crm, op2 in SYSREGS:
            for rt in (0, 17, 30, 31):
                words.append(0xd5000000 | L << 21 | (op0 - 2) << 19 | 1 << 20 | op1 << 16 |
                             crn << 12 | crm << 8 | op2 << 5 | rt)
    return words


def random_groups(rng, count):
    words = []
    while len(words) < count:
        w = rng.getrandbits(32)
        op0 = (w >> 25) & 0xF
        if (op0 & 0xE) in (0x8, 0xA) or (op0 & 0x7) == 0x5:
            words.append(w)
    return words


def main():
    kind, out = sys.argv[1], sys.argv[2]
    rng = random.Random(0xF0E1 if kind == "directed" else 0xA64)
    words = directed(rng) if kind == "directed" else random_groups(rng, 150000)
    with open(out, "w") as f:
        f.write("\t.text\n")
        for w in words:
            f.write("\t.inst 0x%08x\n" % w)


main()
