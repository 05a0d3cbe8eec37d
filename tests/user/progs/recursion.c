/* Recursion: naive Fibonacci, Ackermann, mutual recursion and a deep call chain that
 * uses a few megabytes of stack. */
#include <stdio.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int ack(int m, int n)
{
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}
static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }
static long deep(long n, volatile long *sink)
{
    volatile long local[4] = { n, n * 2, n * 3, n * 4 };
    *sink += local[n & 3];
    return n == 0 ? 0 : 1 + deep(n - 1, sink);
}

int main(void)
{
    printf("fib(25)=%ld\n", fib(25));
    printf("ack(2,3)=%d ack(3,4)=%d\n", ack(2, 3), ack(3, 4));
    printf("even(10001)=%d\n", is_even(10001));
    volatile long sink = 0;
    printf("deep=%ld sink=%ld\n", deep(60000, &sink), sink);
    return 0;
}
