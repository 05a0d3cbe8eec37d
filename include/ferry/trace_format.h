/* The on-disk format of Ferry instruction traces (docs/trace-format.md describes it in
 * full): constants shared by the writer, the reader, the QEMU plugin and the recorder,
 * and the AArch64 register ids used in register-write records. Every multi-byte field
 * of the fixed structures is little-endian; record streams use LEB128 varints. */
#ifndef FERRY_TRACE_FORMAT_H
#define FERRY_TRACE_FORMAT_H

#include <stdint.h>

/* File header: magic, then u32 version, u32 header size (bytes, CRC included). */
#define TRACE_MAGIC            "FERRYTRC"   /* 8 bytes, no NUL */
#define TRACE_FORMAT_VERSION   5u
/* Versions 1 and 2 differed only in block mode: a reader takes their full-mode files as
 * they are, and version 2's block mode (whole words per entry) too. Version 4 added
 * replay mode, version 5 coded its load values; their full and block modes are version
 * 3's. */
#define TRACE_FORMAT_V1_FULL   1u
#define TRACE_FORMAT_V2_WORDS  2u
#define TRACE_FORMAT_V4_REPLAY 4u
#define TRACE_HEADER_FIXED     40u          /* bytes before the three strings */
#define TRACE_STRING_MAX       65536u       /* longest header string a reader accepts */

/* header.arch */
#define TRACE_ARCH_AARCH64     1u

/* header.mode: one instruction record per executed instruction, or one block record per
 * translated-block entry (with its instruction count). */
#define TRACE_MODE_FULL        0u
#define TRACE_MODE_BLOCK       1u
/* Replay mode (version 4 on): a reader gets full-mode records by running the recorded
 * instructions again (docs/trace-format.md). A chunk is a head of 64-bit little-endian
 * words, then its parts. Version 5's head: items (words), entries (bytes), byte values
 * (bytes), word values (bytes, before coding), word values' coding (TRACE_VALUES_*);
 * version 4's: items, entries, values (all of them, as the byte values). Its parts:
 *   items    the recorder's items (jit/jit_trace.h, replay mode) other than block
 *            entries: the state the chunk starts from first, block descriptions, loops,
 *            interpreted instructions with their loads, the runner's events
 *   entries  one byte string in execution order: TRACE_REPLAY_ITEM takes the next item
 *            (and the LOAD items right after it); otherwise an entry of the chunk's
 *            block with that number, coded as in block mode (one byte below
 *            TRACE_BLOCK_BYTE_PAIR, two bytes up to TRACE_REPLAY_SHORT_NUMBERS,
 *            TRACE_BLOCK_BYTE_WORD and a 32-bit number); blocks are numbered in the
 *            order their descriptions come
 *   byte values   the load values (the description's slot bytes) of each entry whose
 *            slot bytes are not a multiple of 8, in entry order, packed
 *   word values   those of the other entries (whole 64-bit little-endian words, so that
 *            they stay aligned), as they are (TRACE_VALUES_PACKED) or each word w as
 *            the LEB128 varint of zigzag(w) = w << 1 ^ (w as signed) >> 63
 *            (TRACE_VALUES_ZIGZAG: numbers of small magnitude take a byte or two and
 *            zstd a fraction of the time; the writer codes them where that halves them)
 * A chunk's record count is its raw size in bytes. */
#define TRACE_MODE_REPLAY      2u
#define TRACE_REPLAY_HEAD      40u
#define TRACE_REPLAY_HEAD_V4   24u
#define TRACE_VALUES_PACKED    0u
#define TRACE_VALUES_ZIGZAG    1u
#define TRACE_REPLAY_ITEM      0xfeu
#define TRACE_REPLAY_SHORT_NUMBERS (TRACE_BLOCK_BYTE_PAIR + (TRACE_REPLAY_ITEM - TRACE_BLOCK_BYTE_PAIR) * 256u)
#define TRACE_REPLAY_CHUNK_MAX (15u << 20)   /* raw bytes of a replay chunk at most */
#define TRACE_REPLAY_SLOT_BYTES_MAX 65536u   /* load-value bytes of one block entry at most */
#define TRACE_REPLAY_WORD_CODE_MAX 10u       /* bytes of one coded value word at most */

