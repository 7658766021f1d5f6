/*
 * bridge_config.h — handoff-bridge's config file: `key = value` lines, `#`
 * comment lines. The bridge's own keys are below; the platform's (bot id,
 * key file, tag names...) are declared by its table row (platform.h) and
 * read with bridge_config_get. An unknown key, a missing required one or a
 * bad value is an error naming file:line. Relative paths are relative to
 * the config file's directory. Secrets live in files of their own, which
 * must be 0600 (as the console's token file), and never reach a log.
 */
#ifndef HANDOFF_BRIDGE_CONFIG_H
#define HANDOFF_BRIDGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "errbuf.h"

struct bridge_platform;

/* The most outbound lanes a config may ask for. */
#define BRIDGE_LANES_MAX 64

struct bridge_setting {
	char *name, *value;
	bool secret;
};

struct bridge_config {
	const struct bridge_platform *platform;  /* `platform` */
	char *platform_url;        /* the platform's API base, no trailing slash */
	char *hub_url;             /* `hub_url` */
	char *ingest_token;        /* read from `ingest_token_file`; never log it */
	char *state_db;            /* `state_db`: the bridge's SQLite file */
	unsigned poll_min_ms;      /* `poll_min_ms` (1000): while there is traffic */
	unsigned poll_max_ms;      /* `poll_max_ms` (30000): when idle */
	char *webhook_host;        /* `webhook_listen` host:port; NULL: no webhook */
	int webhook_port;
	char *webhook_secret;      /* read from `webhook_secret_file` */
	char *escalation_text;     /* the notice ingested when an escalation
				    * comes without a message to carry it */
	unsigned drain_ms;         /* `drain_timeout_ms` (10000) */
	unsigned stats_interval_ms; /* `stats_interval_ms` (3600000; 0: never): daily counts */
	unsigned outbound_lanes;   /* `outbound_lanes` (8): conversations whose
				    * platform calls run at once */
	long request_timeout_ms;   /* `request_timeout_ms` (15000), per HTTP request */
	char *file;                /* the config file */
	struct bridge_setting *settings; /* the platform's keys, defaults filled in */
	size_t nsettings;
};

bool bridge_config_load(struct bridge_config *c, const char *path, struct errbuf *err);
void bridge_config_free(struct bridge_config *c);

/* A platform key's value (its default when not in the file); NULL when the
 * platform declared no such key. */
const char *bridge_config_get(const struct bridge_config *c, const char *name);

/* A platform key that is a whole number from min to max (LONG_MAX: no
 * limit), into *out; false with err naming the key otherwise. */
bool bridge_config_get_long(const struct bridge_config *c, const char *name, long min, long max,
			    long *out, struct errbuf *err);

#endif
