/*
 * cmd_chats.c — reading: `chats` (every page of a filtered list) and
 * `show` (one chat with its messages).
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "commands.h"
#include "enums.h"
#include "print.h"
#include "timeutil.h"

/* An option that must be one word of a vocabulary: exit 2 otherwise. */
static bool check_enum(struct cli *cli, const char *cmd, const char *opt, const char *value,
		       const struct enum_table *t, int *status)
{
	int v;

	if (!value || enum_parse(t, value, &v))
		return true;
	char words[160] = "";
	for (int i = 0; i < t->count; i++) {
		size_t len = strlen(words);
		snprintf(words + len, sizeof words - len, "%s%s", i ? ", " : "", t->names[i]);
	}
	*status = cli_usage_error(cli, cmd, "--%s: '%s' is not one of %s", opt, value, words);
	return false;
}

int cmd_chats(struct cli *cli, const struct cli_args *a)
{
	static const char *const sorts[] = {"recent", "waiting"};
	static const struct enum_table sort_table = {"sort", sorts, 2};
	struct api_chat_filter f = {
		.waiting = cli_flag(a, "waiting"),
		.responder = cli_opt(a, "responder"),
		.mode = cli_opt(a, "mode"),
		.status = cli_opt(a, "status"),
		.channel = cli_opt(a, "channel"),
		.q = cli_opt(a, "search"),
		.sort = cli_opt(a, "sort"),
	};
	int status = EXIT_OK;

	if (cli_flag(a, "mine")) {
		if (f.responder)
			return cli_usage_error(cli, "chats", "--mine and --responder cannot be combined");
		f.responder = "me";
	}
	if (!check_enum(cli, "chats", "mode", f.mode, &chat_mode_table, &status) ||
	    !check_enum(cli, "chats", "status", f.status, &ticket_status_table, &status) ||
	    !check_enum(cli, "chats", "channel", f.channel, &channel_type_table, &status) ||
	    !check_enum(cli, "chats", "sort", f.sort, &sort_table, &status))
		return status;
	const char *limit = cli_opt(a, "limit");
	if (limit) {
		char *end;
		long n = strtol(limit, &end, 10);
		if (*end || end == limit || n < 1 || n > 200)
			return cli_usage_error(cli, "chats", "--limit: must be a number from 1 to 200");
		f.limit = (int)n;
	}

	/* Follow the cursors to the end: the hub guarantees each matching
	 * chat exactly once over the walk. Each page is printed as it comes. */
	char *cursor = NULL;
	int64_t now = ts_now();
	do {
		struct cli_wait w = {0};
		struct errbuf err;
		f.cursor = cursor;
		if (!api_chats(cli->api, &f, cli_on_done, &w, &err)) {
			free(cursor);
			return cli_start_failed(cli, "chats", &err);
		}
		status = cli_wait(cli, "chats", &w);
		free(cursor);
		cursor = NULL;
		if (status != EXIT_OK)
			break;
		const struct api_chat_page *p = w.r.chats;
		for (size_t i = 0; i < p->n; i++) {
			if (cli->json)
				print_json(cli->out, chat_to_json(&p->chats[i]));
			else
				print_chat_line(cli->out, &p->chats[i], now);
		}
		if (p->next_cursor) {
			cursor = w.r.chats->next_cursor;
			w.r.chats->next_cursor = NULL;
		}
		api_result_free(&w.r);
	} while (cursor);
	return status;
}

/* Up to `limit` messages older than `before` (0: the newest), put in
 * front of *list. */
static int fetch_messages(struct cli *cli, const char *id, int64_t before, int limit,
			  struct message **list, size_t *n, bool *more)
{
	struct cli_wait w = {0};
	struct errbuf err;

	if (!api_messages(cli->api, id, before, -1, limit, cli_on_done, &w, &err))
		return cli_start_failed(cli, "show", &err);
	int status = cli_wait(cli, "show", &w);
	if (status != EXIT_OK)
		return status;
	struct api_message_page *p = w.r.messages;
	struct message *grown = realloc(*list, (*n + p->n + 1) * sizeof *grown);
	if (!grown) {
		api_result_free(&w.r);
		fprintf(cli->err, "handoff: show: out of memory\n");
		return EXIT_SERVER;
	}
	memmove(grown + p->n, grown, *n * sizeof *grown);
	memcpy(grown, p->messages, p->n * sizeof *grown);
	*list = grown;
	*n += p->n;
	p->n = 0; /* the messages moved into *list */
	*more = p->has_more_before;
	api_result_free(&w.r);
	return EXIT_OK;
}

int cmd_show(struct cli *cli, const struct cli_args *a)
{
	const char *id = a->argv[0];
	struct cli_wait w = {0};
	struct errbuf err;

	if (!api_chat_get(cli->api, id, cli_on_done, &w, &err))
		return cli_start_failed(cli, "show", &err);
	int status = cli_wait(cli, "show", &w);
	if (status != EXIT_OK)
		return status;

	struct message *msgs = NULL;
	size_t n = 0;
	bool more = false;
	bool all = cli_flag(a, "all");
	status = fetch_messages(cli, id, 0, all ? 100 : 50, &msgs, &n, &more);
	while (status == EXIT_OK && more && n > 0 && all)
		status = fetch_messages(cli, id, msgs[0].seq, 100, &msgs, &n, &more);
	if (status == EXIT_OK && cli->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON *arr = cJSON_CreateArray();
		bool ok = j && arr && cJSON_AddItemToObject(j, "chat", chat_to_json(w.r.chat));
		if (ok)
			cJSON_AddItemToObject(j, "messages", arr);
		else
			cJSON_Delete(arr);
		for (size_t i = 0; ok && i < n; i++) {
			cJSON *m = message_to_json(&msgs[i]);
			ok = m && cJSON_AddItemToArray(arr, m);
		}
		if (!ok || !print_json(cli->out, ok ? j : NULL)) {
			if (!ok)
				cJSON_Delete(j);
			fprintf(cli->err, "handoff: show: out of memory\n");
			status = EXIT_SERVER;
		}
	} else if (status == EXIT_OK) {
		print_chat_detail(cli->out, w.r.chat, ts_now());
		if (more)
			fprintf(cli->out, "(older messages: handoff show --all %s)\n", id);
		fputc('\n', cli->out);
		for (size_t i = 0; i < n; i++)
			print_msg(cli->out, &msgs[i]);
	}
	for (size_t i = 0; i < n; i++)
		message_free(&msgs[i]);
	free(msgs);
	api_result_free(&w.r);
	return status;
}
