/* `ferry selftest` inside the engine (see selftest.h). Checks exercise the real
 * mechanisms (allocators, lazy faults, code memory, console batching); measurements
 * repeat an operation many times per batch and report the median batch, so one slow
 * exit or host hiccup does not decide a number. */
#include "selftest.h"
#include <ferry/compute_loop.h>
#include <ferry/support.h>
#include "code_cache.h"
#include "console.h"
#include "cpu.h"
#include "exceptions.h"
#include "heap.h"
#include "hypercall.h"
#include "paging.h"
#include "phys_alloc.h"
#include "platform.h"
#include "tsc.h"

/* Default when the host passes no iteration count (~0.3 s at 1.5 ns per round). */
#define DEFAULT_COMPUTE_ITERATIONS 200000000ull
#define COMPUTE_ROUNDS 5
#define COMPUTE_RATIO_MIN_MILLI 950

static struct ferry_selftest_results *results;
static unsigned failed_checks;

static struct ferry_selftest_row *next_row(const char *name, const char *unit)
{
    if (results->rows >= FERRY_SELFTEST_MAX_ROWS)
        fy_panic("selftest: more than %d rows", FERRY_SELFTEST_MAX_ROWS);
    struct ferry_selftest_row *row = &results->row[results->rows++];
    memset(row, 0, sizeof *row);
    fy_snprintf(row->name, sizeof row->name, "%s", name);
    fy_snprintf(row->unit, sizeof row->unit, "%s", unit);
    return row;
}

