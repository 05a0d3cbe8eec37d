/* The engine symbol table: collection, sorting and address lookup. */
#include "hypervisor/symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A label with no size is trusted this far past its start at most: beyond that an
 * address is more likely in unnamed code than in the label's function. */
#define UNSIZED_SYMBOL_REACH 0x10000u

bool symbol_table_add(struct symbol_table *table, const char *name, uint64_t address,
                      uint64_t size)
{
    char *copy;
    if (table->count == table->capacity) {
        size_t capacity = table->capacity ? table->capacity * 2 : 256;
        struct symbol *grown = realloc(table->symbols, capacity * sizeof *grown);
        if (!grown)
            return false;
        table->symbols = grown;
        table->capacity = capacity;
    }
    copy = strdup(name);
    if (!copy)
        return false;
    table->symbols[table->count++] = (struct symbol){ address, size, copy };
    table->sorted = false;
    return true;
}

static int compare_symbols(const void *a, const void *b)
{
    const struct symbol *x = a, *y = b;
    if (x->address != y->address)
        return x->address < y->address ? -1 : 1;
    /* Among aliases prefer the sized one, then the shorter (public) name. */
    if ((x->size == 0) != (y->size == 0))
        return x->size == 0 ? 1 : -1;
    return strcmp(x->name, y->name);
}

void symbol_table_finish(struct symbol_table *table)
{
    size_t kept = 0;
    if (table->count)
        qsort(table->symbols, table->count, sizeof table->symbols[0], compare_symbols);
    for (size_t i = 0; i < table->count; i++) {
        if (kept && table->symbols[kept - 1].address == table->symbols[i].address) {
            free(table->symbols[i].name);
            continue;
        }
        table->symbols[kept++] = table->symbols[i];
    }
    table->count = kept;
    table->sorted = true;
}

const struct symbol *symbol_table_lookup(const struct symbol_table *table, uint64_t address,
                                         uint64_t *offset)
{
    size_t low = 0, high = table->count;
    const struct symbol *found;
    uint64_t limit;
    if (!table->sorted || table->count == 0)
        return NULL;
    /* The last symbol at or below the address. */
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (table->symbols[mid].address <= address)
            low = mid + 1;
        else
            high = mid;
    }
    if (low == 0)
        return NULL;
    found = &table->symbols[low - 1];
    if (found->size)
        limit = found->size;
    else if (low < table->count)
        limit = table->symbols[low].address - found->address;
    else
        limit = UNSIZED_SYMBOL_REACH;
    if (!found->size && limit > UNSIZED_SYMBOL_REACH)
        limit = UNSIZED_SYMBOL_REACH;
    if (address - found->address >= limit)
        return NULL;
    if (offset)
        *offset = address - found->address;
    return found;
}

void symbol_table_describe(const struct symbol_table *table, uint64_t address, char *buf,
                           size_t buf_size)
{
    uint64_t offset = 0;
    const struct symbol *symbol = symbol_table_lookup(table, address, &offset);
    if (!symbol)
        snprintf(buf, buf_size, "?");
    else if (offset)
        snprintf(buf, buf_size, "%s+0x%llx", symbol->name, (unsigned long long)offset);
    else
        snprintf(buf, buf_size, "%s", symbol->name);
}

void symbol_table_describe_return(const struct symbol_table *table, uint64_t address,
                                  char *buf, size_t buf_size)
{
    uint64_t offset = 0;
    const struct symbol *symbol = address ? symbol_table_lookup(table, address - 1, &offset) : NULL;
    if (!symbol)
        snprintf(buf, buf_size, "?");
    else
        snprintf(buf, buf_size, "%s+0x%llx", symbol->name, (unsigned long long)offset + 1);
}

void symbol_table_free(struct symbol_table *table)
{
    for (size_t i = 0; i < table->count; i++)
        free(table->symbols[i].name);
    free(table->symbols);
    *table = (struct symbol_table){ 0 };
}
