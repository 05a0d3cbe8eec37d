/* Formatting of the selftest results. The engine has no floating point, so values
 * arrive as fixed point (times 1000) and are printed with integer arithmetic. */
#include "hypervisor/selftest_report.h"

#include <inttypes.h>
#include <string.h>

static void copy_text(char *buf, const char *field, size_t field_size)
{
    size_t i;
    for (i = 0; i < field_size && field[i]; i++)
        buf[i] = (field[i] >= 0x20 && field[i] < 0x7f) ? field[i] : '?';
    buf[i] = '\0';
}

/* value/1000 with `decimals` digits after the point, rounded half away from zero. */
static void format_fixed(char *buf, size_t size, int64_t milli, int decimals)
{
    uint64_t magnitude = milli < 0 ? -(uint64_t)milli : (uint64_t)milli;
    uint64_t scale = decimals == 2 ? 10 : 1;
    uint64_t units = (magnitude + scale / 2) / scale; /* in 10^-decimals */
    uint64_t divisor = decimals == 2 ? 100 : 1000;
    snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, milli < 0 && units ? "-" : "",
             units / divisor, decimals, units % divisor);
}

void selftest_report_print(FILE *out, const volatile struct ferry_selftest_results *results,
                           struct selftest_summary *summary)
{
    struct ferry_selftest_results r;
    uint32_t rows;
    memcpy(&r, (const void *)results, sizeof r);
    *summary = (struct selftest_summary){ 0 };
    rows = r.rows > FERRY_SELFTEST_MAX_ROWS ? FERRY_SELFTEST_MAX_ROWS : r.rows;

    fprintf(out, "%-36s %16s %-8s %-6s %s\n", "check / measurement", "value", "unit", "result",
            "detail");
    for (uint32_t i = 0; i < rows; i++) {
        const struct ferry_selftest_row *row = &r.row[i];
        char name[sizeof row->name + 1], unit[sizeof row->unit + 1];
        char detail[sizeof row->detail + 1], value[32];
        const char *result = "-";
        copy_text(name, row->name, sizeof row->name);
        copy_text(unit, row->unit, sizeof row->unit);
        copy_text(detail, row->detail, sizeof row->detail);
        /* A check without a unit has no value, only a result: "-", not a fake 0.000. */
        if (row->is_check && !unit[0])
            snprintf(value, sizeof value, "-");
        else
            format_fixed(value, sizeof value, row->value_milli, 3);
        if (row->is_check) {
            result = row->passed ? "pass" : "FAIL";
            if (row->passed)
                summary->passed++;
            else
                summary->failed++;
        }
        if (!strcmp(name, FERRY_SELFTEST_RATIO_ROW)) {
            summary->have_ratio = true;
            summary->ratio_milli = row->value_milli;
        }
        fprintf(out, "%-36s %16s %-8s %-6s %s\n", name, value, unit, result, detail);
    }
    if (r.rows > FERRY_SELFTEST_MAX_ROWS) {
        fprintf(out, "%-36s %16s %-8s %-6s engine reported %u rows, at most %u fit\n",
                "results table", "-", "", "FAIL", r.rows, FERRY_SELFTEST_MAX_ROWS);
        summary->failed++;
    }
    if (!summary->have_ratio) {
        fprintf(out, "%-36s %16s %-8s %-6s the engine reported no '%s' row\n",
                FERRY_SELFTEST_RATIO_ROW, "-", "", "FAIL", FERRY_SELFTEST_RATIO_ROW);
        summary->failed++;
    }
}

void selftest_summary_print(FILE *out, const struct selftest_summary *summary)
{
    char ratio[32] = "n/a";
    if (summary->have_ratio)
        format_fixed(ratio, sizeof ratio, summary->ratio_milli, 2);
    fprintf(out, "selftest: %u passed, %u failed; compute ratio %s\n", summary->passed,
            summary->failed, ratio);
}
