/*
 * fuzz_keymap.c — the config file's `bind = [CONTEXT] KEY ACTION` lines
 * (keymap.c) and key names (keys.c) on any text: each input line is one
 * bind spec, applied over the built-in keys as the console does at start.
 * Every key name that parses formats back to a name that parses to the
 * same key.
 */
#include <string.h>

#include "actions.h"
#include "fuzz.h"
#include "keys.h"

/* The key-name round trip for each word of the spec. */
static void check_names(const char *spec)
{
	char word[64], name[64];

	for (const char *p = spec; sscanf(p, "%63s", word) == 1;) {
		int k = key_parse(word);
		if (k >= 0) {
			key_format(k, name, sizeof name);
			FUZZ_CHECK(key_parse(name) == k);
		}
		p = strstr(p, word) + strlen(word);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keymap km[KC_COUNT];
	struct config_bind binds[16];
	struct config cfg = {.binds = binds};
	char *text = fuzz_string(data, size);
	struct errbuf err;

	for (char *line = text, *next; line && cfg.nbinds < 16; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		check_names(line);
		binds[cfg.nbinds] = (struct config_bind){line, (unsigned)cfg.nbinds + 1};
		cfg.nbinds++;
	}
	if (!keymap_init(km, &cfg, &err))
		FUZZ_CHECK(err.msg[0] != '\0');
	free(text);
	return 0;
}
