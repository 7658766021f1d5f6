/*
 * bridge_config.c — reading handoff-bridge's config file (bridge_config.h).
 *
 * The file is read whole first and checked after, so `platform` may come on
 * any line and the platform's own keys are known by the time they are
 * checked.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_config.h"
#include "platform.h"
#include "settings.h"

#define LINE_MAX_LEN 4096

struct pair {
	char *key, *value;
	unsigned line;
};

struct pairs {
	struct pair *v;
	size_t n;
};

static const char *const own_keys[] = {
	"platform", "platform_url", "hub_url", "ingest_token_file", "state_db", "poll_min_ms",
	"poll_max_ms", "webhook_listen", "webhook_secret_file", "escalation_text",
	"drain_timeout_ms", "request_timeout_ms", "outbound_lanes", "stats_interval_ms", NULL,
};

static char *trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void pairs_free(struct pairs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		free(p->v[i].value);
	}
	free(p->v);
}

/* The later line wins, as in the console's config. */
static const struct pair *pair_get(const struct pairs *p, const char *key)
{
	for (size_t i = p->n; i-- > 0;)
		if (strcmp(p->v[i].key, key) == 0)
			return &p->v[i];
	return NULL;
}

static bool read_pairs(const char *path, struct pairs *p, struct errbuf *err)
{
	char line[LINE_MAX_LEN];
	unsigned no = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return errbuf_set(err, "config %s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		no++;
		char *s = trim(line), *eq;
		if (*s == '\0' || *s == '#')
			continue;
		if (!(eq = strchr(s, '='))) {
			fclose(f);
			return errbuf_set(err, "%s:%u: expected key = value", path, no);
		}
		*eq = '\0';
		struct pair *grown = realloc(p->v, (p->n + 1) * sizeof *grown);
		if (!grown) {
			fclose(f);
			return errbuf_set(err, "out of memory");
		}
		p->v = grown;
		p->v[p->n] = (struct pair){strdup(trim(s)), strdup(trim(eq + 1)), no};
		if (!p->v[p->n].key || !p->v[p->n].value) {
			p->n++;
			fclose(f);
			return errbuf_set(err, "out of memory");
		}
		p->n++;
	}
	fclose(f);
	return true;
}

/* `path` relative to the config file's directory unless absolute. */
static char *resolve(const char *cfg, const char *path)
{
	if (path[0] == '/' || !strchr(cfg, '/'))
		return strdup(path);
	size_t dir = (size_t)(strrchr(cfg, '/') - cfg);
	size_t n = dir + 1 + strlen(path) + 1;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%.*s/%s", (int)dir, cfg, path);
	return out;
}

static bool read_secret(const char *cfg, const struct pair *p, char **out, struct errbuf *err)
{
	char *path = resolve(cfg, p->value);
	struct errbuf why;
	bool ok;

	if (!path)
		return errbuf_set(err, "out of memory");
	ok = config_read_secret_file(path, out, &why);
	if (!ok)
		errbuf_set(err, "%s:%u: %s: %s", cfg, p->line, p->key, why.msg);
	free(path);
	return ok;
}

static bool number(const char *cfg, const struct pair *p, unsigned min, unsigned max,
		   unsigned *out, struct errbuf *err)
{
	char *end;
	unsigned long v;

	if (!p)
		return true;
	errno = 0;
	v = strtoul(p->value, &end, 10);
	if (errno || end == p->value || *end || v < min || v > max)
		return errbuf_set(err, "%s:%u: %s must be a whole number from %u to %u", cfg,
				  p->line, p->key, min, max);
	*out = (unsigned)v;
	return true;
}

static bool url(const char *cfg, const struct pair *p, const char *key, char **out,
		struct errbuf *err)
{
	struct errbuf why;

	if (!p)
		return errbuf_set(err, "%s: %s is required", cfg, key);
	*out = config_check_server(p->value, &why);
	if (!*out)
		return errbuf_set(err, "%s:%u: %s: %s", cfg, p->line, key, why.msg);
	return true;
}

