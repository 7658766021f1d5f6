/*
 * config.c — command line, environment, config file and defaults, resolved.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "settings.h"

/* A token is a bearer credential in an HTTP header; longer is not a token. */
#define TOKEN_MAX 4096
#define THEME_MAX 32

static const char *const source_names[] = {
	[CONFIG_FROM_DEFAULT] = "default",
	[CONFIG_FROM_FILE] = "config file",
	[CONFIG_FROM_ENV] = "environment",
	[CONFIG_FROM_CLI] = "command line",
};

/* Settings read from the config file, before precedence is applied. */
struct file_values {
	char *server;
	char *token_file;
	char *theme;
};

static const char *env_get(const char *const *envp, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;

	if (envp == NULL)
		v = getenv(name);
	else
		for (; *envp != NULL && v == NULL; envp++)
			if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
				v = *envp + n + 1;
	return v != NULL && *v != '\0' ? v : NULL;
}

static char *dup_or_err(const char *s, struct errbuf *err)
{
	char *d = strdup(s);

	if (d == NULL)
		errbuf_set(err, "out of memory");
	return d;
}

/* "a" + "b" + "c" into a new string. */
static char *join3(const char *a, const char *b, const char *c, struct errbuf *err)
{
	size_t len = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(len);

	if (s == NULL) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	snprintf(s, len, "%s%s%s", a, b, c);
	return s;
}

/* An XDG base directory: $var when it is absolute (the spec says to ignore
 * relative ones), else $HOME/fallback; NULL without either. */
static char *xdg_base(const char *const *envp, const char *var, const char *fallback,
		      struct errbuf *err)
{
	const char *v = env_get(envp, var), *home = env_get(envp, "HOME");

	if (v != NULL && v[0] == '/')
		return dup_or_err(v, err);
	if (home == NULL) {
		errbuf_set(err, "neither %s nor HOME is set", var);
		return NULL;
	}
	return join3(home, "/", fallback, err);
}

/* "~" and "~/x" use HOME; a relative path is taken relative to `base_dir`
 * when given (a path in the config file), else left to the working
 * directory (a path on the command line). */
static char *expand_path(const char *path, const char *home, const char *base_dir,
			 struct errbuf *err)
{
	if (path[0] == '~') {
		if (path[1] != '\0' && path[1] != '/')
			return errbuf_set(err, "%s: ~user paths are not supported", path), NULL;
		if (home == NULL)
			return errbuf_set(err, "%s: HOME is not set", path), NULL;
		return join3(home, "", path + 1, err);
	}
	if (path[0] != '/' && base_dir != NULL)
		return join3(base_dir, "/", path, err);
	return dup_or_err(path, err);
}

/* Header-safe: no spaces or control characters, so a token can neither
 * break the Authorization header nor carry a stray newline from the file. */
static bool token_chars_ok(const char *t)
{
	for (; *t != '\0'; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f)
			return false;
	return true;
}

/* Theme names become file names later: keep them to [A-Za-z0-9_-]. */
static bool check_theme(const char *name, struct errbuf *err)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	if (n == 0 || name[n] != '\0' || n > THEME_MAX)
		return errbuf_set(err, "theme must be 1 to %d letters, digits, '-' or '_'", THEME_MAX);
	return true;
}

static void trim_right(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		s[--n] = '\0';
}

static char *trim(char *s)
{
	s += strspn(s, " \t\r\n");
	trim_right(s);
	return s;
}

/* Refuse a token file others could read, as ssh refuses such a key: the
 * message names the problem and the fix. */
static bool check_token_mode(const char *path, mode_t mode, struct errbuf *err)
{
	const char *who = (mode & 007) ? "others" : "group";
	mode_t read_bit = (mode & 007) ? 004 : 040;

	if ((mode & 077) == 0)
		return true;
	return errbuf_set(err, "token file %s is %s by %s (mode %04o): chmod 600 %s", path,
			  (mode & read_bit) ? "readable" : "writable", who,
			  (unsigned)(mode & 07777), path);
}

