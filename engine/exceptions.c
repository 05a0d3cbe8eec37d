/* Exception dispatcher: a not-present page fault inside the engine's lazily mapped
 * region gets a fresh zeroed page and the instruction is retried; every other
 * exception is an engine bug and becomes a fatal report to the host. */
#include "exceptions.h"
#include "fatal.h"
#include "paging.h"
#include "platform.h"

struct exception_counters exception_counters;
static uint64_t last_spurious_address = ~0ull;

void exception_dispatch(struct exception_frame *frame)
{
    if (frame->vector == EXC_PAGE_FAULT) {
        /* Read the address before anything else can fault and overwrite it. */
        uint64_t address = platform->fault_address();
        if (!(frame->error_code & (PF_ERR_PRESENT | PF_ERR_FETCH)) && lazy_region_contains(address)) {
            enum lazy_fault_result r = paging_service_lazy_fault(address);
            if (r == LAZY_FAULT_MAPPED) {
                exception_counters.lazy_faults++;
                last_spurious_address = ~0ull;
                return;
            }
            /* One stale translation is possible; the same one twice after a flush means
             * the mapping is not taking effect, and retrying would loop forever. */
            if (r == LAZY_FAULT_SPURIOUS && address != last_spurious_address) {
                exception_counters.spurious_faults++;
                last_spurious_address = address;
                return;
            }
            fatal_exception(frame, address,
                            r == LAZY_FAULT_NO_MEMORY ? "out of memory servicing a lazy-region page fault"
                                                      : "repeated fault on a mapped lazy-region page");
        }
        fatal_exception(frame, address, "unexpected page fault");
    }
    fatal_exception(frame, 0, "unexpected exception");
}
