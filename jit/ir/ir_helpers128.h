/* C helpers for the I128 operations (and the popcount fallback) that the builder turns
 * into calls instead of inline code. Signature convention of ir_call: state first. */
#ifndef FERRY_JIT_IR_HELPERS128_H
#define FERRY_JIT_IR_HELPERS128_H

#include <stdint.h>

typedef unsigned __int128 u128;

u128 ir_h128_mul(void *s, u128 a, u128 b);
u128 ir_h128_udiv(void *s, u128 a, u128 b);
u128 ir_h128_sdiv(void *s, u128 a, u128 b);
u128 ir_h128_shl(void *s, u128 a, uint32_t n);
u128 ir_h128_lshr(void *s, u128 a, uint32_t n);
u128 ir_h128_ashr(void *s, u128 a, uint32_t n);
u128 ir_h128_ror(void *s, u128 a, uint32_t n);
u128 ir_h128_umulh(void *s, u128 a, u128 b);
u128 ir_h128_smulh(void *s, u128 a, u128 b);
u128 ir_h128_clz(void *s, u128 a);
u128 ir_h128_ctz(void *s, u128 a);
u128 ir_h128_popcount(void *s, u128 a);
u128 ir_h128_bswap(void *s, u128 a);
u128 ir_h128_bitreverse(void *s, u128 a);
uint32_t ir_h128_cmp(void *s, u128 a, u128 b, uint32_t cond);
u128 ir_h128_select(void *s, uint8_t c, u128 t, u128 f);
uint32_t ir_h128_add_carry(void *s, u128 a, u128 b, uint8_t cin);
uint32_t ir_h128_add_overflow(void *s, u128 a, u128 b, uint8_t cin);
u128 ir_h128_adc(void *s, u128 a, u128 b, uint8_t cin);
uint64_t ir_h64_popcount(void *s, uint64_t a);

#endif
