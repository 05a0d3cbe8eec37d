/* Clocks: monotonic time advances, sleeping sleeps, wall-clock time is plausible. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    double t0 = now(CLOCK_MONOTONIC);
    struct timespec req = { 0, 20 * 1000 * 1000 };
    nanosleep(&req, NULL);
    double t1 = now(CLOCK_MONOTONIC);
    printf("slept >= 20ms: %d\n", t1 - t0 >= 0.019);
    printf("slept < 2s: %d\n", t1 - t0 < 2.0);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("realtime after 2020: %d\n", tv.tv_sec > 1577836800);
    printf("time() agrees: %d\n", (long)time(NULL) - (long)tv.tv_sec <= 1);
    double c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    volatile unsigned long spin = 0;
    for (unsigned long i = 0; i < 2000000; i++)
        spin += i;
    printf("cputime advances: %d\n", now(CLOCK_PROCESS_CPUTIME_ID) > c0);
    struct timespec res;
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("resolution <= 1ms: %d\n", res.tv_sec == 0 && res.tv_nsec <= 1000000);
    return 0;
}