/* header.flags */
#define TRACE_FLAG_VALUES      1u   /* the recorder saw register and memory values */
#define TRACE_FLAG_PA          2u   /* the recorder saw physical PCs (system mode) */
#define TRACE_FLAG_QEMU        4u   /* written by the QEMU TCG plugin */
#define TRACE_FLAG_NO_MEM      8u   /* memory accesses were not recorded */
#define TRACE_FLAGS_KNOWN      15u

/* Chunks: a 64-byte chunk header (TRACE_CHUNK_MAGIC first) and the compressed record
 * stream. Each chunk decodes on its own: every predictor restarts at a chunk. */
#define TRACE_CHUNK_MAGIC      0x4b4e4843u  /* "CHNK" */
#define TRACE_CHUNK_HEADER     64u
#define TRACE_CHUNK_RAW_MAX    (16u << 20)  /* largest uncompressed chunk a reader accepts */
#define TRACE_CHUNK_COMP_MAX   (TRACE_CHUNK_RAW_MAX + (1u << 20))

/* chunk codec */
#define TRACE_CODEC_NONE       0u
#define TRACE_CODEC_ZLIB       1u
#define TRACE_CODEC_ZSTD       2u
#define TRACE_CODEC_LZ4        3u   /* one LZ4 block (raw, no frame) */

/* Index (after the last chunk): TRACE_INDEX_MAGIC, u32 entry count... then 64-byte
 * entries; then the 64-byte footer, the last bytes of the file. */
#define TRACE_INDEX_MAGIC      0x58444e49u  /* "INDX" */
#define TRACE_INDEX_ENTRY      64u
#define TRACE_FOOTER_MAGIC     "FERRYEND"
#define TRACE_FOOTER_SIZE      64u

/* Limits per record (the writer rejects more, the reader treats more as corruption). */
#define TRACE_MAX_REGS         255u
#define TRACE_MAX_MEM          255u
#define TRACE_MAX_MEM_SIZE     255u  /* bytes per access; values are kept up to 16 bytes */

/* EL value when the recorder does not know it (QEMU 7.2's plugin API). */
#define TRACE_EL_UNKNOWN       0xffu

/* AArch64 register ids of register-write records. The PC is implicit (every record has
 * it). 128-bit values (V0..V31) use both halves of the record's value; every other id
 * has hi == 0. */
#define TRACE_REG_X0           0u    /* X0..X30 = 0..30 */
#define TRACE_REG_SP           31u   /* the current SP (SP_EL0 or SP_ELx per PSTATE.SP) */
#define TRACE_REG_PC           32u   /* reserved: never in a record */
#define TRACE_REG_NZCV         33u   /* value = PSTATE.NZCV in bits 31:28 */
#define TRACE_REG_V0           34u   /* V0..V31 = 34..65, 128 bits */
#define TRACE_REG_FPCR         66u
#define TRACE_REG_FPSR         67u
#define TRACE_REG_SP_EL0       68u
#define TRACE_REG_SP_EL1       69u
#define TRACE_REG_NUM_CORE     70u   /* ids below this get value prediction */
/* System registers: 0x1000 + sysreg_id, sysreg_id as in arch/aarch64/system.adl. */
#define TRACE_REG_SYSREG_BASE  0x1000u
#define TRACE_SYSREG_ID(op0, op1, crn, crm, op2) \
    ((((uint32_t)(op0) - 2u) << 14) | ((uint32_t)(op1) << 11) | ((uint32_t)(crn) << 7) | \
     ((uint32_t)(crm) << 3) | (uint32_t)(op2))
#define TRACE_REG_SYSREG(op0, op1, crn, crm, op2) \
    (TRACE_REG_SYSREG_BASE + TRACE_SYSREG_ID(op0, op1, crn, crm, op2))
#define TRACE_REG_ID_MAX       (TRACE_REG_SYSREG_BASE + 0x7fffu)  /* sysreg ids are 15 bits */