static void check_row(const char *name, bool passed, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void check_row(const char *name, bool passed, const char *detail_fmt, ...)
{
    struct ferry_selftest_row *row = next_row(name, "");
    row->is_check = 1;
    row->passed = passed;
    va_list ap;
    va_start(ap, detail_fmt);
    fy_vsnprintf(row->detail, sizeof row->detail, detail_fmt, ap);
    va_end(ap);
    if (!passed)
        failed_checks++;
    fy_log("selftest: %-28s %s  %s", name, passed ? "ok" : "FAILED", row->detail);
}

static void measure_row(const char *name, const char *unit, int64_t value_milli, const char *detail_fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void measure_row(const char *name, const char *unit, int64_t value_milli, const char *detail_fmt, ...)
{
    struct ferry_selftest_row *row = next_row(name, unit);
    row->value_milli = value_milli;
    row->passed = 1;
    va_list ap;
    va_start(ap, detail_fmt);
    fy_vsnprintf(row->detail, sizeof row->detail, detail_fmt, ap);
    va_end(ap);
}

static void sort_u64(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static uint64_t median_u64(uint64_t *v, unsigned n)
{
    sort_u64(v, n);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- checks -------------------------------------------------------------------- */

static void check_platform(const struct ferry_boot_info *boot)
{
    check_row("platform start-up", true, "%s%s, TSC %lu kHz", platform->name,
              boot->kvm_flavour == FERRY_KVM_PVLITE ? " (vIF registered)" : "",
              (unsigned long)tsc_khz());
}

static void check_format(void)
{
    char buf[96];
    int n0 = fy_snprintf(buf, sizeof buf, "%d|%5u|%-4x|%016lx|%s|%c|%%", -42, 7u, 0xabu,
                         0xdeadbeefUL, "str", 'z');
    bool ok0 = strcmp(buf, "-42|    7|ab  |00000000deadbeef|str|z|%") == 0 && n0 == (int)strlen(buf);
    char small[8];
    int n1 = fy_snprintf(small, sizeof small, "%llu", 12345678901234ull);
    bool ok1 = n1 == 14 && strcmp(small, "1234567") == 0;
    int n2 = fy_snprintf(buf, sizeof buf, "%p %.3s %+d %#x", (void *)0x1000, "abcdef", 5, 255u);
    bool ok2 = strcmp(buf, "0x1000 abc +5 0xff") == 0 && n2 == 18;
    check_row("formatter", ok0 && ok1 && ok2, "%s", ok0 && ok1 && ok2 ? "fy_snprintf cases match" : buf);
}

static void check_phys_alloc(void)
{
    enum { SINGLES = 64, RUN = 16 };
    uint64_t pages[SINGLES];
    uint64_t free_before = phys_free_page_count();
    bool ok = true;
    const char *problem = "";
    for (unsigned i = 0; i < SINGLES; i++) {
        pages[i] = phys_alloc_page();
        if (!pages[i] || (pages[i] & (PAGE_SIZE - 1)) || !phys_page_allocated(pages[i])) {
            ok = false;
            problem = "bad page";
        }
        if (ok)
            *(volatile uint64_t *)phys_to_virt(pages[i]) = pages[i] ^ 0x5a5a5a5a5a5a5a5aull;
    }
    for (unsigned i = 0; ok && i < SINGLES; i++) {
        if (*(volatile uint64_t *)phys_to_virt(pages[i]) != (pages[i] ^ 0x5a5a5a5a5a5a5a5aull)) {
            ok = false;
            problem = "pages overlap";
        }
    }
    uint64_t run = phys_alloc_pages(RUN);
    if (ok && !run) {
        ok = false;
        problem = "no contiguous run";
    }
    for (unsigned i = 0; ok && i < RUN; i++) {
        if (!phys_page_allocated(run + i * PAGE_SIZE)) {
            ok = false;
            problem = "run not marked";
        }
    }
    if (ok && phys_free_page_count() != free_before - SINGLES - RUN) {
        ok = false;
        problem = "free count wrong after allocation";
    }
    for (unsigned i = 0; i < SINGLES; i++) {
        if (pages[i])
            phys_free_pages(pages[i], 1);
    }
    if (run)
        phys_free_pages(run, RUN);
    if (ok && (phys_free_page_count() != free_before || phys_page_allocated(pages[0]))) {
        ok = false;
        problem = "free count not restored";
    }
    check_row("page allocator", ok, "%s%s%lu of %lu pages free", problem, ok ? "" : "; ",
              (unsigned long)phys_free_page_count(), (unsigned long)phys_total_page_count());
}

/* xorshift: deterministic pseudo-random sizes and patterns. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static bool block_holds(const uint8_t *p, size_t size, uint8_t tag)
{
    for (size_t i = 0; i < size; i++) {
        if (p[i] != (uint8_t)(tag + i))
            return false;
    }
    return true;
}

static void check_heap(void)
{
    enum { BLOCKS = 400 };
    static uint8_t *block[BLOCKS];
    static size_t size[BLOCKS];
    uint64_t rng = 0x243f6a8885a308d3ull;
    struct heap_stats before = heap_get_stats();
    uint64_t free_before = phys_free_page_count();
    bool ok = true;
    const char *problem = "";

    for (unsigned round = 0; round < 2 && ok; round++) {
        for (unsigned i = 0; i < BLOCKS; i++) {
            if (block[i])
                continue;
            /* Mostly small blocks, every eighth one large (up to 3 pages). */
            size[i] = (i % 8 == 7) ? 2048 + next_random(&rng) % 10000 : 1 + next_random(&rng) % 700;
            block[i] = fy_alloc(size[i]);
            for (size_t b = 0; b < size[i] && ok; b++) {
                if (block[i][b] != 0) {
                    ok = false;
                    problem = "memory not zeroed";
                }
            }
            if (((uintptr_t)block[i] & 15) != 0) {
                ok = false;
                problem = "misaligned block";
            }
            for (size_t b = 0; b < size[i]; b++)
                block[i][b] = (uint8_t)(i + b);
        }
        for (unsigned i = 0; i < BLOCKS && ok; i++) {
            if (!block_holds(block[i], size[i], (uint8_t)i)) {
                ok = false;
                problem = "blocks overlap";
            }
        }
        /* Free every other block, so round 2 reuses freed space among live blocks. */
        for (unsigned i = round; i < BLOCKS; i += 2) {
            fy_free(block[i]);
            block[i] = NULL;
        }
    }
    for (unsigned i = 0; i < BLOCKS; i++) {
        if (block[i] && ok && !block_holds(block[i], size[i], (uint8_t)i)) {
            ok = false;
            problem = "blocks overlap";
        }
        fy_free(block[i]);
        block[i] = NULL;
    }
    struct heap_stats after = heap_get_stats();
    uint64_t kept_pages = after.small_pages - before.small_pages;
    if (ok && (after.live_blocks != before.live_blocks || after.live_bytes != before.live_bytes)) {
        ok = false;
        problem = "live counts not restored";
    }
    /* Large blocks go back to the page allocator; only size-class pages stay. */
    if (ok && phys_free_page_count() + kept_pages != free_before) {
        ok = false;
        problem = "pages leaked";
    }
    check_row("heap alloc/free", ok, "%s%s%d blocks x2 rounds, %lu class pages", problem,
              ok ? "" : "; ", BLOCKS, (unsigned long)after.small_pages);
}

static void check_code_cache(void)
{
    /* mov $42, %eax ; ret */
    static const uint8_t code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
    uint8_t *mem = fy_code_alloc(sizeof code);
    memcpy(mem, code, sizeof code);
    int (*fn)(void) = (int (*)(void))(uintptr_t)mem;
    int value = fn();
    uint64_t pte = paging_lookup(kernel_root_phys, (uint64_t)(uintptr_t)mem, NULL);
    fy_code_free(mem, sizeof code);
    bool unmapped = paging_lookup(kernel_root_phys, (uint64_t)(uintptr_t)mem, NULL) == 0;
    bool ok = value == 42 && (pte & PTE_PRESENT) && !(pte & PTE_NX) && unmapped;
    check_row("code memory executes", ok, "generated function returned %d at %p", value, (void *)mem);
}

static void check_console_batching(void)
{
    volatile struct ferry_console_ring *ring = &shared_area()->console;
    console_flush();
    uint64_t flushes = console_stats.flushes;
    for (int i = 0; i < 4; i++)
        fy_log("selftest: console batch line %d of 4", i + 1);
    bool no_exit_per_line = console_stats.flushes == flushes;
    bool pending = ring->head != ring->tail;
    console_flush();
    bool drained = ring->head == ring->tail && console_stats.flushes == flushes + 1;
    check_row("console batching", no_exit_per_line && pending && drained,
              "4 lines, %lu exit(s); host drained: %s", (unsigned long)(console_stats.flushes - flushes),
              drained ? "yes" : "no");
}

/* Touches a fresh lazy-region page and verifies it really got mapped: the data reads
 * back, the page-table walk finds a present, writable, non-executable 4 KB entry whose
 * frame is an allocated page, and the direct-map alias of that frame shows the data. */
static void check_lazy_mapping(void)
{
    uint64_t va = FERRY_LAZY_BASE + 0x40000000ull; /* away from the benchmark's pages */
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)va;
    uint64_t faults = exception_counters.lazy_faults;
    uint64_t first = p[0];
    p[0] = 0x0123456789abcdefull;
    p[511] = ~0x0123456789abcdefull;
    uint64_t size = 0;
    uint64_t pte = paging_lookup(kernel_root_phys, va, &size);
    uint64_t frame = pte & PTE_ADDR_MASK;
    const volatile uint64_t *alias = frame ? phys_to_virt(frame) : NULL;
    bool ok = first == 0 && exception_counters.lazy_faults == faults + 1 && p[0] == 0x0123456789abcdefull &&
              (pte & (PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_NX)) == (PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_NX) &&
              size == PAGE_SIZE && phys_page_allocated(frame) && alias && alias[0] == p[0] &&
              alias[511] == p[511];
    lazy_region_release(va, PAGE_SIZE);
    bool released = paging_lookup(kernel_root_phys, va, NULL) == 0;
    check_row("lazy page fault maps page", ok && released, "zero-filled, pte 0x%lx, frame 0x%lx",
              (unsigned long)pte, (unsigned long)frame);
}

