/*
 * settings.h (struct config) — where the console connects and as whom.
 *
 * Each setting comes from, in order of precedence: the command line, the
 * environment (HANDOFF_SERVER, HANDOFF_TOKEN), the config file
 * ($XDG_CONFIG_HOME/handoff/config, else ~/.config/handoff/config), the
 * defaults. The config file is `key = value` lines; `#` starts a comment
 * line; keys are server, token_file, theme, bind, bell, title, notify_assigned,
 * notify_answer, notify_escalation and `view NAME` (a saved view: NAME = a
 * view spec, viewspec.h); any other key is an
 * error naming file:line, so a typo does not silently fall back to a
 * default. A key given twice: the later line wins. A relative token_file
 * in the file is relative to the file's directory.
 *
 * The token never goes in the config file (it is often shared or kept in
 * dotfile repositories) and never reaches a log or the screen: describe the
 * config with config_describe, which names the token's source only.
 */
#ifndef HANDOFF_SETTINGS_H
#define HANDOFF_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"
#include "viewspec.h"

#define CONFIG_DEFAULT_SERVER "http://127.0.0.1:8470"
#define CONFIG_DEFAULT_THEME "default"

/* What the command line said; NULL fields were not given. */
struct config_args {
	const char *server;	/* --server URL */
	const char *token_file;	/* --token-file FILE */
	const char *theme;	/* --theme NAME */
	bool insecure;		/* --insecure */
};

enum config_source { CONFIG_FROM_DEFAULT, CONFIG_FROM_FILE, CONFIG_FROM_ENV, CONFIG_FROM_CLI };

/* A `bind = ...` line, kept verbatim for the key-binding code, which will
 * report its own errors as file:line. */
struct config_bind {
	char *spec;
	unsigned line;
};

/* A `view NAME = spec` line: a saved view, a tab of the console. */
struct config_view {
	char name[VIEW_NAME_MAX + 1];
	struct view_spec spec;
};

struct config {
	char *server;		/* validated, no trailing slash */
	char *token;		/* NULL when none was found; never log it */
	char *token_file;	/* where the token was read, else NULL */
	char *theme;
	bool insecure;		/* skip TLS certificate checks; command line only */
	bool bell, title;	/* the console's bell and window title with a
				 * notification: `bell = off`, `title = off` */
	/* Which news notify (a notice line, and the bell and title as above):
	 * a chat assigned to the agent, the customer writing in a chat the
	 * agent holds, a new escalation. `notify_answer = off`... */
	bool notify_assigned, notify_answer, notify_escalation;
	/* Seconds without a key after which the console tells the hub the
	 * agent is away (v1.1), until the next key; 0 (the default): never.
	 * Written in minutes, or seconds with an `s`: `away_after = 10`,
	 * `away_after = 90s`. */
	unsigned away_after_s;
	char *file;		/* the config file looked at, NULL without a HOME */
	bool file_found;
	struct config_bind *binds;
	size_t nbinds;
	struct config_view views[VIEW_SAVED_MAX]; /* in the file's order */
	size_t nviews;
	enum config_source server_from, token_from, theme_from;
	char *home;		/* $HOME, to show paths as ~/...; may be NULL */
};

/* Resolve the configuration into `c`. `envp` is a NULL-terminated
 * "NAME=value" array (tests), or NULL for the real environment. An empty
 * variable counts as unset.
 *
 * The token comes from --token-file, else HANDOFF_TOKEN, else token_file in
 * the config file, else ~/.config/handoff/token if that exists; finding
 * none is not an error (c->token is NULL: `handoff --demo` needs none). A
 * token file must be a regular file that group and others cannot read or
 * write, as ssh demands of private keys; its first line, trimmed, is the
 * token. On failure `c` is zeroed and `err` says what to fix. */
bool config_load(struct config *c, const struct config_args *cli, const char *const *envp,
		 struct errbuf *err);

/* Read a secret from `path` by the token file's rules above (a regular
 * file group and others cannot read or write; the first line, trimmed,
 * header-safe). For other programs' secrets: the bridge's platform key,
 * ingest token and webhook secret. *out is a new string. */
bool config_read_secret_file(const char *path, char **out, struct errbuf *err);

/* Free what config_load built and zero `c`; a zeroed config is fine too. */
void config_free(struct config *c);

/* Save view `name` (view_name_valid) with `spec` into the config file
 * `file`, or remove it when spec is NULL. The line `view NAME = spec` takes
 * the place of the view's line if there was one, else goes at the end;
 * every other line stays as it was. The file is replaced atomically
 * (written beside it, then renamed; a symbolic link is followed) and keeps
 * its mode; a new one is 0600 in a directory created 0700. */
bool config_save_view(const char *file, const char *name, const struct view_spec *spec,
		      struct errbuf *err);

/* Check a server URL: http:// or https://, a host (name, IPv4 or [IPv6])
 * with an optional port, an optional path; no user:password@ (it would end
 * up in logs), query, fragment, spaces or control characters. On success
 * returns a copy without trailing slashes; NULL with `err` set otherwise. */
char *config_check_server(const char *url, struct errbuf *err);

/* A description for logs and --verbose, several lines, that never contains
 * the token: "token: (from file ~/.config/handoff/token)". Returns what
 * snprintf returns. */
int config_describe(const struct config *c, char *out, size_t outlen);

/* The directory for local state (the outbox): $XDG_STATE_HOME/handoff, else
 * ~/.local/state/handoff, created with mode 0700 (parents too) if missing,
 * and tightened to 0700 if it exists with a wider mode, since it holds
 * unsent messages. `envp` as for config_load. */
bool config_state_dir(char *out, size_t outlen, const char *const *envp, struct errbuf *err);

#endif
