/* Builds the exec-time stack (argv, envp, auxv and the strings they point to). */
#include "hypervisor/user/initial_stack.h"

#include <errno.h>
#include <string.h>
#include "hypervisor/user/linux_abi.h"

#define AUXV_MAX_PAIRS 24

/* A downward-growing cursor over the guest stack that refuses to pass the bottom. */
struct stack_cursor {
    struct guest_memory *m;
    uint64_t bottom;
    uint64_t sp;
    int error;
};

static uint64_t push_bytes(struct stack_cursor *c, const void *data, uint64_t len)
{
    if (c->error)
        return 0;
    if (c->sp - c->bottom < len) {
        c->error = -E2BIG;
        return 0;
    }
    c->sp -= len;
    int rc = guest_copy_to(c->m, c->sp, data, len);
    if (rc)
        c->error = rc;
    return c->sp;
}

static uint64_t push_string(struct stack_cursor *c, const char *s)
{
    return push_bytes(c, s, strlen(s) + 1);
}

static void put_u64(struct stack_cursor *c, uint64_t addr, uint64_t value)
{
    if (!c->error) {
        int rc = guest_copy_to(c->m, addr, &value, sizeof(value));
        if (rc)
            c->error = rc;
    }
}

int initial_stack_build(struct guest_memory *m, uint64_t stack_bottom, uint64_t stack_top,
                        const struct initial_stack_info *info, uint64_t *sp_out)
{
    if (stack_top <= stack_bottom || info->argc < 0 || info->envc < 0)
        return -EINVAL;
    struct stack_cursor c = { .m = m, .bottom = stack_bottom, .sp = stack_top };
    uint64_t zero = 0;
    push_bytes(&c, &zero, sizeof(zero)); /* end marker, as Linux leaves one */
    uint64_t execfn = push_string(&c, info->execfn);

    /* Strings go in ascending order argv[0]..argv[n-1], envp[0].. like Linux, so a
     * program that walks argv[0]'s bytes past its end sees the next argument. */
    uint64_t strings_len = 0;
    for (int i = 0; i < info->argc; i++)
        strings_len += strlen(info->argv[i]) + 1;
    for (int i = 0; i < info->envc; i++)
        strings_len += strlen(info->envp[i]) + 1;
    if (c.sp - c.bottom < strings_len)
        return -E2BIG;
    uint64_t strings = c.sp - strings_len;
    uint64_t arg_addr0 = strings;
    c.sp = strings;

    uint64_t platform = push_string(&c, "aarch64");
    c.sp &= ~15ull;
    uint64_t random = push_bytes(&c, info->random, sizeof(info->random));
    if (c.error)
        return c.error;

    uint64_t auxv[AUXV_MAX_PAIRS * 2];
    unsigned n = 0;
#define AUX(key, value) do { auxv[n++] = (key); auxv[n++] = (value); } while (0)
    const struct elf_image *img = info->image;
    AUX(A64_AT_PHDR, img->phdr_addr);
    AUX(A64_AT_PHENT, img->phentsize);
    AUX(A64_AT_PHNUM, img->phnum);
    AUX(A64_AT_PAGESZ, GUEST_PAGE_SIZE);
    AUX(A64_AT_BASE, 0);
    AUX(A64_AT_FLAGS, 0);
    AUX(A64_AT_ENTRY, img->entry);
    AUX(A64_AT_UID, info->uid);
    AUX(A64_AT_EUID, info->euid);
    AUX(A64_AT_GID, info->gid);
    AUX(A64_AT_EGID, info->egid);
    AUX(A64_AT_SECURE, 0);
    AUX(A64_AT_RANDOM, random);
    AUX(A64_AT_HWCAP, info->hwcap);
    AUX(A64_AT_HWCAP2, info->hwcap2);
    AUX(A64_AT_CLKTCK, 100);
    AUX(A64_AT_EXECFN, execfn);
    AUX(A64_AT_PLATFORM, platform);
    AUX(A64_AT_NULL, 0);
#undef AUX

    uint64_t words = 1 + (uint64_t)info->argc + 1 + (uint64_t)info->envc + 1 + n;
    if ((c.sp - c.bottom) / 8 < words + 2)
        return -E2BIG;
    uint64_t sp = (c.sp - words * 8) & ~15ull;
    uint64_t w = sp;
    put_u64(&c, w, (uint64_t)info->argc);
    w += 8;
    uint64_t s = arg_addr0;
    for (int i = 0; i < info->argc; i++, w += 8) {
        uint64_t len = strlen(info->argv[i]) + 1;
        if (!c.error && guest_copy_to(m, s, info->argv[i], len))
            c.error = -EFAULT;
        put_u64(&c, w, s);
        s += len;
    }
    put_u64(&c, w, 0);
    w += 8;
    for (int i = 0; i < info->envc; i++, w += 8) {
        uint64_t len = strlen(info->envp[i]) + 1;
        if (!c.error && guest_copy_to(m, s, info->envp[i], len))
            c.error = -EFAULT;
        put_u64(&c, w, s);
        s += len;
    }
    put_u64(&c, w, 0);
    w += 8;
    for (unsigned i = 0; i < n; i++, w += 8)
        put_u64(&c, w, auxv[i]);
    if (c.error)
        return c.error;
    *sp_out = sp;
    return 0;
}
