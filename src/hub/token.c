/*
 * token.c — bearer tokens: making them and hashing them (see token.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "token.h"

#define TOKEN_PREFIX "hot_"
#define TOKEN_BYTES  32

static void hex_encode(const unsigned char *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

bool token_hash(const char *token, char out[TOKEN_HASH_HEXLEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL) ||
	    len != TOKEN_HASH_HEXLEN / 2)
		return false;
	hex_encode(md, len, out);
	return true;
}

bool token_new(char token[TOKEN_STRLEN + 1], char hash[TOKEN_HASH_HEXLEN + 1],
	       struct errbuf *err)
{
	unsigned char b[TOKEN_BYTES];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t r = getrandom(b + got, sizeof b - got, 0);
		if (r < 0 && errno != EINTR)
			return errbuf_set(err, "cannot make a token: getrandom: %s", strerror(errno));
		if (r > 0)
			got += (size_t)r;
	}
	memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
	hex_encode(b, sizeof b, token + sizeof TOKEN_PREFIX - 1);
	return token_hash(token, hash) || errbuf_set(err, "cannot hash the token");
}