/* Virtual addresses in the lower half (PML4 slots 1 and 2: guest space, no engine
 * mapping) for the checks that build their own mappings. */
#define SCRATCH_VA_ROOT_SWITCH 0x0000008000000000ull
#define SCRATCH_VA_FLUSH       0x0000010000000000ull

/* A fresh frame whose first word is `pattern` (read back through the mappings under
 * test); 0 when out of memory. */
static uint64_t pattern_frame(uint64_t pattern)
{
    uint64_t frame = phys_alloc_page();
    if (frame)
        *(volatile uint64_t *)phys_to_virt(frame) = pattern;
    return frame;
}

static uint64_t read_scratch(uint64_t va)
{
    return *(volatile const uint64_t *)(uintptr_t)va;
}

/* Two roots map the same virtual address to two frames with different contents, and
 * the kernel root maps it to a third: after each switch a read must return the frame
 * of the root just loaded (a switch that did not take effect reads another frame, a
 * failed check rather than a crash). */
static void check_root_switch(void)
{
    static const uint64_t patterns[3] = { 0x1111aaaa0000000aull, 0x2222bbbb0000000bull,
                                          0x3333cccc0000000cull };
    const uint64_t va = SCRATCH_VA_ROOT_SWITCH;
    uint64_t frame[3] = { pattern_frame(patterns[0]), pattern_frame(patterns[1]),
                          pattern_frame(patterns[2]) };
    uint64_t root[2] = { paging_new_root_sharing_engine(), paging_new_root_sharing_engine() };
    uint64_t seen[4] = { 0 };
    bool set_up = frame[0] && frame[1] && frame[2] && root[0] && root[1] &&
                  paging_map_page(root[0], va, frame[0], PTE_KERNEL_RO) &&
                  paging_map_page(root[1], va, frame[1], PTE_KERNEL_RO) &&
                  paging_map_page(kernel_root_phys, va, frame[2], PTE_KERNEL_RO);
    if (set_up) {
        platform->load_root(root[0]);
        seen[0] = read_scratch(va);
        platform->load_root(root[1]);
        seen[1] = read_scratch(va);
        platform->load_root(root[0]);
        seen[2] = read_scratch(va);
        platform->load_root(kernel_root_phys);
        seen[3] = read_scratch(va);
    }
    for (unsigned i = 0; i < 2; i++) {
        if (root[i]) {
            paging_unmap_page(root[i], va);
            paging_free_root(root[i]);
        }
    }
    paging_unmap_page(kernel_root_phys, va);
    platform->flush_one(va);
    paging_free_lower_half(kernel_root_phys);
    platform->flush_all();
    for (unsigned i = 0; i < 3; i++) {
        if (frame[i])
            phys_free_pages(frame[i], 1);
    }
    if (!set_up) {
        check_row("root switch takes effect", false, "out of memory setting up two roots");
        return;
    }
    char got[4];
    for (unsigned i = 0; i < 4; i++) {
        got[i] = '?';
        for (unsigned p = 0; p < 3; p++) {
            if (seen[i] == patterns[p])
                got[i] = (char)('A' + p);
        }
    }
    bool ok = got[0] == 'A' && got[1] == 'B' && got[2] == 'A' && got[3] == 'C';
    check_row("root switch takes effect", ok, "roots A,B,A,kernel read frames %c,%c,%c,%c%s", got[0],
              got[1], got[2], got[3], ok ? "" : " (want A,B,A,C)");
}

