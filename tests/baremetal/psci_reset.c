/* PSCI SYSTEM_RESET: QEMU run with -no-reboot exits (status 0) instead of rebooting;
 * ferry exits with its documented reset status (run.sh: FERRY_RESET_STATUS). Nothing
 * may be printed after the call. */
#include "rt.h"

int main(void)
{
    printf("SYSTEM_RESET now\n");
    psci_reset();
}