static inline int trace_reg_is_vector(uint32_t id)
{
    return id >= TRACE_REG_V0 && id < TRACE_REG_V0 + 32u;
}

/* Record stream, full mode: each record starts with flags byte A. */
#define TRACE_A_PC             0x01u  /* PC is not the predicted successor: zigzag delta */
#define TRACE_A_ENC            0x02u  /* encoding differs from this PC's last: u32 */
#define TRACE_A_REGS           0x04u  /* register-id list differs from this PC's last */
#define TRACE_A_MEMSHAPE       0x08u  /* memory-access shape differs from this PC's last */
#define TRACE_A_EXT            0x10u  /* flags byte B follows */
#define TRACE_A_MASK           0x1fu
#define TRACE_B_SEQ            0x01u  /* sequence number jumps: varint (seq - expected) */
#define TRACE_B_EL             0x02u  /* EL changes: u8 */
#define TRACE_B_EXC            0x04u  /* an exception record follows the operands */
#define TRACE_B_PA             0x08u  /* PA not predicted: zigzag delta to predicted */
#define TRACE_B_HAS_PA         0x10u  /* toggles whether records carry a PA */
#define TRACE_B_VALUES         0x20u  /* toggles whether records carry values */
#define TRACE_B_MASK           0x3fu

/* Memory-access value source, per access in the shape. */
#define TRACE_SRC_ABSENT       0u     /* value not recorded */
#define TRACE_SRC_LITERAL      1u     /* value follows (varint lo, varint hi if size > 8) */
#define TRACE_SRC_REGW         2u     /* equals register write k of this record (arg k) */
#define TRACE_SRC_REG          3u     /* equals register id r's last value (arg r) */

/* Record stream, block mode: bytes. Blocks are numbered from 0 in the order the chunk's
 * DEFINEs come. A byte below TRACE_BLOCK_BYTE_PAIR is one entry of the chunk's block of
 * that number; a byte b from TRACE_BLOCK_BYTE_PAIR and below TRACE_BLOCK_BYTE_WORD and the
 * byte after it, c, one entry of block TRACE_BLOCK_BYTE_PAIR + (b - TRACE_BLOCK_BYTE_PAIR)
 * * 256 + c; TRACE_BLOCK_BYTE_WORD is followed by a 32-bit little-endian word
 * (unaligned) and the words its record has. A word below TRACE_W_ESCAPE is one entry of
 * the block with that id, which a DEFINE earlier in the same chunk described; the others
 * start these records. (Version 2 streams are these words alone, without the
 * TRACE_BLOCK_BYTE_WORD bytes.) */
#define TRACE_BLOCK_BYTE_PAIR           0xc0u
#define TRACE_BLOCK_BYTE_WORD           0xffu
/* Blocks numbered below this have an entry of one or two bytes. */
#define TRACE_BLOCK_SHORT_NUMBERS       (TRACE_BLOCK_BYTE_PAIR + (TRACE_BLOCK_BYTE_WORD - TRACE_BLOCK_BYTE_PAIR) * 256u)
#define TRACE_W_ESCAPE         0x80000000u
#define TRACE_W_DEFINE         0x80000001u  /* id, pc lo, hi, pa lo, hi, el, n: 8 words */
#define TRACE_W_BLOCK          0x80000002u  /* pc lo, hi, pa lo, hi, el, n: one entry, 7 words */
#define TRACE_W_SKIP           0x80000003u  /* d lo, hi: the next entry starts d > 0 later */
#define TRACE_W_REPEAT         0x80000004u  /* n lo, hi: the chunk's last entry n > 0 more times */
#define TRACE_BLOCK_ID_LIMIT   TRACE_W_ESCAPE  /* block ids are below this */

/* The per-PC prediction cache (both sides keep it identically): direct mapped. */
#define TRACE_PC_CACHE_BITS    14u
#define TRACE_PC_CACHE_REGS    4u    /* register lists longer than this are always explicit */
#define TRACE_PC_CACHE_MEM     2u    /* memory shapes longer than this are always explicit */

#endif
