/*
 * bridge_webhook.c — the receiver of pushed deliveries: an lws server on
 * the bridge's libuv loop (a context of its own beside the event stream's
 * client), one POST per delivery.
 *
 * A delivery is accepted only with a valid signature: the header the
 * platform names (Botpress: x-bp-signature), hex HMAC-SHA256 of the raw
 * body keyed by the shared secret, compared in constant time. Then the
 * platform parses it into items for the inbound queue and the answer is
 * 200 at once: ingesting happens after, and a delivery lost on the way (or
 * in a crash) is found by the poller, whose cursor pushes never move. A
 * delivery that comes twice is harmless: the message is known by then, or
 * the hub drops the repeat by its external_message_id.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bridge.h"
#include "log.h"

#define MAX_BODY (1024 * 1024)
#define SIG_MAX 256

struct webhook {
	struct bridge *b;
	struct lws_context *ctx;   /* lws sets it to NULL once destroyed */
	void *loops[1];
	bool stopping;
};

struct wh_conn {
	char *body;
	size_t len;
	bool too_large;
	char sig[SIG_MAX];
	int status;
	const char *answer;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool webhook_hmac_sha256_ok(const char *secret, const char *body, size_t len, const char *hex)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[32];
	unsigned int n = 0;

	if (strncmp(hex, "sha256=", 7) == 0) /* the form some platforms use */
		hex += 7;
	if (strlen(hex) != 64)
		return false;
	for (int i = 0; i < 32; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, want,
		  &n) || n != 32)
		return false;
	return CRYPTO_memcmp(want, got, 32) == 0;
}

static struct webhook *webhook_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static int answer(struct lws *wsi, struct wh_conn *c, int status, const char *body)
{
	c->status = status;
	c->answer = body;
	lws_callback_on_writable(wsi);
	return 0;
}

static int write_answer(struct lws *wsi, struct wh_conn *c)
{
	unsigned char buf[LWS_PRE + 512];
	unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
	size_t n = strlen(c->answer);

	if (lws_add_http_common_headers(wsi, (unsigned)c->status, "application/json", n, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	memcpy(buf + LWS_PRE, c->answer, n);
	if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n)
		return -1;
	free(c->body);
	memset(c, 0, sizeof *c);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int begin(struct lws *wsi, struct wh_conn *c)
{
	struct webhook *w = webhook_of(wsi);
	const char *name = w->b->pf->webhook_signature_header;
	char hname[64];

	memset(c, 0, sizeof *c);
	if (!lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
		return answer(wsi, c, 405, "{\"error\":\"POST a delivery\"}");
	snprintf(hname, sizeof hname, "%s:", name);
	if (lws_hdr_custom_copy(wsi, c->sig, sizeof c->sig, hname, (int)strlen(hname)) < 0)
		c->sig[0] = '\0';
	if (!lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH))
		return answer(wsi, c, 411, "{\"error\":\"send a Content-Length\"}");
	return 0;
}

static int body(struct wh_conn *c, const void *in, size_t len)
{
	if (c->too_large || c->len + len > MAX_BODY) {
		c->too_large = true;
		return 0;
	}
	char *grown = realloc(c->body, c->len + len + 1);
	if (!grown)
		return -1;
	c->body = grown;
	memcpy(c->body + c->len, in, len);
	c->len += len;
	c->body[c->len] = '\0';
	return 0;
}

static int body_done(struct lws *wsi, struct wh_conn *c)
{
	struct webhook *w = webhook_of(wsi);
	struct bridge *b = w->b;
	struct pf_result r = {0};
	struct errbuf why;

	if (c->too_large)
		return answer(wsi, c, 413, "{\"error\":\"too large\"}");
	bool (*verify)(const char *, const char *, size_t, const char *) =
		b->pf->webhook_verify ? b->pf->webhook_verify : webhook_hmac_sha256_ok;
	if (!c->sig[0] || !verify(b->cfg->webhook_secret, c->body ? c->body : "", c->len, c->sig)) {
		log_warn("webhook: a delivery with a bad or missing signature was refused");
		return answer(wsi, c, 401, "{\"error\":\"bad signature\"}");
	}
	if (b->draining)
		return answer(wsi, c, 503, "{\"error\":\"stopping\"}");
	if (!b->pf->parse_webhook(b->pc, c->body ? c->body : "", c->len, &r, &why)) {
		log_warn("webhook: delivery refused: %s", why.msg);
		pf_result_free(&r);
		return answer(wsi, c, 400, "{\"error\":\"not a delivery\"}");
	}
	inbound_push(b->in, &r);
	pf_result_free(&r);
	return answer(wsi, c, 200, "{}");
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct wh_conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return begin(wsi, c);
	case LWS_CALLBACK_HTTP_BODY:
		return body(c, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return body_done(wsi, c);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return c->answer ? write_answer(wsi, c) : 0;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (c) {
			free(c->body);
			memset(c, 0, sizeof *c);
		}
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{"http", callback, sizeof(struct wh_conn), 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

struct webhook *webhook_start(struct bridge *b, struct errbuf *err)
{
	struct webhook *w = calloc(1, sizeof *w);
	struct lws_context_creation_info info;

	if (!w) {
		errbuf_set(err, "out of memory");
		return NULL;
	}
	w->b = b;
	memset(&info, 0, sizeof info);
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	w->loops[0] = b->loop;
	info.foreign_loops = w->loops;
	info.pcontext = &w->ctx;
	info.user = w;
	w->ctx = lws_create_context(&info);
	if (!w->ctx) {
		free(w);
		errbuf_set(err, "webhook: cannot start libwebsockets");
		return NULL;
	}
	memset(&info, 0, sizeof info);
	info.vhost_name = "webhook";
	info.iface = b->cfg->webhook_host;
	info.port = b->cfg->webhook_port; /* 0: the kernel chooses (tests) */
	if (inet_pton(AF_INET, b->cfg->webhook_host, &(struct in_addr){0}) == 1)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.protocols = protocols;
	struct lws_vhost *vh = lws_create_vhost(w->ctx, &info);
	if (!vh) {
		errbuf_set(err, "webhook: cannot listen on %s:%d", b->cfg->webhook_host,
			   b->cfg->webhook_port);
		webhook_free(w);
		return NULL;
	}
	log_info("webhook: listening on %s:%d", b->cfg->webhook_host, lws_get_vhost_listen_port(vh));
	return w;
}

void webhook_stop(struct webhook *w)
{
	if (w && w->ctx && !w->stopping) {
		w->stopping = true;
		lws_context_destroy(w->ctx);
	}
}

void webhook_free(struct webhook *w)
{
	if (!w)
		return;
	/* On a foreign loop the first destroy starts closing; this one, once
	 * the loop has run, completes it. */
	webhook_stop(w);
	if (w->ctx)
		lws_context_destroy(w->ctx);
	free(w);
}
