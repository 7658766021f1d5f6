/*
 * fuzz_utf8.c — the UTF-8 checks every boundary uses (utf8.h) on any
 * bytes, against each other: utf8_valid agrees with decoding code point by
 * code point; each decoded code point encodes back to the same bytes;
 * utf8_count counts them; utf8_prefix_bytes never splits one.
 */
#include <string.h>

#include "fuzz.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t i = 0, count = 0;
	bool decodes = true;

	while (i < size) {
		unsigned cp = 0xFFFFFFFFu;
		size_t n = utf8_decode(s + i, size - i, &cp);
		if (n == 0) {
			decodes = false;
			break;
		}
		FUZZ_CHECK(n <= 4 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
		char out[4];
		FUZZ_CHECK(utf8_encode(cp, out) == n && memcmp(out, s + i, n) == 0);
		i += n;
		count++;
	}
	FUZZ_CHECK(utf8_valid(s, size) == decodes);
	if (!decodes)
		return 0;
	FUZZ_CHECK(utf8_count(s, size) == count);
	/* utf8_prefix_bytes reads a C string: cut at the first NUL. */
	char *str = fuzz_string(data, size);
	size_t len = strlen(str);
	for (size_t max = 0; max <= count + 1; max += 1 + max / 4) {
		size_t cut = utf8_prefix_bytes(str, max);
		FUZZ_CHECK(cut <= len && utf8_valid(str, cut));
		FUZZ_CHECK(utf8_count(str, cut) == (max < utf8_count(str, len) ? max : utf8_count(str, len)));
	}
	free(str);
	return 0;
}
