/* printf/scanf of floating point and the FP arithmetic behind them: formatting in
 * every style, parsing, rounding, special values, float<->int conversions, libm. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    volatile double vals[] = { 0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e-300, 1e300, 2.5e-310,
                               123456789.125, 0.1, 1.0 / 3.0, DBL_MAX, DBL_MIN, -2.675 };
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        printf("%g | %.17g | %e | %.3f | %a\n", vals[i], vals[i], vals[i], vals[i], vals[i]);
    volatile double inf = 1.0 / vals[0], nan_v = vals[0] / vals[0];
    printf("inf=%f -inf=%f nan=%f isnan=%d isinf=%d\n", inf, -inf, nan_v, isnan(nan_v), isinf(inf));
    float f = 1.1f;
    printf("float %f %.9g %e\n", f, f, (double)f * 3.0f);
    double parsed[6];
    const char *texts[6] = { "3.5", "-0.001e3", "1e-320", "0x1.8p1", "infinity", "  42.75xyz" };
    for (int i = 0; i < 6; i++) {
        char *end;
        parsed[i] = strtod(texts[i], &end);
        printf("strtod(%s) = %.17g rest='%s'\n", texts[i], parsed[i], end);
    }
    double a, b;
    int x;
    unsigned long long big;
    int n = sscanf("12.5 -3e2 77 18446744073709551615", "%lf %lf %d %llu", &a, &b, &x, &big);
    printf("sscanf n=%d a=%f b=%f x=%d big=%llu\n", n, a, b, x, big);
    double s = 0;
    for (int i = 1; i <= 1000; i++)
        s += 1.0 / ((double)i * i);
    printf("basel %.15f sqrt %.15f\n", s, sqrt(6 * s));
    printf("libm: sin=%.12f cos=%.12f exp=%.12f log=%.12f pow=%.12f\n",
           sin(0.5), cos(0.5), exp(1.25), log(10.0), pow(2.0, 0.5));
    printf("round: %.1f %.1f %.1f %.1f lround=%ld trunc=%d\n", floor(-2.5), ceil(-2.5), round(-2.5),
           rint(2.5), lround(2.5), (int)-2.9);
    volatile double big_d = 1e20, neg = -1e20;
    printf("conv: %ld %lu %d %u\n", (long)(vals[4]), (unsigned long)vals[8], (int)(float)vals[5],
           (unsigned)(vals[2] * 7));
    printf("fma %.17g fmin %g fmax %g\n", fma(0.1, 10.0, -1.0), fmin(vals[3], vals[2]), fmax(vals[3], vals[2]));
    printf("big %.0f %.0f\n", big_d, neg);
    float fs = 0;
    for (int i = 0; i < 100; i++)
        fs = fs * 0.99f + (float)i / 3.0f;
    printf("float accum %.6f\n", fs);
    return 0;
}
