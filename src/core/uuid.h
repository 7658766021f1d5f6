/*
 * uuid.h — the protocol's ids: lowercase UUID v4 strings.
 */
#ifndef HANDOFF_UUID_H
#define HANDOFF_UUID_H

#include <stdbool.h>

#include "errbuf.h"

/* 36 characters, plus the NUL. */
#define UUID_STRLEN 36

/* True for "xxxxxxxx-xxxx-4xxx-Yxxx-xxxxxxxxxxxx": lowercase hex, version
 * nibble 4, variant nibble Y in [89ab]. */
bool uuid_valid(const char *s);

/* A fresh random v4 uuid from getrandom(2) into out[UUID_STRLEN + 1].
 * Returns false (with a message) only if the kernel gives no randomness. */
bool uuid_generate(char out[UUID_STRLEN + 1], struct errbuf *err);

#endif
