/* Ctrl-C, kill and hang-up while a trace is recorded. Their default action would end
 * the process with the newest instructions still in the recorder's buffers and no end
 * record, which is exactly the trace a user of a hung guest needs. While caught, such a
 * signal is only noted (and translated code asked to return); the run loop then finishes
 * the file and ends the run as the signal would have. */
#ifndef FERRY_TRACE_SIGNALS_H
#define FERRY_TRACE_SIGNALS_H

#include <stdint.h>

/* Catches SIGINT, SIGTERM and SIGHUP (those not ignored) until trace_signals_release,
 * each once: a second one has its default action. exit_request (a JIT's, or NULL) is
 * set to 1 when one arrives. Without SA_RESTART: a blocking host call returns EINTR, so
 * a guest waiting in one is stopped too. */
void trace_signals_catch(volatile uint8_t *exit_request);
/* The number of the first caught signal, or 0. */
int trace_signals_caught(void);
/* Back to the dispositions before trace_signals_catch (a signal caught stays noted). */
void trace_signals_release(void);
/* The line a run prints on stderr when it stops for caught signal sig, its trace
 * finished ("PROGRAM: Terminated: the trace is finished, then the run ends"). */
void trace_signals_report(const char *program, int sig);

#endif
