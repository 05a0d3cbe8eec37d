/* Guest signal frames (arm64 rt_sigframe) and rt_sigreturn. */
#include "hypervisor/user/signal_frame.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hypervisor/user/user_runtime.h"

#define UNBLOCKABLE ((1ull << (9 - 1)) | (1ull << (19 - 1)))

static uint64_t sig_bit(int sig) { return 1ull << (sig - 1); }

static bool on_altstack(const struct user_process *p, uint64_t sp)
{
    const struct a64_stack *ss = &p->signals.altstack;
    return ss->ss_size && sp > ss->ss_sp && sp - ss->ss_sp <= ss->ss_size;
}

/* Builds the frame and redirects the state to the handler; false when the frame
 * cannot be written (the process then dies of SIGSEGV, as on Linux). */
static bool setup_frame(struct user_process *p, struct a64_state *s, int sig,
                        const struct a64_siginfo *info)
{
    struct a64_sigaction *act = &p->signals.action[sig];
    uint64_t sp = a64_get_sp(s);
    if ((act->flags & A64_SA_ONSTACK) && p->signals.altstack.ss_size && !on_altstack(p, sp))
        sp = p->signals.altstack.ss_sp + p->signals.altstack.ss_size;
    uint64_t record = (sp - 16) & ~15ull;
    uint64_t frame = (record - sizeof(struct a64_rt_sigframe)) & ~15ull;
    if (record > sp || frame > record)
        return false;

    struct a64_rt_sigframe *f = calloc(1, sizeof(*f));
    if (!f)
        return false;
    f->info = *info;
    f->uc.uc_stack.ss_sp = p->signals.altstack.ss_sp;
    f->uc.uc_stack.ss_size = p->signals.altstack.ss_size;
    f->uc.uc_stack.ss_flags = p->signals.altstack.ss_size
                                  ? (on_altstack(p, a64_get_sp(s)) ? A64_SS_ONSTACK : 0)
                                  : A64_SS_DISABLE;
    f->uc.uc_sigmask = p->signals.blocked;
    struct a64_sigcontext *sc = &f->uc.uc_mcontext;
    sc->fault_address = info->addr;
    for (unsigned r = 0; r < 31; r++)
        sc->regs[r] = a64_get_x(s, r);
    sc->sp = a64_get_sp(s);
    sc->pc = a64_get_pc(s);
    sc->pstate = a64_get_nzcv(s);
    struct a64_fpsimd_context fp = { .magic = A64_FPSIMD_MAGIC, .size = sizeof(fp) };
    fp.fpsr = a64_get_fpsr(s);
    fp.fpcr = a64_get_fpcr(s);
    for (unsigned v = 0; v < 32; v++)
        a64_get_v(s, v, &fp.vregs[2 * v]);
    memcpy(sc->reserved, &fp, sizeof(fp)); /* followed by the zero terminator record */

    uint64_t frame_record[2] = { a64_get_x(s, 29), a64_get_x(s, 30) };
    bool ok = guest_copy_to(&p->mem, frame, f, sizeof(*f)) == 0 &&
              guest_copy_to(&p->mem, record, frame_record, sizeof(frame_record)) == 0;
    free(f);
    if (!ok)
        return false;

    a64_set_x(s, 0, (uint64_t)sig);
    a64_set_x(s, 1, frame + offsetof(struct a64_rt_sigframe, info));
    a64_set_x(s, 2, frame + offsetof(struct a64_rt_sigframe, uc));
    a64_set_x(s, 29, record);
    a64_set_x(s, 30, (act->flags & A64_SA_RESTORER) ? act->restorer : p->sigreturn_trampoline);
    s->EXCL_VALID = 0;            /* taking the signal is an exception: the monitor clears */
    a64_set_sp(s, frame);
    a64_set_pc(s, act->handler);

    p->signals.blocked |= act->mask;
    if (!(act->flags & A64_SA_NODEFER))
        p->signals.blocked |= sig_bit(sig);
    p->signals.blocked &= ~UNBLOCKABLE;
    if (act->flags & A64_SA_RESETHAND)
        memset(act, 0, sizeof(*act));
    return true;
}

static void deliver(struct user_process *p, struct a64_state *s, int sig,
                    const struct a64_siginfo *info)
{
    uint64_t handler = p->signals.action[sig].handler;
    if (handler == A64_SIG_IGN)
        return;
    if (handler == A64_SIG_DFL) {
        if (user_signal_default_is_fatal(sig))
            user_die_with_signal(p, sig);
        return;
    }
    if (!setup_frame(p, s, sig, info))
        user_die_with_signal(p, 11);
}

