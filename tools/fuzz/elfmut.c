#include "tools/fuzz/fuzz.h"
void campaign_elf(struct table *t) { (void)t; }
