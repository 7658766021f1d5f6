/*
 * sim_webhook.c — one delivery at a time on libuv's thread pool, with
 * libcurl's easy interface: a blocking POST in a worker keeps the loop free
 * and the code short, and one at a time keeps the events in order.
 */
#include "sim_webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"

/* A receiver that takes longer than this counts as failed. */
#define DELIVERY_TIMEOUT_MS 5000
/* Room for a signature header's value. */
#define SIGNATURE_MAX 256

struct delivery {
	struct delivery *next;
	char *url;
	/* "Name: value", made when queued: the header may change meanwhile. */
	char header[SIGNATURE_MAX + 128];
	long status;            /* set by the worker: HTTP status, 0 when none */
	char body[];
};

struct sim_webhook {
	uv_loop_t *loop;
	uv_work_t work;
	CURL *curl;             /* used only by the worker, one delivery at a time */
	char *url, *secret;
	const char *header;
	char *own_header;       /* set by sim_webhook_set_header, else NULL */
	sim_sign_fn sign;
	struct delivery *head, *tail, *inflight;
	struct sim_webhook_stats stats;
	int closing;
};

void sim_sign_hmac_sha256_hex(const char *secret, const char *body, size_t len, char *out,
			      size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	out[0] = '\0';
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, md,
	     &mdlen);
	for (unsigned i = 0; i < mdlen && 2 * i + 2 < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

struct sim_webhook *sim_webhook_new(uv_loop_t *loop, const char *header, sim_sign_fn sign)
{
	struct sim_webhook *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->loop = loop;
	w->header = header;
	w->sign = sign;
	w->work.data = w;
	if (!(w->curl = curl_easy_init())) {
		free(w);
		return NULL;
	}
	return w;
}

int sim_webhook_configure(struct sim_webhook *w, const char *url, const char *secret)
{
	free(w->url);
	free(w->secret);
	w->url = url && *url ? strdup(url) : NULL;
	w->secret = strdup(secret ? secret : "");
	return (url && *url && !w->url) || !w->secret ? -1 : 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	return size * n;
}

static void deliver(uv_work_t *req)
{
	struct sim_webhook *w = req->data;
	struct delivery *d = w->inflight;
	struct curl_slist *h = NULL;

	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, d->header);
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, d->url);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, &d->body[0]);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, (long)DELIVERY_TIMEOUT_MS);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	d->status = 0;
	if (curl_easy_perform(w->curl) == CURLE_OK)
		curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &d->status);
	curl_slist_free_all(h);
}

static void start_next(struct sim_webhook *w);

static void delivery_free(struct delivery *d)
{
	free(d->url);
	free(d);
}

static void webhook_free(struct sim_webhook *w)
{
	while (w->head) {
		struct delivery *d = w->head;
		w->head = d->next;
		delivery_free(d);
	}
	curl_easy_cleanup(w->curl);
	free(w->url);
	free(w->secret);
	free(w->own_header);
	free(w);
}

static void delivered(uv_work_t *req, int status)
{
	struct sim_webhook *w = req->data;
	struct delivery *d = w->inflight;

	w->inflight = NULL;
	w->stats.pending--;
	if (d->status >= 200 && d->status < 300) {
		w->stats.sent++;
	} else {
		w->stats.failed++;
		log_warn("webhook: delivery failed (HTTP status %ld)", d->status);
	}
	delivery_free(d);
	if (w->closing)
		webhook_free(w);
	else
		start_next(w);
}

static void start_next(struct sim_webhook *w)
{
	if (w->inflight || !w->head)
		return;
	w->inflight = w->head;
	w->head = w->head->next;
	if (!w->head)
		w->tail = NULL;
	if (uv_queue_work(w->loop, &w->work, deliver, delivered) < 0) {
		w->stats.pending--;
		w->stats.failed++;
		delivery_free(w->inflight);
		w->inflight = NULL;
	}
}

int sim_webhook_enabled(const struct sim_webhook *w)
{
	return w->url != NULL;
}

void sim_webhook_push_to(struct sim_webhook *w, const char *url, const char *secret,
			 const char *body, int copies)
{
	size_t len = strlen(body);
	char value[SIGNATURE_MAX];

	if (!url || !*url)
		return;
	w->sign(secret ? secret : "", body, len, value, sizeof value);
	for (int i = 0; i < copies; i++) {
		struct delivery *d = calloc(1, sizeof *d + len + 1);
		if (!d || !(d->url = strdup(url))) {
			free(d);
			return;
		}
		memcpy(d->body, body, len + 1);
		snprintf(d->header, sizeof d->header, "%s: %s", w->header, value);
		if (w->tail)
			w->tail->next = d;
		else
			w->head = d;
		w->tail = d;
		w->stats.pending++;
	}
	start_next(w);
}

void sim_webhook_push(struct sim_webhook *w, const char *body, int copies)
{
	sim_webhook_push_to(w, w->url, w->secret, body, copies);
}

const char *sim_webhook_url(const struct sim_webhook *w)
{
	return w->url;
}

const char *sim_webhook_secret(const struct sim_webhook *w)
{
	return w->secret;
}

int sim_webhook_set_header(struct sim_webhook *w, const char *header)
{
	char *h = strdup(header);

	if (!h)
		return -1;
	free(w->own_header);
	w->own_header = h;
	w->header = h;
	return 0;
}

void sim_sign_token(const char *secret, const char *body, size_t len, char *out, size_t n)
{
	(void)body;
	(void)len;
	snprintf(out, n, "%s", secret);
}

struct sim_webhook_stats sim_webhook_stats(const struct sim_webhook *w)
{
	return w->stats;
}

void sim_webhook_close(struct sim_webhook *w)
{
	w->closing = 1;
	if (!w->inflight)
		webhook_free(w);
}