/* "host:port", "[v6]:port" or ":port" (loopback). */
static bool listen_addr(const char *cfg, const struct pair *p, struct bridge_config *c,
			struct errbuf *err)
{
	const char *colon = strrchr(p->value, ':');
	unsigned port = 0;
	char *end;

	if (!colon)
		return errbuf_set(err, "%s:%u: webhook_listen must be host:port", cfg, p->line);
	unsigned long v = strtoul(colon + 1, &end, 10);
	if (end == colon + 1 || *end || v > 65535)
		return errbuf_set(err, "%s:%u: webhook_listen: bad port", cfg, p->line);
	port = (unsigned)v;
	const char *host = p->value;
	size_t hlen = (size_t)(colon - host);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']')
		host++, hlen -= 2;
	c->webhook_host = hlen ? strndup(host, hlen) : strdup("127.0.0.1");
	c->webhook_port = (int)port;
	return c->webhook_host || errbuf_set(err, "out of memory");
}

static bool known_key(const struct bridge_platform *pf, const char *key)
{
	for (const char *const *k = own_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return true;
	for (const struct bridge_key *k = pf ? pf->keys : NULL; k && k->name; k++)
		if (strcmp(k->name, key) == 0)
			return true;
	return false;
}

static bool platform_settings(struct bridge_config *c, const struct pairs *p, struct errbuf *err)
{
	size_t n = 0;

	for (const struct bridge_key *k = c->platform->keys; k->name; k++)
		n++;
	c->settings = calloc(n ? n : 1, sizeof *c->settings);
	if (!c->settings)
		return errbuf_set(err, "out of memory");
	for (const struct bridge_key *k = c->platform->keys; k->name; k++) {
		const struct pair *v = pair_get(p, k->name);
		struct bridge_setting *s = &c->settings[c->nsettings];
		if (!v && !k->def)
			return errbuf_set(err, "%s: %s is required for platform %s", c->file, k->name,
					  c->platform->name);
		if (!(s->name = strdup(k->name)))
			return errbuf_set(err, "out of memory");
		c->nsettings++;
		s->secret = k->secret_file;
		if (v && k->secret_file) {
			if (!read_secret(c->file, v, &s->value, err))
				return false;
		} else if (!(s->value = strdup(v ? v->value : k->def))) {
			return errbuf_set(err, "out of memory");
		}
	}
	return true;
}

static bool check(struct bridge_config *c, const struct pairs *p, struct errbuf *err)
{
	const char *f = c->file;
	const struct pair *v;
	unsigned timeout = 15000;

	if (!(v = pair_get(p, "platform")))
		return errbuf_set(err, "%s: platform is required (one of: %s)", f, platform_names());
	if (!(c->platform = platform_find(v->value)))
		return errbuf_set(err, "%s:%u: unknown platform \"%s\" (one of: %s)", f, v->line,
				  v->value, platform_names());
	for (size_t i = 0; i < p->n; i++)
		if (!known_key(c->platform, p->v[i].key))
			return errbuf_set(err, "%s:%u: unknown key \"%s\"", f, p->v[i].line,
					  p->v[i].key);
	if (!url(f, pair_get(p, "platform_url"), "platform_url", &c->platform_url, err) ||
	    !url(f, pair_get(p, "hub_url"), "hub_url", &c->hub_url, err))
		return false;
	if (!(v = pair_get(p, "ingest_token_file")))
		return errbuf_set(err, "%s: ingest_token_file is required", f);
	if (!read_secret(f, v, &c->ingest_token, err))
		return false;
	if (!(v = pair_get(p, "state_db")))
		return errbuf_set(err, "%s: state_db is required", f);
	if (!(c->state_db = resolve(f, v->value)))
		return errbuf_set(err, "out of memory");
	c->poll_min_ms = 1000;
	c->poll_max_ms = 30000;
	c->drain_ms = 10000;
	c->outbound_lanes = 8;
	c->stats_interval_ms = 3600000;
	if (!number(f, pair_get(p, "poll_min_ms"), 50, 3600000, &c->poll_min_ms, err) ||
	    !number(f, pair_get(p, "poll_max_ms"), 50, 3600000, &c->poll_max_ms, err) ||
	    !number(f, pair_get(p, "drain_timeout_ms"), 0, 600000, &c->drain_ms, err) ||
	    !number(f, pair_get(p, "outbound_lanes"), 1, BRIDGE_LANES_MAX, &c->outbound_lanes, err) ||
	    !number(f, pair_get(p, "stats_interval_ms"), 0, 86400000, &c->stats_interval_ms, err) ||
	    !number(f, pair_get(p, "request_timeout_ms"), 100, 600000, &timeout, err))
		return false;
	c->request_timeout_ms = timeout;
	if (c->poll_max_ms < c->poll_min_ms)
		return errbuf_set(err, "%s: poll_max_ms must be at least poll_min_ms", f);
	if ((v = pair_get(p, "webhook_listen")) && *v->value) {
		if (!c->platform->parse_webhook)
			return errbuf_set(err, "%s:%u: platform %s pushes nothing: no webhook_listen",
					  f, v->line, c->platform->name);
		if (!listen_addr(f, v, c, err))
			return false;
		if (!(v = pair_get(p, "webhook_secret_file")))
			return errbuf_set(err, "%s: webhook_listen needs webhook_secret_file", f);
		if (!read_secret(f, v, &c->webhook_secret, err))
			return false;
	}
	v = pair_get(p, "escalation_text");
	c->escalation_text = strdup(v && *v->value ? v->value : "The bot asked for a human.");
	if (!c->escalation_text)
		return errbuf_set(err, "out of memory");
	return platform_settings(c, p, err);
}

bool bridge_config_load(struct bridge_config *c, const char *path, struct errbuf *err)
{
	struct pairs p = {0};
	bool ok;

	memset(c, 0, sizeof *c);
	if (!(c->file = strdup(path)))
		return errbuf_set(err, "out of memory");
	ok = read_pairs(path, &p, err) && check(c, &p, err);
	pairs_free(&p);
	if (!ok)
		bridge_config_free(c);
	return ok;
}

/* Secrets are overwritten before they are freed: a core dump or a reused
 * heap block should not hand them on. */
static void free_secret(char *s)
{
	if (s) {
		volatile char *v = s;
		while (*v)
			*v++ = 0;
	}
	free(s);
}

void bridge_config_free(struct bridge_config *c)
{
	free(c->platform_url);
	free(c->hub_url);
	free_secret(c->ingest_token);
	free(c->state_db);
	free(c->webhook_host);
	free_secret(c->webhook_secret);
	free(c->escalation_text);
	free(c->file);
	for (size_t i = 0; i < c->nsettings; i++) {
		free(c->settings[i].name);
		if (c->settings[i].secret)
			free_secret(c->settings[i].value);
		else
			free(c->settings[i].value);
	}
	free(c->settings);
	memset(c, 0, sizeof *c);
}

const char *bridge_config_get(const struct bridge_config *c, const char *name)
{
	for (size_t i = 0; i < c->nsettings; i++)
		if (strcmp(c->settings[i].name, name) == 0)
			return c->settings[i].value;
	return NULL;
}

bool bridge_config_get_long(const struct bridge_config *c, const char *name, long min, long max,
			    long *out, struct errbuf *err)
{
	const char *v = bridge_config_get(c, name);
	char *end;

	errno = 0;
	*out = v ? strtol(v, &end, 10) : 0;
	if (v && !errno && end != v && !*end && *out >= min && *out <= max)
		return true;
	if (max == LONG_MAX)
		return errbuf_set(err, "%s must be a whole number from %ld up", name, min);
	return errbuf_set(err, "%s must be a whole number from %ld to %ld", name, min, max);
}
