/* mmu39.c with 48-bit VAs: translation starts at level 0. */
#define VA_BITS 48
#include "mmu39.c"