/* Read the token: the first line of `path`, trimmed. A missing file is
 * fine only when `missing_ok` (the default location), leaving *token NULL. */
static bool read_token_file(const char *path, bool missing_ok, char **token,
			    struct errbuf *err)
{
	char buf[TOKEN_MAX + 2], *t;
	struct stat st;
	ssize_t n;
	int fd;

	*token = NULL;
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return true;
		return errbuf_set(err, "token file %s: %s", path, strerror(errno));
	}
	/* fstat the open file, so what is checked is what is read. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return errbuf_set(err, "token file %s is not a regular file", path);
	}
	if (!check_token_mode(path, st.st_mode, err)) {
		close(fd);
		return false;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return errbuf_set(err, "token file %s: %s", path, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	t = trim(buf);
	if (*t == '\0')
		return errbuf_set(err, "token file %s is empty", path);
	if (strlen(t) > TOKEN_MAX || !token_chars_ok(t))
		return errbuf_set(err, "token file %s: the first line is not a token", path);
	*token = dup_or_err(t, err);
	return *token != NULL;
}

bool config_read_secret_file(const char *path, char **out, struct errbuf *err)
{
	return read_token_file(path, false, out, err);
}

/* Hex digits, ':' and '.' between brackets: an IPv6 literal, loosely. */
static const char *scan_host(const char *p)
{
	if (*p == '[') {
		size_t n = strspn(p + 1, "0123456789abcdefABCDEF:.");

		return n > 0 && p[1 + n] == ']' ? p + n + 2 : p;
	}
	return p + strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");
}

char *config_check_server(const char *url, struct errbuf *err)
{
	const char *p, *end;
	char *copy;
	size_t len;

	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return errbuf_set(err, "server must start with http:// or https://"), NULL;
	end = scan_host(p);
	if (end == p)
		return errbuf_set(err, "server has no host name"), NULL;
	if (*end == ':') {
		size_t n = strspn(end + 1, "0123456789");
		long port = n > 0 && n <= 5 ? strtol(end + 1, NULL, 10) : 0;

		if (port < 1 || port > 65535)
			return errbuf_set(err, "server port must be 1 to 65535"), NULL;
		end += 1 + n;
	}
	if (*end == '@')
		return errbuf_set(err, "server must not contain a user name or password"), NULL;
	if (*end != '\0' && *end != '/')
		return errbuf_set(err, "server has an invalid host name"), NULL;
	for (p = end; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '?' || *p == '#')
			return errbuf_set(err, "server must not contain spaces, '?' or '#'"), NULL;
	copy = dup_or_err(url, err);
	if (copy == NULL)
		return NULL;
	/* The client appends "/v1/...": a trailing slash would double it. */
	len = strlen(copy);
	while (len > 0 && copy[len - 1] == '/')
		copy[--len] = '\0';
	return copy;
}

/* Replace *slot with a copy of value. */
static bool set_string(char **slot, const char *value, struct errbuf *err)
{
	char *d = dup_or_err(value, err);

	if (d == NULL)
		return false;
	free(*slot);
	*slot = d;
	return true;
}

static bool add_bind(struct config *c, const char *spec, unsigned line, struct errbuf *err)
{
	struct config_bind *b = realloc(c->binds, (c->nbinds + 1) * sizeof *b);

	if (b == NULL)
		return errbuf_set(err, "out of memory");
	c->binds = b;
	b[c->nbinds].spec = dup_or_err(spec, err);
	if (b[c->nbinds].spec == NULL)
		return false;
	b[c->nbinds++].line = line;
	return true;
}

/* on/off, yes/no, true/false. */
static bool parse_switch(const char *key, const char *value, bool *out, struct errbuf *err)
{
	static const char *const on[] = {"on", "yes", "true"}, *const off[] = {"off", "no", "false"};

	for (size_t i = 0; i < 3; i++) {
		if (strcmp(value, on[i]) == 0 || strcmp(value, off[i]) == 0) {
			*out = strcmp(value, on[i]) == 0;
			return true;
		}
	}
	return errbuf_set(err, "%s must be on or off, not \"%s\"", key, value);
}

