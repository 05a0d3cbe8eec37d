/* The subcommands of ferry (selftest, run); main.c dispatches to them. */
#ifndef FERRY_COMMANDS_H
#define FERRY_COMMANDS_H

#include "hypervisor/cli_options.h"

int ferry_selftest_command(const struct ferry_options *options);
int ferry_run_command(const struct ferry_options *options);
int ferry_trace_main(int argc, char **argv); /* argv[0] == "trace" (hypervisor/trace/) */

#endif
