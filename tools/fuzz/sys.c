#include "tools/fuzz/fuzz.h"
void campaign_sys(struct table *t) { (void)t; }