/* Maps a page to frame A and reads it (the TLB now holds A), rewrites the entry to
 * frame B, flushes that one page and reads again: the read must see B. Without the
 * flush x86 may return either frame, so only the flushed read is checked; whether the
 * read before the flush was stale is reported for information. */
static void check_flush_one(void)
{
    const uint64_t va = SCRATCH_VA_FLUSH;
    const uint64_t pattern_a = 0x4444dddd0000000dull, pattern_b = 0x5555eeee0000000eull;
    uint64_t frame_a = pattern_frame(pattern_a), frame_b = pattern_frame(pattern_b);
    uint64_t first = 0, before_flush = 0, after_flush = 0;
    bool set_up = frame_a && frame_b && paging_map_page(kernel_root_phys, va, frame_a, PTE_KERNEL_RO);
    if (set_up) {
        first = read_scratch(va);
        paging_map_page(kernel_root_phys, va, frame_b, PTE_KERNEL_RO); /* the table exists */
        before_flush = read_scratch(va);
        platform->flush_one(va);
        after_flush = read_scratch(va);
    }
    paging_unmap_page(kernel_root_phys, va);
    platform->flush_one(va);
    paging_free_lower_half(kernel_root_phys);
    platform->flush_all();
    if (frame_a)
        phys_free_pages(frame_a, 1);
    if (frame_b)
        phys_free_pages(frame_b, 1);
    if (!set_up) {
        check_row("one-page flush takes effect", false, "out of memory setting up the mapping");
        return;
    }
    bool ok = first == pattern_a && after_flush == pattern_b;
    check_row("one-page flush takes effect", ok, "remapped A->B, flushed read %s; %s before flush",
              after_flush == pattern_b ? "B" : after_flush == pattern_a ? "A (stale)" : "junk",
              before_flush == pattern_a ? "stale" : "already B");
}

