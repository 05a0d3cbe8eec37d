/* Catching the signals that would end a recording run (trace_signals.h). */
#include "hypervisor/trace/trace_signals.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const int caught_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_CAUGHT (sizeof(caught_signals) / sizeof(caught_signals[0]))

static struct sigaction saved[N_CAUGHT];
static bool installed[N_CAUGHT];
static volatile sig_atomic_t caught;
static volatile uint8_t *volatile request;

static void on_signal(int sig)
{
    if (!caught) caught = sig;
    if (request) *request = 1;
}

void trace_signals_catch(volatile uint8_t *exit_request)
{
    request = exit_request;
    struct sigaction action = { 0 };
    action.sa_handler = on_signal;
    /* once: a second signal has its default action at once (a guest that never comes
     * back to the runner, or a recorder that hangs, cannot hold the process) */
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < N_CAUGHT; i++) {
        if (installed[i]) continue;
        struct sigaction old;
        /* a signal the parent had ignored (nohup, a background job) stays ignored */
        if (sigaction(caught_signals[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN) continue;
        installed[i] = sigaction(caught_signals[i], &action, &saved[i]) == 0;
    }
}

int trace_signals_caught(void) { return caught; }

void trace_signals_release(void)
{
    for (size_t i = 0; i < N_CAUGHT; i++) {
        if (installed[i]) sigaction(caught_signals[i], &saved[i], NULL);
        installed[i] = false;
    }
    request = NULL;
}

void trace_signals_report(const char *program, int sig)
{
    fprintf(stderr, "%s: %s: the trace is finished, then the run ends\n", program, strsignal(sig));
}
