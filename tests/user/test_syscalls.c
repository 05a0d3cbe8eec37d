/* Unit tests of the syscall layer with a real guest address space: argument
 * validation against hostile pointers, flag and struct translation, the address
 * space calls, and the emulated signal state. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "hypervisor/user/syscalls.h"

#define LIMIT (1ull << 32)
#define PAGE GUEST_PAGE_SIZE
#define DATA 0x100000ull   /* one RW page */
#define RO   0x200000ull   /* one read-only page */

static struct user_process proc;

static int setup_one(void **state)
{
    (void)state;
    memset(&proc, 0, sizeof(proc));
    if (guest_memory_init(&proc.mem, LIMIT))
        return -1;
    proc.mem.mmap_top = 0x80000000;
    proc.mem.mmap_cursor = proc.mem.mmap_top;
    proc.mem.mmap_bottom = 0x40000000;
    proc.brk_start = proc.brk_current = 0x1000000;
    guest_map_anonymous(&proc.mem, DATA, PAGE, GUEST_PROT_READ | GUEST_PROT_WRITE, false);
    guest_map_anonymous(&proc.mem, RO, PAGE, GUEST_PROT_READ, false);
    return 0;
}

static int teardown_one(void **state)
{
    (void)state;
    guest_memory_destroy(&proc.mem);
    return 0;
}

static int64_t sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
    return user_syscall(&proc, nr, a);
}
#define SYS(nr, ...) sys(A64_NR_##nr, __VA_ARGS__)

static void put_string(uint64_t addr, const char *s)
{
    assert_int_equal(guest_copy_to(&proc.mem, addr, s, strlen(s) + 1), 0);
}

