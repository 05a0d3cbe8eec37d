/* Printing the engine's fatal report (struct ferry_fatal_report) with the addresses
 * resolved to engine symbols. */
#ifndef FERRY_FATAL_REPORT_H
#define FERRY_FATAL_REPORT_H

#include <stdio.h>

#include "ferry/abi.h"
#include "hypervisor/symbols.h"

/* The mnemonic and the name of an x86 exception vector ("#PF", "page fault"); for
 * vectors without one, "#?" and "reserved" or "external interrupt". */
const char *x86_vector_mnemonic(uint64_t vector);
const char *x86_vector_name(uint64_t vector);

/* Prints the report; the report lives in guest-writable memory, so it is copied
 * and every length and string in it is bounded first. symbols may be NULL. */
void fatal_report_print(FILE *out, const volatile struct ferry_fatal_report *report,
                        const struct symbol_table *symbols);

/* Copies a string the engine wrote into buf (field_size + 1 bytes), stopping at NUL or
 * the field size, replacing anything non-printable but newlines (the engine must not
 * drive the terminal) and dropping trailing newlines. */
void engine_text_copy(char *buf, const volatile char *field, size_t field_size);

#endif