/* The NAME of a `view NAME` key, or NULL when key is not one. */
static const char *view_key_name(const char *key)
{
	if (strncmp(key, "view", 4) != 0 || (key[4] != ' ' && key[4] != '\t'))
		return NULL;
	return key + 4 + strspn(key + 4, " \t");
}

/* `view NAME = spec`: a later line of the same name replaces it. */
static bool add_view(struct config *c, const char *name, const char *value, struct errbuf *err)
{
	struct config_view v;
	size_t i = 0;

	if (!view_name_valid(name))
		return errbuf_set(err, "a view's name is 1 to %d letters, digits, '-' or '_'",
				  VIEW_NAME_MAX);
	if (!view_spec_parse(value, &v.spec, err))
		return false;
	snprintf(v.name, sizeof v.name, "%s", name);
	while (i < c->nviews && strcmp(c->views[i].name, name) != 0)
		i++;
	if (i == VIEW_SAVED_MAX)
		return errbuf_set(err, "at most %d views", VIEW_SAVED_MAX);
	c->views[i] = v;
	if (i == c->nviews)
		c->nviews++;
	return true;
}

/* A whole number of minutes, 0 to a day. */
/* An idle time: minutes ("10"), or seconds with an "s" ("90s"), up to a
 * day; into seconds. */
static bool parse_idle(const char *key, const char *value, unsigned *seconds,
		       struct errbuf *err)
{
	char *end;
	unsigned long v = strtoul(value, &end, 10);
	bool in_seconds = *end == 's';

	if (!*value || value[0] == '-' || end == value || end[in_seconds] ||
	    v > (in_seconds ? 86400ul : 1440ul))
		return errbuf_set(err, "%s wants minutes from 0 to 1440 (or seconds: 90s), not \"%s\"",
				  key, value);
	*seconds = (unsigned)(in_seconds ? v : v * 60);
	return true;
}

/* One `key = value` line; errors come back without the file:line prefix. */
static bool parse_line(struct config *c, struct file_values *fv, const char *dir, char *line,
		       unsigned lineno, struct errbuf *err)
{
	char *eq = strchr(line, '='), *key, *value;

	if (eq == NULL)
		return errbuf_set(err, "expected key = value");
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (*value == '\0')
		return errbuf_set(err, "%s has no value", key);
	if (strcmp(key, "server") == 0) {
		char *s = config_check_server(value, err);

		if (s == NULL)
			return false;
		free(fv->server);
		fv->server = s;
		return true;
	}
	if (strcmp(key, "token_file") == 0) {
		char *p = expand_path(value, c->home, dir, err);

		if (p == NULL)
			return false;
		free(fv->token_file);
		fv->token_file = p;
		return true;
	}
	if (strcmp(key, "theme") == 0)
		return check_theme(value, err) && set_string(&fv->theme, value, err);
	if (strcmp(key, "bind") == 0)
		return add_bind(c, value, lineno, err);
	if (strcmp(key, "bell") == 0)
		return parse_switch(key, value, &c->bell, err);
	if (strcmp(key, "title") == 0)
		return parse_switch(key, value, &c->title, err);
	if (view_key_name(key))
		return add_view(c, view_key_name(key), value, err);
	if (strcmp(key, "notify_assigned") == 0)
		return parse_switch(key, value, &c->notify_assigned, err);
	if (strcmp(key, "notify_answer") == 0)
		return parse_switch(key, value, &c->notify_answer, err);
	if (strcmp(key, "notify_escalation") == 0)
		return parse_switch(key, value, &c->notify_escalation, err);
	if (strcmp(key, "away_after") == 0)
		return parse_idle(key, value, &c->away_after_s, err);
	if (strcmp(key, "token") == 0)
		return errbuf_set(err, "the token does not go in the config file; use token_file");
	return errbuf_set(err, "unknown key \"%s\"", key);
}

