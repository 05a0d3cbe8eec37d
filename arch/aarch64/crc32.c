/* CRC32 and CRC32C helpers behind the A64 CRC32* instructions (extern a64_crc32 in
 * dataproc.adl): bit-reflected CRC of 1, 2, 4 or 8 little-endian bytes of value, with
 * no pre- or post-inversion, as the architecture defines it. */
#include "arch/aarch64/gen_api.h"

#define CRC32_POLY_REFLECTED  0xedb88320u   /* ISO-HDLC (CRC32*)   */
#define CRC32C_POLY_REFLECTED 0x82f63b78u   /* Castagnoli (CRC32C*) */

uint32_t a64_crc32(void *state, uint32_t acc, uint64_t value, uint32_t bytes, uint8_t castagnoli)
{
    uint32_t poly = castagnoli ? CRC32C_POLY_REFLECTED : CRC32_POLY_REFLECTED;
    for (uint32_t i = 0; i < bytes * 8 && i < 64; i++) {
        uint32_t bit = (acc ^ (uint32_t)(value >> i)) & 1;
        acc = (acc >> 1) ^ (bit ? poly : 0);
    }
    return acc;
}
