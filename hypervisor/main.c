/* ferry: the host program. Parses the command line and hands over to a command. */
#include <stdio.h>
#include <stdlib.h>

#include "ferry/abi.h"
#include "hypervisor/cli_options.h"
#include "hypervisor/commands.h"
#include "hypervisor/trace/trace_args.h"
#include "hypervisor/user/user.h"

#define EXIT_USAGE 2

int main(int argc, char **argv)
{
    struct ferry_options options;
    char err[512];
    if (argc > 1 && __builtin_strcmp(argv[1], "trace") == 0) return ferry_trace_main(argc - 1, argv + 1);
    if (ferry_parse_options(argc, argv, getenv("FERRY_KVM_DEVICE"), &options, err,
                            sizeof err) != 0) {
        fprintf(stderr, "ferry: %s\n", err);
        return EXIT_USAGE;
    }
    options.trace_options.command_line = trace_command_line(argc - 1, argv + 1);
    switch (options.command) {
    case FERRY_CMD_HELP:
        fputs(ferry_usage_text, stdout);
        return 0;
    case FERRY_CMD_VERSION:
        printf("ferry %s (host/engine ABI %u)\n", FERRY_VERSION, FERRY_ABI_VERSION);
        return 0;
    case FERRY_CMD_SELFTEST:
        return ferry_selftest_command(&options);
    case FERRY_CMD_RUN:
        return ferry_run_command(&options);
    case FERRY_CMD_USER:
        return ferry_user_main(argc - options.user_argi, argv + options.user_argi);
    }
    return EXIT_USAGE;
}