/* Read c->file into `fv` and c->binds; a missing file is no error. */
static bool parse_file(struct config *c, struct file_values *fv, struct errbuf *err)
{
	char *line = NULL, *dir, *slash, where[ERRBUF_LEN];
	size_t cap = 0;
	unsigned lineno = 0;
	bool ok = true;
	FILE *f = fopen(c->file, "r");

	if (f == NULL) {
		if (errno == ENOENT)
			return true;
		return errbuf_set(err, "%s: %s", c->file, strerror(errno));
	}
	c->file_found = true;
	dir = dup_or_err(c->file, err);
	if (dir == NULL) {
		fclose(f);
		return false;
	}
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	while (ok && getline(&line, &cap, f) >= 0) {
		char *s = trim(line);

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		ok = parse_line(c, fv, slash != NULL ? dir : NULL, s, lineno, err);
	}
	if (ok && ferror(f))
		ok = errbuf_set(err, "%s: read error", c->file);
	else if (!ok) {
		snprintf(where, sizeof where, "%s:%u", c->file, lineno);
		errbuf_prefix(err, where);
	}
	free(line);
	free(dir);
	fclose(f);
	return ok;
}

/* The first of command line, environment, file, default that is set. */
static enum config_source pick(const char *cli, const char *env, const char *file,
			       const char **value, const char *def)
{
	if (cli != NULL)
		return *value = cli, CONFIG_FROM_CLI;
	if (env != NULL)
		return *value = env, CONFIG_FROM_ENV;
	if (file != NULL)
		return *value = file, CONFIG_FROM_FILE;
	*value = def;
	return CONFIG_FROM_DEFAULT;
}

static bool resolve_token(struct config *c, const struct config_args *cli,
			  const struct file_values *fv, const char *confdir,
			  const char *const *envp, struct errbuf *err)
{
	const char *env_token = env_get(envp, "HANDOFF_TOKEN");
	bool missing_ok = false;

	if (cli->token_file != NULL) {
		c->token_file = expand_path(cli->token_file, c->home, NULL, err);
		c->token_from = CONFIG_FROM_CLI;
	} else if (env_token != NULL) {
		/* Never quote it: this message may be shown or logged. */
		if (!token_chars_ok(env_token) || strlen(env_token) > TOKEN_MAX)
			return errbuf_set(err, "HANDOFF_TOKEN is not a token "
					  "(spaces or control characters)");
		c->token_from = CONFIG_FROM_ENV;
		return (c->token = dup_or_err(env_token, err)) != NULL;
	} else if (fv->token_file != NULL) {
		c->token_file = dup_or_err(fv->token_file, err);
		c->token_from = CONFIG_FROM_FILE;
	} else if (confdir != NULL) {
		c->token_file = join3(confdir, "/handoff/", "token", err);
		missing_ok = true;
	} else {
		return true;
	}
	if (c->token_file == NULL || !read_token_file(c->token_file, missing_ok, &c->token, err))
		return false;
	if (c->token == NULL) {
		free(c->token_file);
		c->token_file = NULL;
	}
	return true;
}

static bool load(struct config *c, const struct config_args *cli, const char *const *envp,
		 struct file_values *fv, char **confdir, struct errbuf *err)
{
	const char *home = env_get(envp, "HOME"), *server, *theme;

