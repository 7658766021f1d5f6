/*
 * theme.c — theme files into element attributes (see theme.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "theme.h"

static const char *const element_names[EL_COUNT] = {
	[EL_HEADER] = "header",
	[EL_TAB] = "tab",
	[EL_TAB_ACTIVE] = "tab.active",
	[EL_CONN_LIVE] = "connection.live",
	[EL_CONN_DOWN] = "connection.down",
	[EL_ROW] = "row",
	[EL_ROW_SELECTED] = "row.selected",
	[EL_ROW_DIM] = "row.dim",
	[EL_WAITING] = "waiting",
	[EL_BREACH] = "breach",
	[EL_MINE] = "mine",
	[EL_RULE] = "rule",
	[EL_MSG_CUSTOMER] = "message.customer",
	[EL_MSG_BOT] = "message.bot",
	[EL_MSG_AGENT] = "message.agent",
	[EL_MSG_NOTE] = "message.note",
	[EL_MSG_SYSTEM] = "message.system",
	[EL_MSG_META] = "message.meta",
	[EL_NEUTRALISED] = "neutralised",
	[EL_COMPOSER] = "composer",
	[EL_STATUS] = "status",
	[EL_STATUS_ERROR] = "status.error",
	[EL_FBAR_KEY] = "fbar.key",
	[EL_FBAR_LABEL] = "fbar.label",
	[EL_DIALOG] = "dialog",
	[EL_MATCH] = "match",
};

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{"bold", THEME_BOLD},         {"dim", THEME_DIM},       {"underline", THEME_UNDERLINE},
	{"reverse", THEME_REVERSE},   {"italic", THEME_ITALIC},
};

const char *element_name(enum element e)
{
	return (unsigned)e < EL_COUNT ? element_names[e] : "?";
}

int element_by_name(const char *name)
{
	for (int e = 0; e < EL_COUNT; e++)
		if (strcmp(element_names[e], name) == 0)
			return e;
	return -1;
}

/* "red", "bright-red", "color196", "default" -> -1..255; false if none. */
static bool parse_color(const char *word, short *out)
{
	if (strcmp(word, "default") == 0) {
		*out = -1;
		return true;
	}
	bool bright = strncmp(word, "bright-", 7) == 0;
	const char *base = bright ? word + 7 : word;
	for (short i = 0; i < 8; i++) {
		if (strcmp(base, color_names[i]) == 0) {
			*out = (short)(bright ? i + 8 : i);
			return true;
		}
	}
	if (strncmp(word, "color", 5) == 0 && isdigit((unsigned char)word[5])) {
		char *end;
		long n = strtol(word + 5, &end, 10);
		if (*end == '\0' && n <= 255) {
			*out = (short)n;
			return true;
		}
	}
	return false;
}

static bool parse_attr(const char *word, unsigned *bits)
{
	for (size_t i = 0; i < sizeof attr_names / sizeof *attr_names; i++) {
		if (strcmp(word, attr_names[i].name) == 0) {
			*bits |= attr_names[i].bit;
			return true;
		}
	}
	return false;
}

