/* Benchmark: a Dhrystone-like mix (written for Ferry, not the original): record
 * copies, string compares, small function calls, enums and branches in a loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum colour { RED, GREEN, BLUE, YELLOW };
struct record {
    struct record *next;
    enum colour colour;
    int value;
    char name[31];
};

static int global_int;
static char global_char;
static int table[64];
static int grid[32][32];

static __attribute__((noinline)) enum colour pick(int v, enum colour c)
{
    switch ((v + (int)c) & 3) {
    case 0: return GREEN;
    case 1: return c == BLUE ? RED : BLUE;
    case 2: return YELLOW;
    default: return c;
    }
}

static __attribute__((noinline)) int compare_names(const char *a, const char *b)
{
    if (a[2] != b[2])
        return 0;
    return strcmp(a, b) > 0;
}

static __attribute__((noinline)) void update(struct record *r, int i)
{
    struct record tmp = *r->next;
    tmp.value = r->value + i;
    tmp.colour = pick(tmp.value, r->colour);
    *r->next = tmp;
    r->value = tmp.value % 1000;
    global_int += r->value & 7;
}

int main(int argc, char **argv)
{
    long loops = argc > 1 ? atol(argv[1]) : 1000000;
    struct record a = { 0 }, b = { 0 };
    a.next = &b;
    b.next = &a;
    strcpy(a.name, "FERRY PROGRAM, SOME STRING");
    strcpy(b.name, "FERRY PROGRAM, 2'ND STRING");
    long check = 0;
    for (long i = 0; i < loops; i++) {
        update(i & 1 ? &a : &b, (int)(i & 15));
        char local[31];
        strcpy(local, (i & 2) ? a.name : b.name);
        check += compare_names(local, a.name);
        table[i & 63] = (int)(i * 3) + table[(i + 1) & 63];
        grid[i & 31][(i >> 5) & 31] += table[i & 63] & 15;
        global_char = (char)('A' + (i % 26));
        if (global_char == 'Q')
            check += grid[3][7] & 1;
    }
    printf("dhry_like %ld %d %d %d\n", check, global_int, a.value, (int)b.colour);
    return 0;
}
