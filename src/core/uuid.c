/*
 * uuid.c — the protocol's ids: lowercase UUID v4 strings (RFC 4122).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "uuid.h"

static bool is_dash_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool uuid_valid(const char *s)
{
	size_t i;

	/* Walk the positions instead of calling strlen first: a mismatch stops
	 * the scan, so a short string is never read past its terminator. */
	for (i = 0; i < UUID_STRLEN; i++) {
		if (is_dash_at(i) ? s[i] != '-' : !is_lower_hex(s[i]))
			return false;
	}
	if (s[UUID_STRLEN] != '\0')
		return false;
	return s[14] == '4' &&
	       (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

/* Fill buf with n random bytes. getrandom may return fewer bytes than asked
 * or be interrupted by a signal, so loop until it is all there. */
static bool fill_random(unsigned char *buf, size_t n, struct errbuf *err)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errbuf_set(err, "cannot make an id: getrandom: %s",
					  strerror(errno));
		}
		got += (size_t)r;
	}
	return true;
}

bool uuid_generate(char out[UUID_STRLEN + 1], struct errbuf *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t i, o = 0;

	if (!fill_random(b, sizeof b, err))
		return false;
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* variant 10xx */
	for (i = 0; i < sizeof b; i++) {
		if (is_dash_at(o))
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0F];
	}
	out[o] = '\0';
	return true;
}