/* ---- measurements --------------------------------------------------------------- */

typedef void (*bench_fn)(uint64_t reps);

/* Runs `fn(reps)` `batches` times; returns the median nanoseconds per operation times
 * 1000 (for unit "us" that is the row's value_milli). `after_batch`, if given, undoes
 * side effects outside the timed region. */
static int64_t bench_us_milli(bench_fn fn, uint64_t reps, unsigned batches, void (*after_batch)(uint64_t))
{
    uint64_t ns_per_op[16];
    if (batches > 16)
        batches = 16;
    for (unsigned b = 0; b < batches; b++) {
        uint64_t t0 = tsc_now();
        fn(reps);
        uint64_t t1 = tsc_now();
        ns_per_op[b] = (tsc_ticks_to_ns(t1 - t0) + reps / 2) / reps;
        if (after_batch)
            after_batch(reps);
    }
    return (int64_t)median_u64(ns_per_op, batches);
}

#define FAULT_BENCH_BASE FERRY_LAZY_BASE

static void bench_page_faults(uint64_t reps)
{
    for (uint64_t i = 0; i < reps; i++)
        *(volatile uint64_t *)(uintptr_t)(FAULT_BENCH_BASE + i * PAGE_SIZE) = i;
}

static void release_fault_pages(uint64_t reps)
{
    lazy_region_release(FAULT_BENCH_BASE, reps * PAGE_SIZE);
}

static uint64_t switch_root_other;

static void bench_root_switch(uint64_t reps)
{
    for (uint64_t i = 0; i < reps; i += 2) {
        platform->load_root(switch_root_other);
        platform->load_root(kernel_root_phys);
    }
}

static void bench_flush_one(uint64_t reps)
{
    for (uint64_t i = 0; i < reps; i++)
        platform->flush_one(FERRY_LAZY_BASE);
}

static uint64_t hypercall_unanswered;

/* HC_NOP echoes args[0] in ret, and hypercall() clears ret first, so a token that comes
 * back proves the host handled this very call. */
static void bench_hypercall(uint64_t reps)
{
    for (uint64_t i = 0; i < reps; i++) {
        uint64_t token = 0x4e4f5000ull + i + 1;
        if (hypercall(FERRY_HC_NOP, token, 0) != (int64_t)token)
            hypercall_unanswered++;
    }
}

static void measure_mechanisms(void)
{
    enum { BATCHES = 7 };
    uint64_t faults = exception_counters.lazy_faults;
    int64_t fault = bench_us_milli(bench_page_faults, 200, BATCHES, release_fault_pages);
    uint64_t serviced = exception_counters.lazy_faults - faults;
    measure_row("page fault round trip", "us", fault, "fault+map+retry, %lu faults, median of %d",
                (unsigned long)serviced, BATCHES);
    if (serviced != 200ull * BATCHES)
        check_row("page fault count", false, "expected %d faults, saw %lu", 200 * BATCHES,
                  (unsigned long)serviced);

    switch_root_other = paging_new_root_sharing_engine();
    if (!switch_root_other)
        fy_panic("selftest: no memory for a second page-table root");
    int64_t root = bench_us_milli(bench_root_switch, 2000, BATCHES, NULL);
    paging_free_root(switch_root_other);
    measure_row("page-table root switch", "us", root, "%s, median of %d", platform->name, BATCHES);

    /* Keep one lazy page mapped so the flushed address has a translation to drop. */
    *(volatile uint64_t *)(uintptr_t)FERRY_LAZY_BASE = 1;
    int64_t flush = bench_us_milli(bench_flush_one, 2000, BATCHES, NULL);
    lazy_region_release(FERRY_LAZY_BASE, PAGE_SIZE);
    measure_row("TLB flush, one page", "us", flush, "median of %d", BATCHES);

    hypercall_unanswered = 0;
    int64_t nop = bench_us_milli(bench_hypercall, 100, BATCHES, NULL);
    measure_row("hypercall round trip", "us", nop, "HC_NOP exit to host, median of %d", BATCHES);
    check_row("hypercalls answered", hypercall_unanswered == 0, "%d HC_NOP echoed their token%s",
              100 * BATCHES - (int)hypercall_unanswered, hypercall_unanswered ? " (others not)" : "");
}

