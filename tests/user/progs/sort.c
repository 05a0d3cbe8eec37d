/* qsort and bsearch on integers, strings and structures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 12345;
static uint32_t next(void) { state = state * 1103515245u + 12345u; return state >> 8; }

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
struct item { int key; double weight; char name[8]; };
static int cmp_item(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->key != y->key)
        return x->key - y->key;
    return strcmp(x->name, y->name);
}

int main(void)
{
    enum { N = 20000 };
    static int v[N];
    for (int i = 0; i < N; i++)
        v[i] = (int)(next() % 100000) - 50000;
    qsort(v, N, sizeof(int), cmp_int);
    int sorted = 1;
    long sum = 0;
    for (int i = 0; i < N; i++) {
        if (i && v[i - 1] > v[i]) sorted = 0;
        sum += (long)v[i] * (i % 7);
    }
    printf("ints sorted=%d first=%d last=%d sum=%ld\n", sorted, v[0], v[N - 1], sum);
    int key = v[N / 3];
    int *found = bsearch(&key, v, N, sizeof(int), cmp_int);
    printf("bsearch found=%d\n", found && *found == key);

    static char storage[500][12];
    char *s[500];
    for (int i = 0; i < 500; i++) {
        snprintf(storage[i], sizeof(storage[i]), "w%06u", next() % 1000000);
        s[i] = storage[i];
    }
    qsort(s, 500, sizeof(char *), cmp_str);
    printf("strings %s %s %s\n", s[0], s[250], s[499]);

    static struct item items[3000];
    for (int i = 0; i < 3000; i++) {
        items[i].key = (int)(next() % 50);
        items[i].weight = (double)(next() % 1000) / 7.0;
        snprintf(items[i].name, sizeof(items[i].name), "n%u", next() % 10000);
    }
    qsort(items, 3000, sizeof(items[0]), cmp_item);
    double wsum = 0;
    for (int i = 0; i < 3000; i += 100)
        wsum += items[i].weight * items[i].key;
    printf("items %d/%s %d/%s wsum=%.4f\n", items[0].key, items[0].name, items[2999].key, items[2999].name, wsum);
    return 0;
}
