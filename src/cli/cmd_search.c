/*
 * cmd_search.c — `search TEXT`: the newest messages of every chat holding
 * every word of TEXT, each with its chat's customer and title.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "print.h"
#include "searchres.h"

/* The chats of the hits, each read once: a search finds several messages
 * of one conversation more often than not. */
struct chat_cache {
	struct chat *chats;
	size_t n;
};

static const struct chat *chat_of(struct cli *cli, struct chat_cache *cc, const char *id)
{
	struct cli_wait w = {0};
	struct errbuf err;

	for (size_t i = 0; i < cc->n; i++)
		if (strcmp(cc->chats[i].id, id) == 0)
			return &cc->chats[i];
	/* A chat that cannot be read now (gone, hub busy) costs the line its
	 * customer and title, not the whole answer. */
	if (!api_chat_get(cli->api, id, cli_on_done, &w, &err))
		return NULL;
	if (cli_wait(cli, "search", &w) != EXIT_OK)
		return NULL;
	struct chat *grown = realloc(cc->chats, (cc->n + 1) * sizeof *grown);
	if (!grown) {
		api_result_free(&w.r);
		return NULL;
	}
	cc->chats = grown;
	cc->chats[cc->n] = *w.r.chat;
	free(w.r.chat);
	w.r.chat = NULL;
	return &cc->chats[cc->n++];
}

int cmd_search(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	int limit = 0;
	const char *l = cli_opt(a, "limit");

	if (l) {
		char *end;
		long v = strtol(l, &end, 10);
		if (*l == '\0' || *end || v < 1 || v > 100)
			return cli_usage_error(cli, "search", "--limit: must be 1..100");
		limit = (int)v;
	}
	if (!api_search(cli->api, a->argv[0], limit, cli_on_done, &w, &err))
		return cli_start_failed(cli, "search", &err);
	int status = cli_wait(cli, "search", &w);
	if (status != EXIT_OK)
		return status;
	struct chat_cache cc = {0};
	bool bold = isatty(fileno(cli->out));
	for (size_t i = 0; i < w.r.search->n; i++) {
		const struct search_result *r = &w.r.search->results[i];
		if (cli->json)
			print_json(cli->out, search_result_to_json(r));
		else
			print_search_hit(cli->out, r, chat_of(cli, &cc, r->chat_id), bold);
	}
	/* Said on stderr: a script reading stdout sees no lines. */
	if (w.r.search->n == 0 && !cli->json)
		fprintf(cli->err, "handoff: search: no message matches \"%s\"\n", a->argv[0]);
	for (size_t i = 0; i < cc.n; i++)
		chat_free(&cc.chats[i]);
	free(cc.chats);
	api_result_free(&w.r);
	return status;
}
