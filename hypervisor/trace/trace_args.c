/* Number and range arguments shared by `ferry trace` and the recording options of
 * `ferry user` and `ferry run`. */
#include "hypervisor/trace/trace_args.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int trace_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* "A" or "A..B" (half-open; A alone is [A, A+1)). */
int trace_parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
    const char *dots = strstr(s, "..");
    char a[64];
    if (!dots) {
        if (trace_parse_u64(s, lo) != 0)
            return -1;
        *hi = *lo + 1;
        return *hi > *lo ? 0 : -1;
    }
    size_t n = (size_t)(dots - s);
    if (n == 0 || n >= sizeof a)
        return -1;
    memcpy(a, s, n);
    a[n] = 0;
    if (trace_parse_u64(a, lo) != 0 || trace_parse_u64(dots + 2, hi) != 0 || *hi <= *lo)
        return -1;
    return 0;
}

const char trace_options_usage[] =
    "  --trace FILE  record an instruction trace to FILE (ferry trace show|stats|diff)\n"
    "  --trace-pc A[..B]  record only instructions with PC in [A, B) (repeatable)\n"
    "  --trace-skip N     do not record the first N instructions\n"
    "  --trace-count M    then record at most M instructions\n"
    "  --trace-el N       record only instructions at exception level N\n"
    "  --trace-blocks     record block entries with their instruction counts only\n"
    "  --trace-replay     record block entries and load values only (not in the engine:\n"
    "                     ferry run --hosted); ferry trace rebuilds every record by\n"
    "                     running the instructions again\n";

void trace_options_init(struct trace_recorder_options *o)
{
    memset(o, 0, sizeof(*o));
    o->mode = JIT_TRACE_FULL;
    o->el = -1;
}

static bool filters_given(const struct trace_recorder_options *o)
{
    return o->n_pc_ranges || o->skip || o->count || o->el >= 0 || o->mode != JIT_TRACE_FULL;
}

int trace_option_parse(struct trace_recorder_options *o, const char **path, int argc, char **argv, int *i,
                       char *err, size_t err_size)
{
    const char *opt = argv[*i];
    static const char *const with_value[] = { "--trace", "--trace-pc", "--trace-skip", "--trace-count",
                                              "--trace-el" };
    bool known = strcmp(opt, "--trace-blocks") == 0 || strcmp(opt, "--trace-replay") == 0;
    for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]) && !known; k++)
        known = strcmp(opt, with_value[k]) == 0;
    if (!known)
        return 0;
    if (strcmp(opt, "--trace-blocks") == 0 || strcmp(opt, "--trace-replay") == 0) {
        enum jit_trace_mode mode = opt[8] == 'b' ? JIT_TRACE_BLOCKS : JIT_TRACE_REPLAY;
        if (o->mode != JIT_TRACE_FULL && o->mode != mode) {
            snprintf(err, err_size, "--trace-blocks and --trace-replay: one or the other");
            return -1;
        }
        o->mode = mode;
        return 1;
    }
    if (*i + 1 >= argc) {
        snprintf(err, err_size, "%s needs a value", opt);
        return -1;
    }
    const char *v = argv[++*i];
    uint64_t n = 0;
    if (strcmp(opt, "--trace") == 0) {
        if (!*v) {
            snprintf(err, err_size, "--trace needs a file name");
            return -1;
        }
        *path = v;
    } else if (strcmp(opt, "--trace-pc") == 0) {
        if (o->n_pc_ranges == TRACE_RECORDER_MAX_PC_RANGES) {
            snprintf(err, err_size, "--trace-pc: at most %d ranges", TRACE_RECORDER_MAX_PC_RANGES);
            return -1;
        }
        if (trace_parse_range(v, &o->pc_lo[o->n_pc_ranges], &o->pc_hi[o->n_pc_ranges]) != 0) {
            snprintf(err, err_size, "--trace-pc: '%s' is not an address or a range A..B with A < B", v);
            return -1;
        }
        o->n_pc_ranges++;
    } else if (strcmp(opt, "--trace-el") == 0) {
        if (trace_parse_u64(v, &n) != 0 || n > 3) {
            snprintf(err, err_size, "--trace-el: '%s' is not an exception level (0 to 3)", v);
            return -1;
        }
        o->el = (int)n;
    } else {
        if (trace_parse_u64(v, &n) != 0 || (strcmp(opt, "--trace-count") == 0 && n == 0)) {
            snprintf(err, err_size, "%s: '%s' is not a %snumber", opt, v,
                     strcmp(opt, "--trace-count") == 0 ? "positive " : "");
            return -1;
        }
        if (strcmp(opt, "--trace-skip") == 0)
            o->skip = n;
        else
            o->count = n;
    }
    return 1;
}

int trace_options_check(const struct trace_recorder_options *o, const char *path, char *err, size_t err_size)
{
    if (!path && filters_given(o)) {
        snprintf(err, err_size,
                 "--trace-pc, --trace-skip, --trace-count, --trace-el, --trace-blocks and --trace-replay need --trace FILE");
        return -1;
    }
    if (o->mode == JIT_TRACE_REPLAY && (o->n_pc_ranges || o->skip || o->count || o->el >= 0)) {
        snprintf(err, err_size, "--trace-replay records everything: no --trace-pc, --trace-skip, --trace-count or --trace-el");
        return -1;
    }
    return 0;
}

const char *trace_command_line(int argc, char **argv)
{
    static char line[1024];
    size_t used = (size_t)snprintf(line, sizeof(line), "ferry");
    for (int k = 0; k < argc && used < sizeof(line); k++)
        used += (size_t)snprintf(line + used, sizeof(line) - used, " %s", argv[k]);
    return line;
}
