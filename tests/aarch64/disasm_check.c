/* Compares Ferry's A64 disassembler with GNU objdump: reads `objdump -d` output and,
 * for every instruction line, disassembles the same word at the same address and
 * compares the text (objdump's "<symbol>" suffixes and "//" comments are not part of
 * the instruction and are dropped from both).
 *
 *   disasm_check [--skip MNEMONICS_FILE] OBJDUMP_OUTPUT
 *
 * Without --skip every word must match. With it, a word that objdump names with a
 * mnemonic listed in the file (one per line; instructions other parts of the
 * description own or that are intentionally not described) may print as undefined. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/aarch64/a64.h"

#define MAX_SKIP 512
#define MAX_TALLY 256

/* Mismatches per objdump mnemonic, for the summary. */
static struct { char mnem[32]; long count; } tally[MAX_TALLY];
static int tally_count;

static void count_mismatch(const char *text)
{
    char mnem[32];
    size_t n = strcspn(text, "\t ");
    if (n >= sizeof(mnem))
        n = sizeof(mnem) - 1;
    memcpy(mnem, text, n);
    mnem[n] = 0;
    for (int i = 0; i < tally_count; i++)
        if (strcmp(tally[i].mnem, mnem) == 0) {
            tally[i].count++;
            return;
        }
    if (tally_count < MAX_TALLY) {
        memcpy(tally[tally_count].mnem, mnem, n + 1);
        tally[tally_count++].count = 1;
    }
}

static char *skip_list[MAX_SKIP];
static int skip_count;

static void normalise(char *s)
{
    char *cut = strstr(s, " <");
    if (cut)
        *cut = 0;
    cut = strstr(s, "//");
    if (cut)
        *cut = 0;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
}

static bool skipped_mnemonic(const char *text)
{
    char mnem[64];
    size_t n = strcspn(text, "\t .");   /* "bc.eq" -> "bc" */
    if (n >= sizeof(mnem))
        return false;
    memcpy(mnem, text, n);
    mnem[n] = 0;
    for (int i = 0; i < skip_count; i++)
        if (strcmp(skip_list[i], mnem) == 0)
            return true;
    return false;
}

static void load_skip_list(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char line[128];
    while (fgets(line, sizeof(line), f) && skip_count < MAX_SKIP) {
        line[strcspn(line, "\r\n#")] = 0;
        normalise(line);
        if (line[0])
            skip_list[skip_count++] = strdup(line);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    int arg = 1;
    if (argc > 3 && strcmp(argv[1], "--skip") == 0) {
        load_skip_list(argv[2]);
        arg = 3;
    }
    if (arg != argc - 1) {
        fprintf(stderr, "usage: %s [--skip FILE] OBJDUMP_OUTPUT\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[arg], "r");
    if (!f) {
        perror(argv[arg]);
        return 2;
    }
    long checked = 0, skipped = 0, bad = 0;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        unsigned long long addr;
        unsigned word;
        int text_at = 0;
        if (sscanf(line, " %llx:\t%8x \t%n", &addr, &word, &text_at) < 2 || text_at == 0)
            continue;
        char want[512], got[512];
        snprintf(want, sizeof(want), "%s", line + text_at);
        normalise(want);
        a64_disasm(word, addr, got, sizeof(got));
        normalise(got);
        checked++;
        if (strcmp(want, got) == 0)
            continue;
        if (skip_count > 0 && strncmp(got, ".inst", 5) == 0 && skipped_mnemonic(want)) {
            skipped++;
            continue;
        }
        if (bad < 60)
            printf("MISMATCH %08x at %llx: objdump \"%s\" ferry \"%s\"\n", word, addr, want, got);
        count_mismatch(want);
        bad++;
    }
    fclose(f);
    for (int i = 0; i < tally_count; i++)
        printf("  %6ld mismatches: %s\n", tally[i].count, tally[i].mnem);
    printf("disasm_check: %ld words, %ld match, %ld skipped (not described here), %ld mismatch\n",
           checked, checked - skipped - bad, skipped, bad);
    return bad == 0 && checked > 0 ? 0 : 1;
}
