/*
 * cmd_watch.c — `handoff watch`: the event stream as JSON lines.
 *
 * One event per line on stdout (flushed at once, for pipes), exactly as the
 * hub sent it, made terminal-safe like every --json output. The stream
 * (stream.h) reconnects by itself with ?since=, so a hub restart costs
 * neither a gap nor a duplicate. When the hub cannot bring us up to date
 * (`since` older than it keeps), a {"type":"resync"} line says so: what a
 * consumer built from earlier lines must be reloaded.
 *
 * Exit: 0 on SIGINT/SIGTERM; 1 when the hub refuses the token; 3 when the
 * hub cannot be reached at the start. Once it was live, watch keeps
 * reconnecting for as long as it runs, and says so on stderr.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "commands.h"
#include "print.h"
#include "stream.h"

struct watch {
	struct cli *cli;
	struct stream *stream;
	uv_signal_t sigint, sigterm;
	bool was_live;       /* live once: from then on, always reconnect */
	bool fresh;          /* started without since: the first reload is ours */
	bool done;
	int status;
	int open_handles;    /* the signal handles, until their close finished */
};

static void watch_finish(struct watch *w, int status)
{
	if (w->done)
		return;
	w->done = true;
	w->status = status;
}

static void on_hello(void *ctx, const struct event *hello)
{
	(void)ctx;
	(void)hello;
}

static void on_event(void *ctx, const struct event *e)
{
	struct watch *w = ctx;

	if (!print_json(w->cli->out, event_to_json(e)))
		fprintf(w->cli->err, "handoff: watch: out of memory printing event %lld\n",
			(long long)e->seq);
	fflush(w->cli->out);
}

static void on_resync(void *ctx)
{
	struct watch *w = ctx;

	/* On a fresh start the stream asks us to "load the lists": a watcher
	 * has none. Any later resync means events were lost to us. */
	if (w->fresh) {
		w->fresh = false;
		return;
	}
	fputs("{\"type\":\"resync\"}\n", w->cli->out);
	fflush(w->cli->out);
}

static void on_state(void *ctx, const struct stream_status *st)
{
	struct watch *w = ctx;
	FILE *err = w->cli->err;

	switch (st->state) {
	case STREAM_LIVE:
		/* On stderr, so a script or a person knows events flow now. */
		fprintf(err, "handoff: watch: %s\n", w->was_live ? "live again" : "live");
		w->was_live = true;
		break;
	case STREAM_RETRYING:
		if (!w->was_live) {
			fprintf(err, "handoff: watch: %s\n", st->reason ? st->reason : "unreachable");
			watch_finish(w, EXIT_UNREACHABLE);
			break;
		}
		fprintf(err, "handoff: watch: %s; reconnecting in %.1f s\n",
			st->reason ? st->reason : "connection lost", st->retry_delay_ms / 1000.0);
		break;
	case STREAM_OFFLINE:
		fprintf(err, "handoff: watch: %s\n", st->reason ? st->reason : "gave up");
		watch_finish(w, EXIT_SERVER);
		break;
	case STREAM_STOPPED:
	case STREAM_CONNECTING:
		break;
	}
}

static void on_signal(uv_signal_t *h, int signum)
{
	(void)signum;
	watch_finish(h->data, EXIT_OK);
}

static void on_signal_closed(uv_handle_t *h)
{
	struct watch *w = h->data;

	w->open_handles--;
}

static void close_signal(uv_signal_t *h)
{
	uv_signal_stop(h);
	uv_close((uv_handle_t *)h, on_signal_closed);
}

int cmd_watch(struct cli *cli, const struct cli_args *a)
{
	static const struct stream_callbacks cb = {on_hello, on_event, on_resync, on_state};
	struct watch w = {.cli = cli, .fresh = true};
	const char *since_arg = cli_opt(a, "since");
	int64_t since = -1;
	struct errbuf err;

	if (since_arg) {
		char *end;
		long long v = strtoll(since_arg, &end, 10);
		if (*since_arg < '0' || *since_arg > '9' || *end || v < 0)
			return cli_usage_error(cli, "watch", "--since wants an event seq, not \"%s\"",
					       since_arg);
		since = v;
		w.fresh = false;
	}
	w.stream = stream_new(&cli->loop, cli->cfg.server, cli->cfg.token, cli->cfg.insecure, &cb,
			      &w, &err);
	if (!w.stream)
		return cli_start_failed(cli, "watch", &err);
	uv_signal_init(&cli->loop, &w.sigint);
	uv_signal_init(&cli->loop, &w.sigterm);
	w.sigint.data = w.sigterm.data = &w;
	w.open_handles = 2;
	uv_signal_start(&w.sigint, on_signal, SIGINT);
	uv_signal_start(&w.sigterm, on_signal, SIGTERM);

	stream_start(w.stream, since);
	while (!w.done)
		uv_run(&cli->loop, UV_RUN_ONCE);

	stream_free(w.stream);
	close_signal(&w.sigint);
	close_signal(&w.sigterm);
	/* The handles live in `w`, on this stack: wait until libuv let go. */
	while (w.open_handles)
		uv_run(&cli->loop, UV_RUN_ONCE);
	return w.status;
}