	if (home != NULL && (c->home = dup_or_err(home, err)) == NULL)
		return false;
	c->bell = c->title = true;
	c->notify_assigned = c->notify_answer = c->notify_escalation = true;
	/* No HOME and no XDG_CONFIG_HOME: run on flags and environment alone. */
	*confdir = xdg_base(envp, "XDG_CONFIG_HOME", ".config", NULL);
	if (*confdir != NULL) {
		if ((c->file = join3(*confdir, "/handoff/", "config", err)) == NULL ||
		    !parse_file(c, fv, err))
			return false;
	}
	c->server_from = pick(cli->server, env_get(envp, "HANDOFF_SERVER"), fv->server,
			      &server, CONFIG_DEFAULT_SERVER);
	c->server = config_check_server(server, err);
	if (c->server == NULL) {
		errbuf_prefix(err, c->server_from == CONFIG_FROM_CLI ? "--server" : "HANDOFF_SERVER");
		return false;
	}
	c->theme_from = pick(cli->theme, NULL, fv->theme, &theme, CONFIG_DEFAULT_THEME);
	if (!check_theme(theme, err)) {
		errbuf_prefix(err, "--theme");
		return false;
	}
	if (!set_string(&c->theme, theme, err))
		return false;
	c->insecure = cli->insecure;
	return resolve_token(c, cli, fv, *confdir, envp, err);
}

bool config_load(struct config *c, const struct config_args *cli, const char *const *envp,
		 struct errbuf *err)
{
	struct file_values fv = {0};
	char *confdir = NULL;
	bool ok;

	memset(c, 0, sizeof *c);
	ok = load(c, cli, envp, &fv, &confdir, err);
	free(fv.server);
	free(fv.token_file);
	free(fv.theme);
	free(confdir);
	if (!ok)
		config_free(c);
	return ok;
}

void config_free(struct config *c)
{
	free(c->server);
	free(c->token);
	free(c->token_file);
	free(c->theme);
	free(c->file);
	for (size_t i = 0; i < c->nbinds; i++)
		free(c->binds[i].spec);
	free(c->binds);
	free(c->home);
	memset(c, 0, sizeof *c);
}

/* `path` with $HOME shown as "~", for shorter, shareable descriptions. */
static const char *tilde(const struct config *c, const char *path, char *buf, size_t len)
{
	size_t n = c->home != NULL ? strlen(c->home) : 0;

	if (n == 0 || strncmp(path, c->home, n) != 0 || path[n] != '/')
		return path;
	snprintf(buf, len, "~%s", path + n);
	return buf;
}

int config_describe(const struct config *c, char *out, size_t outlen)
{
	char tokbuf[512], filebuf[512], token[600];
	const char *file = c->file != NULL ? tilde(c, c->file, filebuf, sizeof filebuf) : "(none: HOME is not set)";

	if (c->token_from == CONFIG_FROM_ENV)
		snprintf(token, sizeof token, "(from HANDOFF_TOKEN)");
	else if (c->token_file != NULL)
		snprintf(token, sizeof token, "(from file %s)",
			 tilde(c, c->token_file, tokbuf, sizeof tokbuf));
	else
		snprintf(token, sizeof token, "(none)");
	return snprintf(out, outlen,
			"server: %s (%s)\ntoken: %s\ntheme: %s (%s)\nconfig file: %s%s\n%s",
			c->server, source_names[c->server_from], token, c->theme,
			source_names[c->theme_from], file,
			c->file != NULL && !c->file_found ? " (not found)" : "",
			c->insecure ? "TLS certificate checks: off (--insecure)\n" : "");
}

/* mkdir -p with mode 0700 for every directory it creates. */
static bool make_dirs(char *path, struct errbuf *err)
{
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			errbuf_set(err, "cannot create %s: %s", path, strerror(errno));
			*p = saved;
			return false;
		}
		*p = saved;
		if (saved == '\0')
			return true;
	}
}

bool config_state_dir(char *out, size_t outlen, const char *const *envp, struct errbuf *err)
{
	char *base = xdg_base(envp, "XDG_STATE_HOME", ".local/state", err);
	struct stat st;
	int n;

	if (base == NULL)
		return false;
	n = snprintf(out, outlen, "%s/handoff", base);
	free(base);
	if (n < 0 || (size_t)n >= outlen)
		return errbuf_set(err, "state directory path is too long");
	if (!make_dirs(out, err))
		return false;
	if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
		return errbuf_set(err, "%s is not a directory", out);
	/* It holds unsent messages: private, even if someone loosened it. */
	if ((st.st_mode & 077) != 0 && chmod(out, 0700) != 0)
		return errbuf_set(err, "chmod 700 %s: %s", out, strerror(errno));
	return true;
}

