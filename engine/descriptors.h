/* The engine's own GDT, TSS and IDT. Selectors match the ones the host enters the
 * engine with (code 0x10, data 0x18, as in the pv-lite recipe), so switching to these
 * tables never needs a segment reload on pv-lite. */
#ifndef ENGINE_DESCRIPTORS_H
#define ENGINE_DESCRIPTORS_H

#define GDT_KERNEL_CODE 0x10
#define GDT_KERNEL_DATA 0x18
#define GDT_TSS         0x30

/* IST slot (1-based, as in the IDT gate) whose stack takes double faults, so a stack
 * overflow into the guard page still produces a report. */
#define IST_DOUBLE_FAULT 1

#ifndef __ASSEMBLER__
/* Builds GDT, TSS and IDT and loads them through the platform layer. */
void descriptors_init(void);
#endif

#endif
