/* Small x86-64 instruction wrappers that are safe on both KVM flavours (no privileged
 * instructions here: those live in platform_hw.c), and the engine's symbols for its
 * own image layout (from engine.ld). */
#ifndef ENGINE_CPU_H
#define ENGINE_CPU_H

#include <stdint.h>
#include <ferry/abi.h>

static inline uint64_t cpu_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* rdtsc that waits for earlier instructions, so a timed region cannot start early. */
static inline uint64_t cpu_rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_pause(void)
{
    __asm__ volatile("pause");
}

static inline void cpu_outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

static inline void cpu_outl(uint16_t port, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

/* VM-physical address <-> engine virtual address through the direct map. */
static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(FERRY_DIRECT_MAP_BASE + phys);
}

static inline uint64_t virt_to_phys_direct(const void *virt)
{
    return (uint64_t)(uintptr_t)virt - FERRY_DIRECT_MAP_BASE;
}

/* Physical address of something inside the engine image (linked at FERRY_IMAGE_BASE
 * + physical). */
static inline uint64_t image_virt_to_phys(const void *virt)
{
    return (uint64_t)(uintptr_t)virt - FERRY_IMAGE_BASE;
}

/* Image layout, defined by engine.ld. */
extern char __image_start[], __text_end[], __rodata_end[], __image_end[];
extern char boot_stack_bottom[], boot_stack_top[], boot_stack_guard[];
extern char double_fault_stack_bottom[], double_fault_stack_top[];

#endif
