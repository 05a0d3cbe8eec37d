/* String and memory functions over many alignments and lengths (glibc picks SIMD
 * implementations for these, so they exercise AdvSIMD loads, compares and reductions). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash;
static void mix(uint64_t v) { hash = (hash ^ (uint32_t)v ^ (uint32_t)(v >> 32)) * 16777619u; }

int main(void)
{
    static char src[512], dst[512];
    for (int i = 0; i < 512; i++)
        src[i] = (char)('a' + (i * 7) % 26);
    for (int off = 0; off < 17; off++) {
        for (int len = 0; len < 80; len += 3) {
            memset(dst, 'x', sizeof(dst));
            memcpy(dst + off, src + (off * 3) % 16, (size_t)len);
            dst[off + len] = 0;
            mix(strlen(dst + off));
            mix((uint64_t)(memchr(dst + off, 'q', (size_t)len) ? (char *)memchr(dst + off, 'q', (size_t)len) - dst : -1));
            char *c = strchr(dst + off, 'k');
            mix(c ? (uint64_t)(c - dst) : 999);
            c = strrchr(dst + off, 'k');
            mix(c ? (uint64_t)(c - dst) : 999);
            mix((uint64_t)(strcmp(dst + off, src) > 0) * 2 + (strcmp(dst + off, src) < 0));
            mix((uint64_t)(strncmp(dst + off, src + off, 5) + 300));
            mix((uint64_t)(memcmp(dst + off, src + (off * 3) % 16, (size_t)len) == 0));
            memmove(dst + off + 1, dst + off, (size_t)len);
            memmove(dst + 2, dst + off + 3, (size_t)len / 2);
            for (int k = 0; k < 100; k++)
                mix((unsigned char)dst[k]);
            memset(dst + off, off, (size_t)len);
            mix((unsigned char)dst[off + len / 2]);
        }
    }
    printf("string hash %08x\n", hash);

    char buf[128];
    strcpy(buf, "The quick brown fox");
    strcat(buf, " jumps over the lazy dog");
    printf("%s (%zu)\n", buf, strlen(buf));
    printf("strstr: %s\n", strstr(buf, "fox"));
    printf("strspn=%zu strcspn=%zu\n", strspn(buf, "The "), strcspn(buf, "xyz"));
    char *copy = strdup(buf);
    int words = 0;
    for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
        words++;
    printf("words=%d\n", words);
    free(copy);
    char out[64];
    int n = snprintf(out, sizeof(out), "%05d|%-6s|%+.3d|%c|%%", 42, "ab", 7, 'Z');
    printf("%s (%d)\n", out, n);
    char *end = stpcpy(out, "abc");
    end = stpcpy(end, "defgh");
    printf("stpcpy: [%s] %d\n", out, (int)(end - out));
    printf("toupper loop: ");
    for (const char *p = "MiXeD 123"; *p; p++)
        putchar(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    putchar('\n');
    return 0;
}
