/*
 * Well-formed UTF-8 as glibc's iconv sees it (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF): an oracle independent of the
 * module's own check, to hold what the module accepts against.
 */
#ifndef ACCOUNTS_FUZZ_UTF8_H
#define ACCOUNTS_FUZZ_UTF8_H

#include <stddef.h>

/* 1 when the len bytes at s are well-formed UTF-8 (NUL bytes included). */
int fuzz_utf8_valid(const char *s, size_t len);

#endif