/* "FG BG ATTR..." of one line. */
static bool parse_value(char *value, struct theme_attr *a, const char *where, struct errbuf *err)
{
	char *save = NULL, *word;
	int n = 0;

	memset(a, 0, sizeof *a);
	for (word = strtok_r(value, " \t", &save); word; word = strtok_r(NULL, " \t", &save), n++) {
		if (n == 0 && !parse_color(word, &a->fg))
			return errbuf_set(err, "%s: \"%s\" is not a colour (red, bright-red, "
					  "color196, default...)", where, word);
		if (n == 1 && !parse_color(word, &a->bg))
			return errbuf_set(err, "%s: \"%s\" is not a colour", where, word);
		if (n >= 2 && !parse_attr(word, &a->attrs))
			return errbuf_set(err, "%s: \"%s\" is not an attribute (bold, dim, "
					  "underline, reverse, italic)", where, word);
	}
	if (n < 2)
		return errbuf_set(err, "%s: expected FOREGROUND BACKGROUND [ATTRIBUTES]", where);
	a->set = true;
	return true;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool theme_parse(struct theme *t, const char *text, const char *source, struct errbuf *err)
{
	char *copy = strdup(text), *save = NULL, *line;
	unsigned lineno = 0;
	bool ok = copy != NULL;

	memset(t, 0, sizeof *t);
	if (!copy)
		return errbuf_set(err, "%s: out of memory", source);
	/* strtok_r would skip empty lines and miscount; split by hand. */
	for (line = copy; ok && line; line = save) {
		char where[256], *eq, *key;
		int e;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		snprintf(where, sizeof where, "%s:%u", source, lineno);
		if (!(eq = strchr(line, '='))) {
			ok = errbuf_set(err, "%s: expected \"element = colours\"", where);
			break;
		}
		*eq = '\0';
		key = trim(line);
		if ((e = element_by_name(key)) < 0) {
			ok = errbuf_set(err, "%s: unknown element \"%s\"", where, key);
			break;
		}
		ok = parse_value(eq + 1, &t->el[e], where, err);
	}
	free(copy);
	return ok;
}

/* Theme names are file names: no path tricks. */
static bool name_ok(const char *name)
{
	if (!*name || strlen(name) > 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

/* The user's theme file text, or NULL when there is none. */
static char *user_theme_text(const char *name, char *path, size_t pathlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *text = NULL;
	FILE *f;

	if (xdg && *xdg)
		snprintf(path, pathlen, "%s/handoff/themes/%s.theme", xdg, name);
	else if (home && *home)
		snprintf(path, pathlen, "%s/.config/handoff/themes/%s.theme", home, name);
	else
		return NULL;
	if (!(f = fopen(path, "r")))
		return NULL;
	/* A theme is a few dozen lines; 64 KiB is plenty and bounds a mistake. */
	size_t cap = 64 * 1024, n;
	if ((text = malloc(cap + 1))) {
		n = fread(text, 1, cap, f);
		text[n] = '\0';
	}
	fclose(f);
	return text;
}

static void names_list(char *out, size_t len)
{
	size_t k = 0;

	out[0] = '\0';
	for (size_t i = 0; theme_builtin_names[i] && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s%s", i ? ", " : "",
				      theme_builtin_names[i]);
}

bool theme_load(struct theme *t, const char *name, struct errbuf *err)
{
	struct theme over;
	char path[1024], names[256];
	char *user;
	bool ok;

	if (!name_ok(name))
		return errbuf_set(err, "theme \"%s\": a theme name is letters, digits, - and _",
				  name);
	if (!theme_parse(t, theme_builtin("mono"), "mono.theme", err))
		return false;
	if ((user = user_theme_text(name, path, sizeof path))) {
		ok = theme_parse(&over, user, path, err);
		free(user);
	} else if (theme_builtin(name)) {
		snprintf(path, sizeof path, "%s.theme", name);
		ok = theme_parse(&over, theme_builtin(name), path, err);
	} else {
		names_list(names, sizeof names);
		return errbuf_set(err, "no theme \"%s\" (built in: %s)", name, names);
	}
	for (int e = 0; ok && e < EL_COUNT; e++)
		if (over.el[e].set)
			t->el[e] = over.el[e];
	return ok;
}

/* The 8 basic colours as 0/1 per channel: black=0, red=1 (r), green=2 (g),
 * yellow=3 (rg), blue=4 (b)... the bits are the channels. */
short theme_color_fit(short color, int ncolors)
{
	if (color < 0 || color < ncolors)
		return color;
	if (color < 16)
		return (short)(color - 8);
	if (color < 232) {
		int v = color - 16, r = v / 36, g = (v / 6) % 6, b = v % 6;
		/* A channel counts as on from the middle of its range. */
		return (short)((r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0));
	}
	return color < 244 ? 0 : 7;
}
