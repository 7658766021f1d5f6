/*
 * token.h — the hub's bearer tokens, made and hashed the same way by both
 * back ends (db_accounts.c, pg/pg_accounts.c), so a token made on one is
 * recognised on the other.
 *
 * A token is shown once, when its account is made; a database keeps only
 * its SHA-256, so a copy of the database does not let anyone in. Tokens
 * carry 256 random bits, so a plain (unsalted, fast) hash is enough: there
 * is nothing to guess.
 */
#ifndef HANDOFF_HUB_TOKEN_H
#define HANDOFF_HUB_TOKEN_H

#include <stdbool.h>

#include "errbuf.h"

/* Tokens: 32 random bytes as 64 lowercase hex digits, prefixed "hot_". */
#define TOKEN_STRLEN 68

/* A token's SHA-256 as lowercase hex digits: what a database stores. */
#define TOKEN_HASH_HEXLEN 64

/* A fresh token from getrandom(2) into token[TOKEN_STRLEN + 1], and its
 * token_hash into hash: what an account about to be stored needs. */
bool token_new(char token[TOKEN_STRLEN + 1], char hash[TOKEN_HASH_HEXLEN + 1],
	       struct errbuf *err);

/* The SHA-256 of the whole token (any string) into out. The same work
 * whatever the token, so timing tells nothing about which tokens exist. */
bool token_hash(const char *token, char out[TOKEN_HASH_HEXLEN + 1]);

#endif
