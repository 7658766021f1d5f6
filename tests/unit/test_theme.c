/*
 * test_theme.c — theme files: every built-in theme parses and names every
 * element, errors name file:line, and a theme can never leave an element
 * without attributes (it falls back to mono).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "theme.h"

static void builtins_are_complete(void **state)
{
	struct theme t;
	struct errbuf err;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; theme_builtin_names[i]; i++, n++) {
		const char *name = theme_builtin_names[i];
		assert_true(theme_parse(&t, theme_builtin(name), name, &err));
		/* Each built-in theme sets every element itself. */
		for (int e = 0; e < EL_COUNT; e++) {
			if (!t.el[e].set)
				fail_msg("theme %s does not set %s", name, element_name(e));
		}
	}
	assert_int_equal(n, 4);
	assert_non_null(theme_builtin("mono"));
	assert_null(theme_builtin("nope"));
}

static void parses_colours_and_attributes(void **state)
{
	struct theme t;
	struct errbuf err;

	(void)state;
	assert_true(theme_parse(&t, "# comment\n\nrow.selected = bright-red color200 bold reverse\n"
				    "  waiting=default blue  \n", "x", &err));
	assert_true(t.el[EL_ROW_SELECTED].set);
	assert_int_equal(t.el[EL_ROW_SELECTED].fg, 9);
	assert_int_equal(t.el[EL_ROW_SELECTED].bg, 200);
	assert_int_equal(t.el[EL_ROW_SELECTED].attrs, THEME_BOLD | THEME_REVERSE);
	assert_int_equal(t.el[EL_WAITING].fg, -1);
	assert_int_equal(t.el[EL_WAITING].bg, 4);
	assert_false(t.el[EL_ROW].set);
}

static void errors_name_the_line(void **state)
{
	struct theme t;
	struct errbuf err;

	(void)state;
	assert_false(theme_parse(&t, "row = red black\nrow.selekted = red black\n", "my.theme", &err));
	assert_string_equal(err.msg, "my.theme:2: unknown element \"row.selekted\"");
	assert_false(theme_parse(&t, "\n\nrow = reddish black\n", "my.theme", &err));
	assert_non_null(strstr(err.msg, "my.theme:3: \"reddish\" is not a colour"));
	assert_false(theme_parse(&t, "row = red black blink\n", "t", &err));
	assert_non_null(strstr(err.msg, "t:1: \"blink\" is not an attribute"));
	assert_false(theme_parse(&t, "row = red\n", "t", &err));
	assert_false(theme_parse(&t, "row red black\n", "t", &err));
	assert_false(theme_parse(&t, "row = color256 black\n", "t", &err));
}

static void load_falls_back_to_mono(void **state)
{
	struct theme t;
	struct errbuf err;
	char dir[] = "/tmp/handoff-theme-XXXXXX", path[256];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/handoff", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/handoff/themes", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/handoff/themes/mine.theme", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("row = green default\n", f);
	fclose(f);
	setenv("XDG_CONFIG_HOME", dir, 1);

	assert_true(theme_load(&t, "mine", &err));
	assert_int_equal(t.el[EL_ROW].fg, 2);
	/* Left out of the user's theme: the mono look, not nothing. */
	assert_true(t.el[EL_ROW_SELECTED].set);
	assert_int_equal(t.el[EL_ROW_SELECTED].attrs, THEME_REVERSE);

	assert_true(theme_load(&t, "light", &err));
	assert_false(theme_load(&t, "nope", &err));
	assert_string_equal(err.msg, "no theme \"nope\" (built in: default, high-contrast, light, mono)");
	assert_false(theme_load(&t, "../etc/passwd", &err));

	unlink(path);
	snprintf(path, sizeof path, "%s/handoff/themes", dir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/handoff", dir);
	rmdir(path);
	rmdir(dir);
}

static void colours_fit_the_terminal(void **state)
{
	(void)state;
	assert_int_equal(theme_color_fit(-1, 8), -1);
	assert_int_equal(theme_color_fit(3, 8), 3);
	assert_int_equal(theme_color_fit(200, 256), 200);
	assert_int_equal(theme_color_fit(9, 8), 1);      /* bright-red: red */
	assert_int_equal(theme_color_fit(196, 8), 1);    /* cube red: red */
	assert_int_equal(theme_color_fit(21, 8), 4);     /* cube blue: blue */
	assert_int_equal(theme_color_fit(226, 8), 3);    /* cube yellow: yellow */
	assert_int_equal(theme_color_fit(16, 8), 0);     /* cube black */
	assert_int_equal(theme_color_fit(242, 8), 0);    /* dark grey: black */
	assert_int_equal(theme_color_fit(254, 8), 7);    /* light grey: white */
	assert_int_equal(theme_color_fit(12, 16), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtins_are_complete),
		cmocka_unit_test(parses_colours_and_attributes),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(load_falls_back_to_mono),
		cmocka_unit_test(colours_fit_the_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