/* ---- writing a saved view back ----------------------------------------- */

/* Whether a line of the config file is view `name`'s. */
static bool is_view_line(const char *line, const char *name)
{
	char buf[256];
	const char *eq = strchr(line, '=');

	if (eq == NULL || (size_t)(eq - line) >= sizeof buf)
		return false;
	memcpy(buf, line, (size_t)(eq - line));
	buf[eq - line] = '\0';
	const char *k = view_key_name(trim(buf));
	return k != NULL && strcmp(k, name) == 0;
}

/* Copy `in` (may be NULL) to `out` with view `name`'s lines replaced by
 * `line` (NULL: dropped): at the first one's place, else at the end. */
static bool copy_replacing(FILE *in, FILE *out, const char *name, const char *line)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	bool placed = line == NULL, ends_in_newline = true;

	while (in != NULL && (n = getline(&buf, &cap, in)) >= 0) {
		if (is_view_line(buf, name)) {
			if (!placed)
				fputs(line, out);
			placed = true;
			continue;
		}
		fwrite(buf, 1, (size_t)n, out);
		ends_in_newline = buf[n - 1] == '\n';
	}
	free(buf);
	if (!placed)
		fprintf(out, "%s%s", ends_in_newline ? "" : "\n", line);
	return (in == NULL || !ferror(in)) && !ferror(out);
}

bool config_save_view(const char *file, const char *name, const struct view_spec *spec,
		      struct errbuf *err)
{
	char spec_text[VIEW_SPEC_LEN], line[VIEW_SPEC_LEN + VIEW_NAME_MAX + 16];
	char *path = NULL, *tmp = NULL;
	mode_t mode = 0600;
	struct stat st;
	bool ok = false;
	FILE *in = NULL, *out = NULL;
	int fd = -1;

	if (!view_name_valid(name))
		return errbuf_set(err, "a view's name is 1 to %d letters, digits, '-' or '_'",
				  VIEW_NAME_MAX);
	if (spec != NULL) {
		view_spec_format(spec, spec_text, sizeof spec_text);
		snprintf(line, sizeof line, "view %s = %s\n", name, spec_text);
	}
	/* Through a symbolic link (dotfile repositories): replace its target. */
	path = realpath(file, NULL);
	if (path == NULL) {
		if (errno != ENOENT)
			return errbuf_set(err, "%s: %s", file, strerror(errno));
		if ((path = dup_or_err(file, err)) == NULL)
			return false;
		char *slash = strrchr(path, '/');
		if (slash != NULL && slash != path) {
			*slash = '\0';
			ok = make_dirs(path, err);
			*slash = '/';
			if (!ok)
				goto done;
			ok = false;
		}
	} else if (stat(path, &st) == 0) {
		mode = st.st_mode & 07777;
	}
	if ((tmp = join3(path, ".new-", "XXXXXX", err)) == NULL)
		goto done;
	in = fopen(path, "r");
	if (in == NULL && errno != ENOENT) {
		errbuf_set(err, "%s: %s", path, strerror(errno));
		goto done;
	}
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, mode) != 0 || (out = fdopen(fd, "w")) == NULL) {
		errbuf_set(err, "cannot write beside %s: %s", path, strerror(errno));
		goto done;
	}
	fd = -1; /* out owns it */
	ok = copy_replacing(in, out, name, spec != NULL ? line : NULL) && fflush(out) == 0 &&
	     fsync(fileno(out)) == 0;
	ok = (fclose(out) == 0) && ok;
	out = NULL;
	if (!ok || rename(tmp, path) != 0) {
		ok = errbuf_set(err, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
done:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (in != NULL)
		fclose(in);
	free(tmp);
	free(path);
	return ok;
}
