/*
 * keys.c — key names to codes and back (see keys.h).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "utf8.h"

static const struct {
	const char *name;
	int key;
} named[] = {
	/* Enter: ncurses gives '\r' with nonl() (which the screen sets) and
	 * KEY_ENTER from keypads; the screen maps both to '\r'. */
	{"Enter", '\r'},          {"Tab", '\t'},
	{"S-Tab", KEY_FN + KEY_BTAB},      {"Esc", 27},
	{"Space", ' '},           {"Backspace", KEY_FN + KEY_BACKSPACE},
	{"Delete", KEY_FN + KEY_DC},       {"Insert", KEY_FN + KEY_IC},
	{"Up", KEY_FN + KEY_UP},           {"Down", KEY_FN + KEY_DOWN},
	{"Left", KEY_FN + KEY_LEFT},       {"Right", KEY_FN + KEY_RIGHT},
	{"Home", KEY_FN + KEY_HOME},       {"End", KEY_FN + KEY_END},
	{"PgUp", KEY_FN + KEY_PPAGE},      {"PgDn", KEY_FN + KEY_NPAGE},
};

static int parse_plain(const char *name)
{
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (strcmp(name, named[i].name) == 0)
			return named[i].key;
	if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
		int n = name[1] - '0';
		if (name[2] >= '0' && name[2] <= '9' && !name[3])
			n = n * 10 + name[2] - '0';
		else if (name[2])
			return -1;
		return n >= 1 && n <= 12 ? KEY_FN + KEY_F(n) : -1;
	}
	if (name[0] == 'C' && name[1] == '-' && name[2] && !name[3]) {
		char c = name[2];
		if (c >= 'a' && c <= 'z')
			return KEY_CTRL(c);
		if (c >= '@' && c <= '_' && !(c >= 'A' && c <= 'Z'))
			return KEY_CTRL(c);
		return -1;
	}
	/* One printable character, possibly beyond ASCII. */
	unsigned cp;
	size_t n = utf8_decode(name, strlen(name), &cp);
	if (n == 0 || name[n] != '\0' || cp < 0x20 || cp == 0x7f)
		return -1;
	return (int)cp;
}

int key_parse(const char *name)
{
	if (strncmp(name, "M-", 2) == 0 && name[2]) {
		int k = parse_plain(name + 2);
		return k < 0 ? -1 : k + KEY_ALT;
	}
	return parse_plain(name);
}

void key_format(int key, char *out, size_t len)
{
	const char *alt = "";
	char buf[8];

	if (key >= KEY_ALT) {
		alt = "M-";
		key -= KEY_ALT;
	}
	for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
		if (named[i].key == key) {
			snprintf(out, len, "%s%s", alt, named[i].name);
			return;
		}
	}
	if (key >= KEY_FN + KEY_F(1) && key <= KEY_FN + KEY_F(12)) {
		snprintf(out, len, "%sF%d", alt, key - KEY_FN - KEY_F(0));
	} else if (key >= 0 && key < 0x20) {
		snprintf(out, len, "%sC-%c", alt, key == 0 ? '@' : key < 27 ? key + 'a' - 1 : key + '@');
	} else if (key >= 0x20 && key != 0x7f && key < 0x110000 &&
		   utf8_encode((unsigned)key, buf) > 0) {
		buf[utf8_encode((unsigned)key, buf)] = '\0';
		snprintf(out, len, "%s%s", alt, buf);
	} else {
		snprintf(out, len, "%s<%d>", alt, key);
	}
}
