/*
 * utf8.h — UTF-8 validation, counting, cutting and neutralising.
 *
 * Text from the network is hostile until proven otherwise: these are the
 * checks every boundary uses. "Characters" here are Unicode code points.
 */
#ifndef HANDOFF_UTF8_H
#define HANDOFF_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8: no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence. */
bool utf8_valid(const char *s, size_t len);

/* Number of code points in valid UTF-8 s[0..len). */
size_t utf8_count(const char *s, size_t len);

/* Length in bytes of the longest prefix of valid UTF-8 `s` (NUL-terminated)
 * holding at most `max_chars` code points: cutting there never splits a
 * character. */
size_t utf8_prefix_bytes(const char *s, size_t max_chars);

/* Decode one code point from s[0..len). Returns the number of bytes used
 * (1..4) and stores the code point in *cp; on a malformed sequence returns 0
 * and leaves *cp untouched. */
size_t utf8_decode(const char *s, size_t len, unsigned *cp);

/* Encode `cp` into out (at least 4 bytes); returns bytes written, 0 if cp is
 * not a Unicode scalar value. */
size_t utf8_encode(unsigned cp, char *out);

#endif
