/* The C helpers behind the `extern` declarations of arch/aarch64/simd_fast.adl: whole-
 * register forms of the AdvSIMD instructions that glibc's string routines and gcc's
 * vectorised code run in their inner loops (byte compares, pairwise byte reductions,
 * SHRN #n from halfwords, widening and left shifts). Each works on the two 64-bit
 * halves of a vector with SWAR arithmetic instead of a per-lane loop; the generic
 * lane helpers in fp_helpers.c are the reference they are tested against. */
#ifndef FERRY_ARCH_A64_SIMD_FAST_HELPERS_H
#define FERRY_ARCH_A64_SIMD_FAST_HELPERS_H

#include <stdint.h>

typedef unsigned __int128 a64_sf_u128;

/* CMEQ Vd.16B, Vn.16B, Vm.16B / CMEQ Vd.16B, Vn.16B, #0 / CMHS Vd.16B, Vn.16B, Vm.16B. */
a64_sf_u128 a64_sf_cmeq_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b);
a64_sf_u128 a64_sf_cmeq0_bytes(void *state, a64_sf_u128 a);
a64_sf_u128 a64_sf_cmhs_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b);

/* UMAXP, UMINP, ADDP Vd.16B, Vn.16B, Vm.16B. */
a64_sf_u128 a64_sf_umaxp_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b);
a64_sf_u128 a64_sf_uminp_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b);
a64_sf_u128 a64_sf_addp_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b);

/* SHRN Vd.8B, Vn.8H, #shift (shift 1..8): the 64 narrowed bits. SHRN2 keeps the low
 * half of d and puts them in the high half. */
uint64_t a64_sf_shrn_halfwords(void *state, a64_sf_u128 a, uint32_t shift);
a64_sf_u128 a64_sf_shrn2_halfwords(void *state, a64_sf_u128 a, a64_sf_u128 d, uint32_t shift);

/* USHLL/UXTL/SHLL (+2): the lanes of 8 << size bits (size 0 or 1) of the low (q 0)
 * or high (q 1) half zero-extended to twice their width, then shifted left by
 * `shift` (at most the source lane width). code = size | q << 1 | shift << 2. */
a64_sf_u128 a64_sf_widen_left(void *state, a64_sf_u128 a, uint32_t code);

/* SHL of each lane of a 128-bit vector: (half << shift) & mask, where mask keeps every
 * lane's bits that stay inside the lane (computed when translating). */
a64_sf_u128 a64_sf_shl_masked(void *state, a64_sf_u128 a, uint32_t shift, uint64_t mask);

#endif
