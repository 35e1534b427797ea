/*
 * Well-formed UTF-8 (RFC 3629): what the JSON reader, the form reader and
 * the field rules all need, in a file that depends on nothing of theirs.
 */
#ifndef ACCOUNTS_UTF8_H
#define ACCOUNTS_UTF8_H

#include <stddef.h>

/* Length in bytes (1 to 4) of the well-formed UTF-8 character at the start
 * of s (len bytes available); 0 when the bytes there are not one (stray
 * continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short). */
size_t utf8_char(const char *s, size_t len);

/* 1 when the len bytes of s are well-formed UTF-8 (NUL bytes included). */
int utf8_valid(const char *s, size_t len);

#endif