/* Engine vs host speed on the same loop, interleaved so that frequency or load
 * changes hit both sides alike. */
static void measure_compute(const struct ferry_boot_info *boot)
{
    uint64_t iterations = boot->selftest_iterations ? boot->selftest_iterations : DEFAULT_COMPUTE_ITERATIONS;
    uint64_t engine_ns[COMPUTE_ROUNDS], host_ns[COMPUTE_ROUNDS];
    uint64_t first_result = 0;
    bool deterministic = true;
    for (unsigned r = 0; r < COMPUTE_ROUNDS; r++) {
        uint64_t t0 = tsc_now();
        uint64_t result = ferry_compute_loop(iterations);
        uint64_t t1 = tsc_now();
        /* A pure function: every round must agree. */
        if (r == 0)
            first_result = result;
        deterministic &= result == first_result;
        engine_ns[r] = tsc_ticks_to_ns(t1 - t0);
        int64_t host = hypercall(FERRY_HC_HOST_LOOP, iterations, 0);
        host_ns[r] = host > 0 ? (uint64_t)host : 0;
    }
    uint64_t engine = median_u64(engine_ns, COMPUTE_ROUNDS);
    uint64_t host = median_u64(host_ns, COMPUTE_ROUNDS);
    measure_row("compute loop, engine", "ms", (int64_t)(engine / 1000), "%lu iterations, median of %d",
                (unsigned long)iterations, COMPUTE_ROUNDS);
    measure_row("compute loop, host", "ms", (int64_t)(host / 1000), "HC_HOST_LOOP, median of %d",
                COMPUTE_ROUNDS);
    int64_t ratio_milli = engine && host ? (int64_t)(host * 1000 / engine) : 0;
    struct ferry_selftest_row *row = next_row(FERRY_SELFTEST_RATIO_ROW, "x");
    row->value_milli = ratio_milli;
    row->is_check = 1;
    row->passed = deterministic && host && ratio_milli >= COMPUTE_RATIO_MIN_MILLI;
    fy_snprintf(row->detail, sizeof row->detail, "host/engine time, needs >= %d.%03d%s",
                COMPUTE_RATIO_MIN_MILLI / 1000, COMPUTE_RATIO_MIN_MILLI % 1000,
                host ? (deterministic ? "" : "; results differ") : "; host loop failed");
    if (!row->passed)
        failed_checks++;
}

_Noreturn void selftest_run(const struct ferry_boot_info *boot)
{
    results = &shared_area()->selftest;
    memset(results, 0, sizeof *results);
    failed_checks = 0;

    check_platform(boot);
    check_format();
    check_phys_alloc();
    check_heap();
    check_code_cache();
    check_console_batching();

    if (boot->flags & FERRY_BOOT_CRASH_ANY) {
        fy_log("selftest: crashing on purpose (--crash)");
        selftest_crash(boot->flags);
        fy_panic("selftest: the deliberate crash did not happen");
    }

    check_lazy_mapping();
    check_root_switch();
    check_flush_one();
    measure_mechanisms();
    measure_compute(boot);

    fy_log("selftest: %u rows, %u failed check(s)", results->rows, failed_checks);
    console_flush();
    hypercall(FERRY_HC_SELFTEST_DONE, 0, 0);
    hypercall_exit(failed_checks ? 1 : 0);
}
