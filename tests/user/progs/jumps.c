/* setjmp/longjmp out of deep recursion, and through several frames. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static int depth_reached;
static void dive(int depth, int limit);
/* Called through a pointer so the compiler cannot reason about the recursion. */
static void (*volatile next_dive)(int, int) = dive;

static void dive(int depth, int limit)
{
    volatile char pad[64];
    pad[0] = (char)depth;
    depth_reached = depth + pad[0] - (char)depth;
    if (depth >= limit)
        longjmp(env, depth);
    next_dive(depth + 1, limit);
}

int main(void)
{
    volatile int rounds = 0;
    static int limit;
    for (limit = 1; limit <= 5000; limit *= 3) {
        int r = setjmp(env);
        if (r == 0) {
            dive(0, limit);
            printf("not reached\n");
        } else {
            printf("longjmp from depth %d (reached %d)\n", r, depth_reached);
            rounds++;
        }
    }
    jmp_buf local;
    volatile int counter = 0;
    if (setjmp(local) < 3) {
        counter++;
        if (counter < 3)
            longjmp(local, counter);
    }
    printf("rounds=%d counter=%d\n", rounds, counter);
    return 0;
}
