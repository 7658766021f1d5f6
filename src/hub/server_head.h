/*
 * server_head.h — reading the header values of a request: bearer tokens,
 * content types, sequence numbers. Pure string work, no lws: the server
 * copies the headers out and asks these.
 */
#ifndef HANDOFF_HUB_SERVER_HEAD_H
#define HANDOFF_HUB_SERVER_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The token of "Bearer <token>" (scheme case-insensitive, surrounding
 * blanks ignored) into out[outlen]; false when the header is something
 * else, the token is empty, or it does not fit. */
bool head_bearer_token(const char *authorization, char *out, size_t outlen);

/* "application/json", any case, with optional parameters; a charset
 * parameter, if any, must be utf-8. */
bool head_content_type_is_json(const char *content_type);

/* A non-negative decimal integer that fits int64_t, nothing else (no sign,
 * no blanks): Content-Length, ?since=. */
bool head_parse_uint(const char *s, int64_t *out);

#endif
