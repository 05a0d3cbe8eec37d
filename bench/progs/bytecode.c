/* Benchmark: a small stack-machine bytecode interpreter running a loop-heavy program
 * (nested loops, arithmetic, a call): indirect-branch dispatch dominates. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum op { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JZ, JMP, CALL, RET, HALT, DUP, XOR };

struct insn { uint8_t op; int32_t arg; };

static int64_t run(const struct insn *code, int64_t *vars)
{
    int64_t stack[64];
    int sp = 0;
    int ret_stack[16];
    int rsp = 0;
    int pc = 0;
    for (;;) {
        const struct insn in = code[pc++];
        switch (in.op) {
        case PUSH: stack[sp++] = in.arg; break;
        case LOAD: stack[sp++] = vars[in.arg]; break;
        case STORE: vars[in.arg] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case MOD: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0; break;
        case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case JZ: if (!stack[--sp]) pc = in.arg; break;
        case JMP: pc = in.arg; break;
        case CALL: ret_stack[rsp++] = pc; pc = in.arg; break;
        case RET: pc = ret_stack[--rsp]; break;
        case HALT: return vars[0];
        }
    }
}

int main(int argc, char **argv)
{
    int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
    /* vars: 0 acc, 1 i, 2 n, 3 j */
    const struct insn program[] = {
        /* 0 */ { PUSH, 0 }, { STORE, 1 },
        /* 2: loop i */ { LOAD, 1 }, { LOAD, 2 }, { LT, 0 }, { JZ, 27 },
        /* 6 */ { PUSH, 0 }, { STORE, 3 },
        /* 8: loop j */ { LOAD, 3 }, { PUSH, 4 }, { LT, 0 }, { JZ, 22 },
        /* 12 */ { CALL, 28 },
        /* 13 */ { LOAD, 3 }, { PUSH, 1 }, { ADD, 0 }, { STORE, 3 }, { JMP, 8 },
        /* 18 (unused padding) */ { HALT, 0 }, { HALT, 0 }, { HALT, 0 }, { HALT, 0 },
        /* 22 */ { LOAD, 1 }, { PUSH, 1 }, { ADD, 0 }, { STORE, 1 }, { JMP, 2 },
        /* 27 */ { HALT, 0 },
        /* 28: acc = (acc * 31 + i ^ j) % 1000003 */
        { LOAD, 0 }, { PUSH, 31 }, { MUL, 0 }, { LOAD, 1 }, { LOAD, 3 }, { XOR, 0 }, { ADD, 0 },
        { PUSH, 1000003 }, { MOD, 0 }, { STORE, 0 }, { RET, 0 },
    };
    int64_t vars[4] = { 1, 0, n, 0 };
    printf("bytecode %lld\n", (long long)run(program, vars));
    return 0;
}