void user_signals_deliver_pending(struct user_process *p, struct a64_state *s)
{
    for (int sig = 1; sig <= A64_NSIG; sig++) {
        uint64_t deliverable = p->signals.pending & ~p->signals.blocked;
        if (!deliverable)
            return;
        if (!(deliverable & sig_bit(sig)))
            continue;
        p->signals.pending &= ~sig_bit(sig);
        struct a64_siginfo info;
        memset(&info, 0, sizeof(info));
        info.signo = sig;
        info.code = A64_SI_TKILL;
        uint32_t ids[2] = { (uint32_t)getpid(), (uint32_t)getuid() };
        memcpy(&info.addr, ids, sizeof(ids)); /* si_pid, si_uid */
        deliver(p, s, sig, &info);
    }
}

void user_signal_synchronous(struct user_process *p, struct a64_state *s, int sig, int code,
                             uint64_t addr)
{
    struct a64_sigaction *act = &p->signals.action[sig];
    if ((p->signals.blocked & sig_bit(sig)) || act->handler == A64_SIG_IGN ||
        act->handler == A64_SIG_DFL)
        user_die_with_signal(p, sig);
    struct a64_siginfo info;
    memset(&info, 0, sizeof(info));
    info.signo = sig;
    info.code = code;
    info.addr = addr;
    deliver(p, s, sig, &info);
}

/* The FP/SIMD record among the sigcontext's records, as Linux's rt_sigreturn parses
 * them: 16-byte aligned records inside the reserved area, exactly one FPSIMD record
 * of at least its size, ESR records ignored, a zero-sized terminator; any other record
 * (SVE, ZA, extra context: features this CPU does not have) makes the frame invalid.
 * NULL when the frame is invalid. */
static const uint8_t *find_fpsimd_record(const struct a64_sigcontext *sc)
{
    const uint8_t *base = sc->reserved, *fpsimd = NULL;
    size_t limit = sizeof(sc->reserved), offset = 0;
    for (;;) {
        uint32_t head[2];
        if (limit - offset < sizeof(head) || (offset & 15))
            return NULL;
        memcpy(head, base + offset, sizeof(head));
        uint32_t magic = head[0], size = head[1];
        if (limit - offset < size)
            return NULL;
        if (magic == 0)
            return size == 0 ? fpsimd : NULL;
        if (magic == A64_FPSIMD_MAGIC) {
            if (fpsimd || size < sizeof(struct a64_fpsimd_context))
                return NULL;
            fpsimd = base + offset;
        } else if (magic != A64_ESR_MAGIC) {
            return NULL;
        }
        if (size < sizeof(head))
            return NULL;
        offset += size;
    }
}

/* Linux's valid_native_regs: a frame may only return to EL0t with D, A, I, F clear. */
static bool valid_user_pstate(uint64_t pstate)
{
    const uint64_t res0 = 0xffffffff00000000ull | (3ull << 26) | (3ull << 22) | (0xffull << 13) | (1ull << 5);
    return ((pstate & ~res0) & 0x3df) == 0;    /* M[4:0] and DAIF */
}

void user_sigreturn(struct user_process *p, struct a64_state *s)
{
    uint64_t frame = a64_get_sp(s);
    struct a64_rt_sigframe *f = calloc(1, sizeof(*f));
    if (!f || (frame & 15) || guest_copy_from(&p->mem, f, frame, sizeof(*f)) != 0) {
        free(f);
        user_die_with_signal(p, 11);
    }
    const struct a64_sigcontext *sc = &f->uc.uc_mcontext;
    const uint8_t *record = find_fpsimd_record(sc);
    if (!record || !valid_user_pstate(sc->pstate)) {
        /* Linux forces SIGSEGV for a frame it cannot restore (fatal unless handled) */
        free(f);
        user_signal_synchronous(p, s, 11, A64_SEGV_MAPERR, frame);
        return;
    }
    for (unsigned r = 0; r < 31; r++)
        a64_set_x(s, r, sc->regs[r]);
    a64_set_sp(s, sc->sp);
    a64_set_pc(s, sc->pc);
    a64_set_nzcv(s, (uint32_t)sc->pstate & 0xf0000000u);
    struct a64_fpsimd_context fp;
    memcpy(&fp, record, sizeof(fp));
    a64_set_fpsr(s, fp.fpsr);
    a64_set_fpcr(s, fp.fpcr);
    for (unsigned v = 0; v < 32; v++)
        a64_set_v(s, v, &fp.vregs[2 * v]);
    p->signals.blocked = f->uc.uc_sigmask & ~UNBLOCKABLE;
    free(f);
}
