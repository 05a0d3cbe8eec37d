/* Unit tests of the host facts passed to the engine (hypervisor/host_platform.c):
 * KVM flavour detection and its override, and the TSC frequency. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "hypervisor/host_platform.h"

static void test_flavour_detection(void **state)
{
    char dir[] = "/tmp/ferry-sysmod-XXXXXX", module[64], err[128] = "";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(host_kvm_flavour(NULL, dir, err, sizeof err), FERRY_KVM_HARDWARE);
    snprintf(module, sizeof module, "%s/kvm_pvm", dir);
    assert_int_equal(mkdir(module, 0755), 0);
    assert_int_equal(host_kvm_flavour(NULL, dir, err, sizeof err), FERRY_KVM_PVLITE);
    assert_int_equal(host_kvm_flavour("", dir, err, sizeof err), FERRY_KVM_PVLITE);
    assert_int_equal(host_kvm_flavour("hardware", dir, err, sizeof err), FERRY_KVM_HARDWARE);
    rmdir(module);
    assert_int_equal(host_kvm_flavour("pvlite", dir, err, sizeof err), FERRY_KVM_PVLITE);
    assert_int_equal(host_kvm_flavour("vmx", dir, err, sizeof err), 0);
    assert_string_equal(err, "invalid FERRY_KVM_FLAVOUR 'vmx' (expected hardware or pvlite)");
    rmdir(dir);
    assert_non_null(strstr(host_kvm_flavour_name(FERRY_KVM_PVLITE), "pv-lite"));
}

/* The measured frequency must predict the TSC over an independent 50 ms interval to
 * within 0.5 %. */
static void test_tsc_frequency(void **state)
{
    uint64_t khz = host_measure_tsc_khz(), c0, c1;
    struct timespec t0, t1, pause = { 0, 50000000 };
    double seconds, expected;
    assert_true(khz > 100000 && khz < 10000000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    c0 = __rdtsc();
    nanosleep(&pause, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    c1 = __rdtsc();
    seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    expected = (double)khz * 1000.0 * seconds;
    if ((double)(c1 - c0) < expected * 0.995 || (double)(c1 - c0) > expected * 1.005)
        fail_msg("TSC ran %llu cycles in %.6f s, %llu kHz predicts %.0f",
                 (unsigned long long)(c1 - c0), seconds, (unsigned long long)khz, expected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flavour_detection),
        cmocka_unit_test(test_tsc_frequency),
    };
    return cmocka_run_group_tests_name("host_platform", tests, NULL, NULL);
}