static void test_write_and_read_validate_buffers(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    put_string(DATA, "hello");
    assert_int_equal(SYS(write, (uint64_t)fds[1], DATA, 5, 0, 0, 0), 5);
    assert_int_equal(SYS(read, (uint64_t)fds[0], DATA + 100, 5, 0, 0, 0), 5);
    assert_memory_equal(proc.mem.host_base + DATA + 100, "hello", 5);
    /* Unmapped, out-of-limit and wrapping buffers: EFAULT, never a host fault. */
    assert_int_equal(SYS(write, (uint64_t)fds[1], 0x5000, 5, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(write, (uint64_t)fds[1], LIMIT - 2, 5, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(write, (uint64_t)fds[1], UINT64_MAX - 1, 5, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(write, (uint64_t)fds[1], DATA, UINT64_MAX, 0, 0, 0), -EFAULT);
    /* Reading into a read-only page: the host kernel refuses. */
    assert_int_equal(SYS(write, (uint64_t)fds[1], DATA, 5, 0, 0, 0), 5);
    assert_int_equal(SYS(read, (uint64_t)fds[0], RO, 5, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(write, 12345, DATA, 1, 0, 0, 0), -EBADF);
    close(fds[0]);
    close(fds[1]);
}

static void test_writev_validates_iovecs(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    put_string(DATA + 512, "abcdef");
    uint64_t iov[4] = { DATA + 512, 3, DATA + 515, 3 };
    assert_int_equal(guest_copy_to(&proc.mem, DATA, iov, sizeof(iov)), 0);
    assert_int_equal(SYS(writev, (uint64_t)fds[1], DATA, 2, 0, 0, 0), 6);
    iov[2] = 0x7000; /* unmapped */
    guest_copy_to(&proc.mem, DATA, iov, sizeof(iov));
    assert_int_equal(SYS(writev, (uint64_t)fds[1], DATA, 2, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(writev, (uint64_t)fds[1], PAGE * 3, 2, 0, 0, 0), -EFAULT); /* iov array unmapped */
    assert_int_equal(SYS(writev, (uint64_t)fds[1], DATA, 100000, 0, 0, 0), -EINVAL);
    close(fds[0]);
    close(fds[1]);
}

static void test_open_flags_translation(void **state)
{
    (void)state;
    assert_int_equal(user_open_flags_to_host(A64_O_DIRECTORY | O_RDONLY), O_DIRECTORY);
    assert_int_equal(user_open_flags_to_host(A64_O_NOFOLLOW | O_CLOEXEC | O_CREAT), O_NOFOLLOW | O_CLOEXEC | O_CREAT);
    assert_int_equal(user_open_flags_to_guest(O_DIRECTORY | O_WRONLY), A64_O_DIRECTORY | O_WRONLY);
    assert_int_equal(user_open_flags_to_guest(O_DIRECT), A64_O_DIRECT);
    /* The guest's O_DIRECTORY on a regular file must fail like on arm64. */
    put_string(DATA, "/etc/hostname");
    int64_t r = SYS(openat, (uint64_t)AT_FDCWD, DATA, A64_O_DIRECTORY, 0, 0, 0);
    assert_true(r == -ENOTDIR || r == -ENOENT);
    put_string(DATA, "/");
    r = SYS(openat, (uint64_t)AT_FDCWD, DATA, A64_O_DIRECTORY, 0, 0, 0);
    assert_true(r >= 0);
    assert_int_equal(SYS(close, (uint64_t)r, 0, 0, 0, 0, 0), 0);
    assert_int_equal(SYS(openat, (uint64_t)AT_FDCWD, 0x9000, 0, 0, 0, 0), -EFAULT);
}

static void test_stat_uses_arm64_layout(void **state)
{
    (void)state;
    put_string(DATA, "/proc/self/exe");
    put_string(DATA + 64, "/bin/sh");
    proc.exe_path = "/bin/sh";
    assert_int_equal(SYS(newfstatat, (uint64_t)AT_FDCWD, DATA + 64, DATA + 1024, 0, 0, 0), 0);
    struct stat st;
    assert_int_equal(stat("/bin/sh", &st), 0);
    struct a64_stat g;
    guest_copy_from(&proc.mem, &g, DATA + 1024, sizeof(g));
    assert_int_equal(g.st_size, st.st_size);
    assert_int_equal(g.st_mode, st.st_mode);
    assert_int_equal(g.st_ino, st.st_ino);
    assert_int_equal(g.st_blksize, st.st_blksize);
    uint64_t size_at_48;
    memcpy(&size_at_48, proc.mem.host_base + DATA + 1024 + 48, 8);
    assert_int_equal(size_at_48, st.st_size);
    /* Result buffer read-only or crossing into unmapped memory: EFAULT. */
    assert_int_equal(SYS(newfstatat, (uint64_t)AT_FDCWD, DATA + 64, RO, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(newfstatat, (uint64_t)AT_FDCWD, DATA + 64, DATA + PAGE - 64, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(fstat, 0, DATA + 1024, 0, 0, 0, 0), 0);
    /* /proc/self/exe names the guest program, not the runner. */
    int64_t n = SYS(readlinkat, (uint64_t)AT_FDCWD, DATA, DATA + 2048, 200, 0, 0);
    assert_true(n > 0);
}

static void test_brk(void **state)
{
    (void)state;
    assert_int_equal(SYS(brk, 0, 0, 0, 0, 0, 0), 0x1000000);
    assert_int_equal(SYS(brk, 0x1000000 + 10000, 0, 0, 0, 0, 0), 0x1000000 + 10000);
    assert_true(guest_range_accessible(&proc.mem, 0x1000000, 10000, GUEST_PROT_WRITE));
    assert_int_equal(SYS(brk, 0x1000000 + 100, 0, 0, 0, 0, 0), 0x1000000 + 100);
    assert_false(guest_range_accessible(&proc.mem, 0x1000000 + PAGE, 1, GUEST_PROT_READ));
    assert_int_equal(SYS(brk, 0x10, 0, 0, 0, 0, 0), 0x1000000 + 100);  /* below start: unchanged */
    assert_int_equal(SYS(brk, UINT64_MAX, 0, 0, 0, 0, 0), 0x1000000 + 100);
    /* Growth into an existing mapping is refused. */
    guest_map_anonymous(&proc.mem, 0x1000000 + 4 * PAGE, PAGE, GUEST_PROT_READ, false);
    assert_int_equal(SYS(brk, 0x1000000 + 8 * PAGE, 0, 0, 0, 0, 0), 0x1000000 + 100);
}

static void test_mmap_family(void **state)
{
    (void)state;
    int64_t a = SYS(mmap, 0, 3 * PAGE, 3, 0x22 /* PRIVATE|ANONYMOUS */, (uint64_t)-1, 0);
    assert_true(a > 0 && (uint64_t)a < 0x80000000 && (uint64_t)a >= 0x40000000);
    assert_true(guest_range_accessible(&proc.mem, (uint64_t)a, 3 * PAGE, GUEST_PROT_READ | GUEST_PROT_WRITE));
    assert_int_equal(SYS(mprotect, (uint64_t)a, PAGE, 1, 0, 0, 0), 0);
    assert_false(guest_range_accessible(&proc.mem, (uint64_t)a, 1, GUEST_PROT_WRITE));
    assert_int_equal(SYS(mprotect, (uint64_t)a + 1, PAGE, 1, 0, 0, 0), -EINVAL);
    assert_int_equal(SYS(mprotect, 0x30000000, PAGE, 1, 0, 0, 0), -ENOMEM);
    proc.mem.host_base[a + PAGE] = 42;
    int64_t b = SYS(mremap, (uint64_t)a + PAGE, 2 * PAGE, 64 * PAGE, 1 /* MAYMOVE */, 0, 0);
    assert_true(b > 0);
    assert_int_equal(proc.mem.host_base[b], 42);
    assert_true(guest_range_accessible(&proc.mem, (uint64_t)b, 64 * PAGE, GUEST_PROT_WRITE));
    assert_int_equal(SYS(munmap, (uint64_t)b, 64 * PAGE, 0, 0, 0, 0), 0);
    assert_true(guest_range_free(&proc.mem, (uint64_t)b, 64 * PAGE));
    assert_int_equal(SYS(mmap, 0, 0, 3, 0x22, (uint64_t)-1, 0), -EINVAL);
    assert_int_equal(SYS(mmap, 0, PAGE, 3, 0x20 /* no type */, (uint64_t)-1, 0), -EINVAL);
    assert_int_equal(SYS(mmap, 0, UINT64_MAX, 3, 0x22, (uint64_t)-1, 0), -ENOMEM);
    assert_int_equal(SYS(mmap, LIMIT, PAGE, 3, 0x32 /* FIXED */, (uint64_t)-1, 0), -ENOMEM);
    assert_int_equal(SYS(mmap, 0x50000000, PAGE, 3, 0x32, (uint64_t)-1, 0), 0x50000000);
    assert_int_equal(SYS(mmap, 0x50000000, PAGE, 3, 0x100022 /* NOREPLACE */, (uint64_t)-1, 0), -EEXIST);
    assert_int_equal(SYS(munmap, 0x50000001, PAGE, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(SYS(munmap, UINT64_MAX & ~(PAGE - 1), 2 * PAGE, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(SYS(mmap, 0, PAGE, 1, 0x02, 9999 /* bad fd */, 0), -EBADF);
}

static void test_system_calls(void **state)
{
    (void)state;
    assert_int_equal(SYS(uname, DATA, 0, 0, 0, 0, 0), 0);
    assert_string_equal((char *)proc.mem.host_base + DATA + 4 * 65, "aarch64");
    assert_int_equal(SYS(uname, RO, 0, 0, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(clock_gettime, 1, DATA, 0, 0, 0, 0), 0);
    assert_int_equal(SYS(clock_gettime, 1, RO, 0, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(getrandom, DATA, 64, 0, 0, 0, 0), 64);
    assert_int_equal(SYS(getrandom, RO, 64, 0, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(getpid, 0, 0, 0, 0, 0, 0), getpid());
    assert_int_equal(sys(9999, 0, 0, 0, 0, 0, 0), -ENOSYS);
    assert_int_equal(SYS(rseq, 0, 0, 0, 0, 0, 0), -ENOSYS);
    /* futex: a value mismatch returns at once; bad addresses are refused. */
    uint32_t v = 5;
    guest_copy_to(&proc.mem, DATA, &v, 4);
    assert_int_equal(SYS(futex, DATA, 128 /* WAIT_PRIVATE */, 6, 0, 0, 0), -EAGAIN);
    assert_int_equal(SYS(futex, DATA + 2, 128, 5, 0, 0, 0), -EINVAL);
    assert_int_equal(SYS(futex, 0x9000, 128, 5, 0, 0, 0), -EFAULT);
    assert_int_equal(SYS(futex, DATA, 129 /* WAKE_PRIVATE */, 1, 0, 0, 0), 0);
    assert_false(proc.exited);
    assert_int_equal(SYS(exit_group, 0x1234, 0, 0, 0, 0, 0), 0);
    assert_true(proc.exited);
    assert_int_equal(proc.exit_status, 0x34);
}

static void test_signal_state(void **state)
{
    (void)state;
    struct a64_sigaction act = { .handler = 0x400123, .flags = A64_SA_SIGINFO, .mask = 0x5 };
    guest_copy_to(&proc.mem, DATA, &act, sizeof(act));
    assert_int_equal(SYS(rt_sigaction, 10, DATA, 0, 8, 0, 0), 0);
    assert_int_equal(SYS(rt_sigaction, 10, 0, DATA + 64, 8, 0, 0), 0);
    struct a64_sigaction back;
    guest_copy_from(&proc.mem, &back, DATA + 64, sizeof(back));
    assert_int_equal(back.handler, 0x400123);
    assert_int_equal(SYS(rt_sigaction, 9, DATA, 0, 8, 0, 0), -EINVAL);  /* SIGKILL */
    assert_int_equal(SYS(rt_sigaction, 65, DATA, 0, 8, 0, 0), -EINVAL);
    assert_int_equal(SYS(rt_sigaction, 10, DATA, 0, 16, 0, 0), -EINVAL);
    assert_int_equal(SYS(rt_sigaction, 10, 0x9000, 0, 8, 0, 0), -EFAULT);
    uint64_t set = (1ull << 9) | (1ull << 8); /* SIGUSR1 and SIGKILL */
    guest_copy_to(&proc.mem, DATA, &set, 8);
    assert_int_equal(SYS(rt_sigprocmask, 0, DATA, 0, 8, 0, 0), 0);
    assert_int_equal(proc.signals.blocked, 1ull << 9); /* SIGKILL cannot be blocked */
    assert_int_equal(SYS(kill, (uint64_t)getpid(), 10, 0, 0, 0, 0), 0);
    assert_int_equal(proc.signals.pending, 1ull << 9);
    assert_int_equal(SYS(rt_sigpending, DATA, 8, 0, 0, 0, 0), 0);
    uint64_t pending;
    guest_copy_from(&proc.mem, &pending, DATA, 8);
    assert_int_equal(pending, 1ull << 9);
    assert_int_equal(SYS(kill, (uint64_t)getpid(), 99, 0, 0, 0, 0), -EINVAL);
    struct a64_stack ss = { .ss_sp = DATA, .ss_size = 100 };
    guest_copy_to(&proc.mem, DATA + 128, &ss, sizeof(ss));
    assert_int_equal(SYS(sigaltstack, DATA + 128, 0, 0, 0, 0, 0), -ENOMEM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_and_read_validate_buffers, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_writev_validates_iovecs, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_open_flags_translation, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_stat_uses_arm64_layout, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_brk, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_mmap_family, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_system_calls, setup_one, teardown_one),
        cmocka_unit_test_setup_teardown(test_signal_state, setup_one, teardown_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
