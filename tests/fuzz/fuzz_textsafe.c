/*
 * fuzz_textsafe.c — textsafe_dup (what makes customer text safe for a
 * terminal) on any bytes: the copy is valid UTF-8 with no control
 * character, no C1 control, no bidi or invisible format character left
 * (only '\n' when asked to keep newlines), and it never shrinks the text.
 */
#include <string.h>

#include "fuzz.h"
#include "textsafe.h"
#include "utf8.h"

/* What must never reach the terminal (textsafe.h). */
static int forbidden(unsigned cp, unsigned flags)
{
	if (cp == '\n')
		return !(flags & TEXTSAFE_KEEP_NEWLINES);
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & 1 ? TEXTSAFE_KEEP_NEWLINES : 0;
	const char *s = (const char *)data + 1;
	size_t len = size - 1;
	char *safe = textsafe_dup(s, len, flags);
	FUZZ_CHECK(safe != NULL);
	size_t n = strlen(safe);
	FUZZ_CHECK(utf8_valid(safe, n));
	FUZZ_CHECK(n >= len); /* every byte is kept or spelled out, NUL too */
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t k = utf8_decode(safe + i, n - i, &cp);
		FUZZ_CHECK(k > 0 && !forbidden(cp, flags));
		i += k;
	}
	/* Safe text is left as it is. */
	char *again = textsafe_dup(safe, n, flags);
	FUZZ_CHECK(again != NULL && strcmp(again, safe) == 0);
	free(again);
	free(safe);
	return 0;
}
