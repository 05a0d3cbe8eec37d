/* A QEMU TCG plugin (QEMU 7.2, plugin API 1) that writes a Ferry instruction trace
 * (docs/trace-format.md) from qemu-aarch64 or qemu-system-aarch64, so `ferry trace
 * diff` can compare Ferry with QEMU. It records what that API exposes: the PC and
 * encoding of every executed instruction and the address, size and direction of its
 * memory accesses; no register or memory values, no EL in system mode, no exceptions.
 *
 *   qemu-aarch64 -plugin build/tools/qemu-trace-plugin.so,out=FILE ./prog
 *   qemu-system-aarch64 ... -plugin build/tools/qemu-trace-plugin.so,out=FILE
 * Options: out=FILE (required), mem=off (PCs and encodings only: faster).
 *
 * An instruction's memory callbacks come after its execution callback, so each record
 * is written when the next instruction starts (and the last one at exit). Only vCPU 0 is
 * traced (a trace is one instruction stream); instructions of other vCPUs are counted
 * and reported at exit. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/trace/trace_writer.h"
#include "tools/qemu-trace-plugin/qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* One translated instruction; shared by every translation of the same (PC, encoding),
 * so retranslation does not grow memory without bound. */
struct insn_info {
    uint64_t pc;
    uint32_t enc;
    struct insn_info *next;
};

#define INSN_HASH_BITS 16
static struct insn_info *insn_hash[1u << INSN_HASH_BITS];
/* vCPU threads may translate concurrently (MTTCG). */
static pthread_mutex_t insn_lock = PTHREAD_MUTEX_INITIALIZER;

static struct trace_writer *writer;
static const char *out_path;
static bool with_mem = true;
static bool system_mode;
static bool failed;

static const struct insn_info *pending;
static struct trace_mem_access mem[TRACE_MAX_MEM];
static unsigned n_mem;
static uint64_t seq, other_vcpu_insns, dropped_mem;

static void flush_pending(void)
{
    if (!pending || failed)
        return;
    struct trace_insn r = {
        .seq = seq++,
        .pc = pending->pc,
        .el = system_mode ? TRACE_EL_UNKNOWN : 0,
        .encoding = pending->enc,
        .n_mem = n_mem,
        .mem = mem,
    };
    if (trace_writer_insn(writer, &r) != 0) {
        /* Keep QEMU running but say so once; the atexit callback reports it again. */
        fprintf(stderr, "ferry trace plugin: %s\n", trace_writer_error(writer));
        failed = true;
    }
    pending = NULL;
    n_mem = 0;
}

static void on_insn(unsigned int vcpu, void *ud)
{
    if (vcpu != 0) {
        other_vcpu_insns++;
        return;
    }
    flush_pending();
    pending = ud;
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *ud)
{
    if (vcpu != 0 || !pending)
        return;
    if (n_mem == TRACE_MAX_MEM) {
        dropped_mem++;
        return;
    }
    unsigned shift = qemu_plugin_mem_size_shift(info);
    mem[n_mem++] = (struct trace_mem_access){
        .va = vaddr,
        .size = (uint8_t)(shift < 8 ? 1u << shift : 255),
        .store = qemu_plugin_mem_is_store(info),
    };
}

static struct insn_info *intern(uint64_t pc, uint32_t enc)
{
    uint32_t h = (uint32_t)(((pc >> 2) ^ enc) * 0x9e3779b97f4a7c15ull >> (64 - INSN_HASH_BITS));
    for (struct insn_info *i = insn_hash[h]; i; i = i->next)
        if (i->pc == pc && i->enc == enc)
            return i;
    struct insn_info *i = malloc(sizeof *i);
    if (!i)
        return NULL;
    i->pc = pc;
    i->enc = enc;
    i->next = insn_hash[h];
    insn_hash[h] = i;
    return i;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t k = 0; k < n; k++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, k);
        uint32_t enc = 0;
        size_t size = qemu_plugin_insn_size(insn);
        memcpy(&enc, qemu_plugin_insn_data(insn), size < 4 ? size : 4);
        pthread_mutex_lock(&insn_lock);
        struct insn_info *info = intern(qemu_plugin_insn_vaddr(insn), enc);
        pthread_mutex_unlock(&insn_lock);
        if (!info) {
            fprintf(stderr, "ferry trace plugin: out of memory\n");
            abort();
        }
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, info);
        if (with_mem)
            qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS,
                                             QEMU_PLUGIN_MEM_RW, info);
    }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *ud)
{
    flush_pending();
    char err[600];
    struct trace_writer_stats st;
    if (trace_writer_close_stats(writer, &st, err, sizeof err) != 0) {
        fprintf(stderr, "ferry trace plugin: %s\n", err);
    } else {
        fprintf(stderr, "ferry trace plugin: %s: %llu instructions, %.3f bytes/instruction\n",
                out_path, (unsigned long long)st.instructions,
                st.instructions ? (double)st.file_bytes / (double)st.instructions : 0.0);
    }
    writer = NULL;
    if (other_vcpu_insns)
        fprintf(stderr, "ferry trace plugin: %llu instructions of vCPUs other than 0 were not "
                        "traced\n", (unsigned long long)other_vcpu_insns);
    if (dropped_mem)
        fprintf(stderr, "ferry trace plugin: %llu memory accesses beyond %u per instruction were "
                        "not traced\n", (unsigned long long)dropped_mem, TRACE_MAX_MEM);
}

/* The QEMU command line, for the trace header (best effort: /proc/self/cmdline). */
static void read_cmdline(char *buf, size_t size)
{
    buf[0] = 0;
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (!f)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (!buf[i])
            buf[i] = ' ';
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "arg=", 4))     /* the older -plugin ...,arg=out=FILE form */
            a += 4;
        if (!strncmp(a, "out=", 4))
            out_path = a + 4;
        else if (!strcmp(a, "mem=off"))
            with_mem = false;
        else if (!strcmp(a, "mem=on"))
            with_mem = true;
        else {
            fprintf(stderr, "ferry trace plugin: unknown option %s (out=FILE, mem=on|off)\n", a);
            return -1;
        }
    }
    if (!out_path || !*out_path) {
        fprintf(stderr, "ferry trace plugin: which file? (-plugin qemu-trace-plugin.so,out=FILE)\n");
        return -1;
    }
    if (strcmp(info->target_name, "aarch64") != 0) {
        fprintf(stderr, "ferry trace plugin: the guest is %s; Ferry traces are AArch64 only\n",
                info->target_name);
        return -1;
    }
    system_mode = info->system_emulation;
    static char cmdline[4096];
    read_cmdline(cmdline, sizeof cmdline);
    struct trace_file_info ti = {
        .mode = TRACE_MODE_FULL,
        .flags = TRACE_FLAG_QEMU | (with_mem ? 0 : TRACE_FLAG_NO_MEM),
        .ferry_version = NULL,
        .command_line = cmdline,
        .filters = with_mem ? "" : "no memory accesses (mem=off)",
    };
    char err[600];
    writer = trace_writer_open(out_path, &ti, err, sizeof err);
    if (!writer) {
        fprintf(stderr, "ferry trace plugin: %s\n", err);
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
    return 0;
}
