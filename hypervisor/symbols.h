/* A sorted table of the engine's function symbols, for turning the addresses in a
 * fatal report (RIP, backtrace) into "name+0xoffset". Filled by the ELF loader. */
#ifndef FERRY_SYMBOLS_H
#define FERRY_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symbol {
    uint64_t address;
    uint64_t size;    /* 0: unknown (assembly labels); then it extends to the next symbol */
    char *name;
};

struct symbol_table {
    struct symbol *symbols;
    size_t count, capacity;
    bool sorted;
};

/* Copies name. Returns false when out of memory. */
bool symbol_table_add(struct symbol_table *table, const char *name, uint64_t address,
                      uint64_t size);
/* Sorts and removes duplicates; called once after the last add. */
void symbol_table_finish(struct symbol_table *table);
/* The symbol containing address, and the offset into it; NULL if none does. */
const struct symbol *symbol_table_lookup(const struct symbol_table *table, uint64_t address,
                                         uint64_t *offset);
/* Writes "name+0xoff" (or "?" when unknown) into buf. */
void symbol_table_describe(const struct symbol_table *table, uint64_t address, char *buf,
                           size_t buf_size);
/* The same for a return address (a backtrace entry): the function is the one holding
 * address - 1, the call instruction, because a call to a noreturn function can be the
 * last instruction of its caller, whose return address is then the next function's
 * first byte. The offset printed is still that of the return address itself. */
void symbol_table_describe_return(const struct symbol_table *table, uint64_t address,
                                  char *buf, size_t buf_size);
void symbol_table_free(struct symbol_table *table);

#endif
