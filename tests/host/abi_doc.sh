#!/usr/bin/env bash
# docs/abi.md must match include/ferry/abi.h: every FERRY_* constant appears in the
# document with the header's value (table row "`NAME` | `VALUE`"), and every field of
# every structure is named. Usage: abi_doc.sh HEADER DOC
set -u
header=$1; doc=$2
. "$(dirname "$0")/testlib.sh"
# Like expect_grep, without echoing the whole document on failure.
documented() { # WHAT TEXT
    if grep -qF -- "$2" "$doc"; then pass "$1"; else fail "$1: docs/abi.md lacks '$2'"; fi
}
# #define NAME VALUE (value = first token after the name; multi-line ones by name only)
while read -r name value; do
    case "$value" in
        "("*[!\)]|"") documented "define $name" "\`$name\`" ;; # value continues
        *) documented "define $name" "\`$name\` | \`$value\`" ;;
    esac
done < <(sed -n 's/^#define \(FERRY_[A-Z0-9_]*\)  *\(([^)]*)\|"[^"]*"\|[^ ]*\).*/\1 \2/p' "$header" | grep -v '_H$')
# enum constants: NAME = VALUE,
while read -r name value; do
    documented "enum $name" "\`$name\` | \`$value\`"
done < <(sed -n 's/^ *\(FERRY_[A-Z0-9_]*\) *= *\([0-9]*\),.*/\1 \2/p' "$header")
# struct fields: "type name;" or "type name[SIZE];" or "type a, b, c;" inside structs
while read -r field; do
    if grep -qF -- "\`$field\`" "$doc" || grep -qF -- "\`$field[" "$doc" ||
       grep -qF -- " $field[" "$doc"; then pass "field $field"
    else fail "field $field: docs/abi.md does not name it"; fi
done < <(awk '/^struct [a-z_]* \{/{s=1;next} /^\};/{s=0} s' "$header" \
         | sed 's@/\*.*@@; s/^ *\(volatile \)\?[a-z0-9_]* *\(struct [a-z_]* \)\?//; s/\[[^]]*\]//g; s/;.*//' \
         | tr ',' '\n' | sed 's/ //g' | grep -v '^$' | grep -v '^pad0$' | sort -u)
finish
