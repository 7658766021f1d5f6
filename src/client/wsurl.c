/*
 * wsurl.c — the event stream's address from the server URL (see wsurl.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "wsurl.h"

static char *dup_range(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

bool wsurl_parse(const char *server_url, struct wsurl *out, struct errbuf *err)
{
	char *url = config_check_server(server_url, err);
	const char *p, *host_end, *authority_end;

	memset(out, 0, sizeof *out);
	if (!url)
		return false;
	out->tls = strncmp(url, "https://", 8) == 0;
	p = url + (out->tls ? 8 : 7);
	/* config_check_server accepted the URL, so the authority is a name, an
	 * IPv4 address or a bracketed IPv6 address, then maybe ":port". */
	if (*p == '[')
		host_end = strchr(p, ']') + 1;
	else
		host_end = p + strcspn(p, ":/");
	authority_end = host_end + strcspn(host_end, "/");
	out->port = *host_end == ':' ? atoi(host_end + 1) : out->tls ? 443 : 80;
	if (*p == '[')
		out->address = dup_range(p + 1, (size_t)(host_end - p) - 2);
	else
		out->address = dup_range(p, (size_t)(host_end - p));
	out->host_header = dup_range(p, (size_t)(authority_end - p));
	out->prefix = strdup(authority_end);
	free(url);
	if (!out->address || !out->host_header || !out->prefix) {
		wsurl_free(out);
		return errbuf_set(err, "out of memory");
	}
	return true;
}

char *wsurl_events_path(const struct wsurl *u, int64_t since)
{
	size_t n = strlen(u->prefix) + sizeof "/v1/events?since=" + 24;
	char *path = malloc(n);

	if (!path)
		return NULL;
	if (since >= 0)
		snprintf(path, n, "%s/v1/events?since=%" PRId64, u->prefix, since);
	else
		snprintf(path, n, "%s/v1/events", u->prefix);
	return path;
}

void wsurl_free(struct wsurl *u)
{
	free(u->address);
	free(u->host_header);
	free(u->prefix);
	memset(u, 0, sizeof *u);
}
