/* The selftest table and its one-line summary, from the results the engine left in
 * the shared area (struct ferry_selftest_results). */
#ifndef FERRY_SELFTEST_REPORT_H
#define FERRY_SELFTEST_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ferry/abi.h"

struct selftest_summary {
    unsigned passed, failed;  /* check rows only; host-side findings count as failures */
    bool have_ratio;
    int64_t ratio_milli;
};

/* Prints the table and fills summary. results is copied and bounded first: it lives
 * in guest-writable memory. */
void selftest_report_print(FILE *out, const volatile struct ferry_selftest_results *results,
                           struct selftest_summary *summary);

/* The last line: "selftest: N passed, M failed; compute ratio R" (R with two
 * decimals, "n/a" when the engine reported none). */
void selftest_summary_print(FILE *out, const struct selftest_summary *summary);

#endif
