/* Chooses the platform implementation once at boot. */
#include "platform.h"
#include <ferry/abi.h>

const struct platform_ops *platform = &platform_hw_ops;

int64_t platform_select(uint32_t kvm_flavour)
{
    bool known = true;
    if (kvm_flavour == FERRY_KVM_PVLITE)
        platform = &platform_pvlite_ops;
    else if (kvm_flavour == FERRY_KVM_HARDWARE)
        platform = &platform_hw_ops;
    else
        known = false;
    int64_t result = platform->init();
    return known ? result : PLATFORM_UNKNOWN_FLAVOUR;
}
