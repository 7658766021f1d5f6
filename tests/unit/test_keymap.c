/*
 * test_keymap.c — the key tables of every context: each default names an
 * action that exists, each action is reachable by a key, each function bar
 * names labelled actions, and bind lines reach every context.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "actions.h"
#include "keys.h"

static struct keymap km[KC_COUNT];

static void defaults_name_real_actions(void **state)
{
	struct errbuf err;

	(void)state;
	/* A misspelt default is an error now, not a key skipped in silence. */
	if (!keymap_init(km, NULL, &err))
		fail_msg("the built-in keys: %s", err.msg);
}

static void every_action_has_a_key(void **state)
{
	struct errbuf err;

	(void)state;
	assert_true(keymap_init(km, NULL, &err));
	for (int kc = 0; kc < KC_COUNT; kc++) {
		const struct key_context_def *d = &key_contexts[kc];
		assert_non_null(d->name);
		for (size_t i = 0; i < *d->nactions; i++) {
			const struct action *a = &d->actions[i];
			if (keymap_key_of(&km[kc], a) < 0)
				fail_msg("%s: no key reaches \"%s\"", d->name, a->name);
			assert_non_null(a->help);
			assert_non_null(a->run);
			assert_ptr_equal(action_find((enum key_context)kc, a->name), a);
		}
	}
}

static void bars_name_labelled_actions(void **state)
{
	(void)state;
	for (int kc = 0; kc < KC_COUNT; kc++) {
		const struct key_context_def *d = &key_contexts[kc];
		for (int w = 0; w < 2; w++) {
			for (size_t i = 0; d->bar[w] && d->bar[w][i]; i++) {
				const struct action *a = action_find((enum key_context)kc,
								     d->bar[w][i]);
				if (!a || !a->label)
					fail_msg("%s: bar names \"%s\", not a labelled action",
						 d->name, d->bar[w][i]);
			}
		}
	}
	/* The list and the thread show different keys. */
	assert_non_null(key_contexts[KC_MAIN].bar[0]);
	assert_non_null(key_contexts[KC_MAIN].bar[1]);
	assert_string_not_equal(key_contexts[KC_MAIN].bar[0][1], key_contexts[KC_MAIN].bar[1][1]);
}

static bool bind(const char *spec, struct errbuf *err)
{
	struct config_bind b = {(char *)spec, 7};
	struct config cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.file = (char *)"handoff.conf";
	cfg.binds = &b;
	cfg.nbinds = 1;
	return keymap_init(km, &cfg, err);
}

static void binds_reach_every_context(void **state)
{
	struct errbuf err;

	(void)state;
	/* Two words: the list and the thread, as always. */
	assert_true(bind("x takeover", &err));
	assert_string_equal(keymap_lookup(&km[KC_MAIN], 'x')->name, "takeover");
	assert_null(keymap_lookup(&km[KC_COMPOSER], 'x'));

	/* Three: the context first. */
	assert_true(bind("composer C-s send", &err));
	assert_string_equal(keymap_lookup(&km[KC_COMPOSER], KEY_CTRL('s'))->name, "send");
	assert_null(keymap_lookup(&km[KC_MAIN], KEY_CTRL('s')));
	assert_true(bind("confirm j yes", &err));
	assert_string_equal(keymap_lookup(&km[KC_CONFIRM], 'j')->name, "yes");
	assert_true(bind("edit C-b left", &err));
	assert_string_equal(keymap_lookup(&km[KC_EDIT], KEY_CTRL('b'))->name, "left");
	assert_true(bind("composer Esc none", &err));
	assert_null(keymap_lookup(&km[KC_COMPOSER], 27));
	assert_non_null(keymap_lookup(&km[KC_MAIN], 27));

	assert_false(bind("nowhere j down", &err));
	assert_non_null(strstr(err.msg, "handoff.conf:7"));
	assert_non_null(strstr(err.msg, "no key context \"nowhere\""));
	assert_false(bind("composer j takeover", &err));
	assert_non_null(strstr(err.msg, "no action \"takeover\" in composer"));
	assert_false(bind("a b c d", &err));
}

static void names_the_key_in_effect(void **state)
{
	struct errbuf err;
	char out[32];

	(void)state;
	assert_true(keymap_init(km, NULL, &err));
	assert_string_equal(keymap_name(km, KC_MAIN, "takeover", out, sizeof out), "t");
	keymap_keys_of(&km[KC_MAIN], action_find(KC_MAIN, "help"), out, sizeof out);
	assert_string_equal(out, "? F1");
	assert_true(bind("t none", &err));
	assert_string_equal(keymap_name(km, KC_MAIN, "takeover", out, sizeof out), "(unbound)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_name_real_actions),
		cmocka_unit_test(every_action_has_a_key),
		cmocka_unit_test(bars_name_labelled_actions),
		cmocka_unit_test(binds_reach_every_context),
		cmocka_unit_test(names_the_key_in_effect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
