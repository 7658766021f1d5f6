/*
 * wsurl.h — where the event stream lives, from the server URL.
 *
 * The console is configured with one URL, "http(s)://host[:port][/prefix]"
 * (settings.h checks it); libwebsockets wants it in pieces: the address to
 * connect to, the port, whether to speak TLS, the Host header and the path
 * of the request, here "<prefix>/v1/events?since=N".
 */
#ifndef HANDOFF_WSURL_H
#define HANDOFF_WSURL_H

#include <stdbool.h>
#include <stdint.h>

#include "errbuf.h"

struct wsurl {
	bool tls;           /* https:// */
	char *address;      /* host name or IP, without the brackets of IPv6 */
	int port;           /* given, else 443 for https and 80 for http */
	char *host_header;  /* "host" or "host:port" (brackets kept) as sent in Host */
	char *prefix;       /* the URL's path without trailing slashes; "" when none */
};

/* Split `server_url` (checked with config_check_server) into `out`; on
 * failure `out` is zeroed and `err` says what is wrong with the URL. */
bool wsurl_parse(const char *server_url, struct wsurl *out, struct errbuf *err);

/* The request path of the stream: "<prefix>/v1/events", with
 * "?since=N" when since >= 0. Returns a heap string, NULL when out of memory. */
char *wsurl_events_path(const struct wsurl *u, int64_t since);

/* Free the strings and zero `u` (a zeroed struct is fine too). */
void wsurl_free(struct wsurl *u);

#endif
