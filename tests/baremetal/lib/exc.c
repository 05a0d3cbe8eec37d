/* Exception dispatch: the EL0 exit SVC, per-kind handlers set by a test, the
 * catch-and-record mode most checks use, and a loud default for anything unexpected. */
#include "rt.h"

extern char el0_return[];

volatile struct exc_record exc_last;
static exc_handler_t handlers[4];
static volatile int catch_mode = -1;

void exc_set_handler(int kind, exc_handler_t h)
{
    handlers[kind & 3] = h;
}

void exc_catch(enum exc_resume how)
{
    exc_last.taken = 0;
    exc_last.esr = exc_last.far = exc_last.elr = exc_last.spsr = 0;
    exc_last.vec = -1;
    barrier();
    catch_mode = how;
}

void exc_uncatch(void)
{
    catch_mode = -1;
    barrier();
}

static const char *kind_names[4] = { "sync", "irq", "fiq", "serror" };

void exc_dispatch(struct exc_frame *f, int vec)
{
    int kind = VEC_KIND(vec);
    if (kind == VEC_SYNC && VEC_GROUP(vec) == 2 && ESR_EC(f->esr) == 0x15 &&
        (f->esr & 0xffff) == EL0_EXIT_IMM) {
        f->elr = (uint64_t)el0_return;
        f->spsr = 0x3c5;   /* EL1h, DAIF masked; el0_return restores the caller's DAIF */
        return;
    }
    if (handlers[kind]) {
        handlers[kind](f, vec);
        return;
    }
    if (kind == VEC_SYNC && catch_mode >= 0) {
        exc_last.taken++;
        exc_last.vec = vec;
        exc_last.esr = f->esr;
        exc_last.far = f->far;
        exc_last.elr = f->elr;
        exc_last.spsr = f->spsr;
        unsigned ec = ESR_EC(f->esr);
        /* SVC/HVC/SMC taken as calls already return past the instruction. */
        if (catch_mode == EXC_RET_LR)
            f->elr = f->x[30];
        else if (ec != 0x15 && ec != 0x16 && ec != 0x17)
            f->elr += 4;
        return;
    }
    printf("FAIL: unexpected %s exception (vector 0x%x): ESR=0x%lx ELR=0x%lx FAR=0x%lx "
           "SPSR=0x%lx\n", kind_names[kind], vec * 0x80, f->esr, f->elr, f->far, f->spsr);
    psci_off();
}
