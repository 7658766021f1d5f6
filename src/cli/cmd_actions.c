/*
 * cmd_actions.c — acting on one chat: takeover, handback, reply, note,
 * rate, retitle, status, assign, stop. Each prints the chat (or the
 * message) the hub answered with; `reply --queue` and `note --queue` only
 * queue the text for the console and print its client_msg_id.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec.h"
#include "commands.h"
#include "outbox.h"
#include "print.h"
#include "timeutil.h"
#include "uuid.h"

/* Wait for a call answered by a chat, and print the chat. `started` is
 * what the api_* function returned. */
static int finish_chat(struct cli *cli, const char *cmd, bool started, struct cli_wait *w,
		       const struct errbuf *err)
{
	if (!started)
		return cli_start_failed(cli, cmd, err);
	int status = cli_wait(cli, cmd, w);
	if (status == EXIT_OK) {
		if (cli->json)
			print_json(cli->out, chat_to_json(w->r.chat));
		else
			print_chat_line(cli->out, w->r.chat, ts_now());
	}
	api_result_free(&w->r);
	return status;
}

int cmd_takeover(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	bool ok = api_takeover(cli->api, a->argv[0], cli_flag(a, "force"), cli_on_done, &w, &err);
	return finish_chat(cli, "takeover", ok, &w, &err);
}

int cmd_handback(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	bool ok = api_handback(cli->api, a->argv[0], cli_on_done, &w, &err);
	return finish_chat(cli, "handback", ok, &w, &err);
}

/* Auto-assignment's offers (v1.1). */
int cmd_accept(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	bool ok = api_accept(cli->api, a->argv[0], cli_on_done, &w, &err);
	return finish_chat(cli, "accept", ok, &w, &err);
}

int cmd_pass(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	bool ok = api_pass(cli->api, a->argv[0], cli_on_done, &w, &err);
	return finish_chat(cli, "pass", ok, &w, &err);
}

int cmd_stop(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	bool ok = api_stop(cli->api, a->argv[0], cli_on_done, &w, &err);
	return finish_chat(cli, "stop", ok, &w, &err);
}

int cmd_retitle(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	if (!*a->argv[1])
		return cli_usage_error(cli, "retitle", "the title is empty");
	bool ok = api_chat_patch(cli->api, a->argv[0], a->argv[1], NULL, cli_on_done, &w, &err);
	return finish_chat(cli, "retitle", ok, &w, &err);
}

int cmd_status(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	int v;
	if (!enum_parse(&ticket_status_table, a->argv[1], &v))
		return cli_usage_error(cli, "status",
				       "'%s' is not a ticket status (open, pending, solved, closed)",
				       a->argv[1]);
	bool ok = api_chat_patch(cli->api, a->argv[0], NULL, a->argv[1], cli_on_done, &w, &err);
	return finish_chat(cli, "status", ok, &w, &err);
}

int cmd_rate(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	const char *s = a->argv[1];
	if (!(s[0] >= '1' && s[0] <= '5' && s[1] == '\0'))
		return cli_usage_error(cli, "rate", "SCORE must be 1, 2, 3, 4 or 5");
	bool ok = api_rating(cli->api, a->argv[0], s[0] - '0', cli_opt(a, "feedback"),
			     cli_opt(a, "suggested"), cli_on_done, &w, &err);
	return finish_chat(cli, "rate", ok, &w, &err);
}

/* The outbox of a --queue run never sends: it stays offline. */
static void never_sent(void *ctx, const struct outbox_entry *e)
{
	(void)ctx;
	(void)e;
}

/* --queue: the text goes into an outbox journal of this process, fsynced,
 * and nothing else; closing leaves it there, unlocked, and the next console
 * to start adopts the journal and sends it (outbox.h). No hub is needed,
 * so this answers at once. */
static int queue_text(struct cli *cli, const char *cmd, const struct cli_args *a, bool internal)
{
	char dir[1024], cmid[CLIENT_MSG_ID_MAX_CHARS + 1];
	struct errbuf err;

	if (!uuid_valid(a->argv[0]))
		return cli_usage_error(cli, cmd, "chat: not a valid id (a lowercase UUID)");
	if (!*a->argv[1])
		return cli_usage_error(cli, cmd, "the text is empty");
	struct outbox_options opt = {.dir = dir, .send = never_sent};
	struct outbox *ob = NULL;
	bool ok = config_state_dir(dir, sizeof dir, NULL, &err) &&
		  (ob = outbox_open(&opt, &err)) &&
		  outbox_add(ob, a->argv[0], a->argv[1], internal, cmid, &err);
	outbox_close(ob);
	if (!ok) {
		fprintf(cli->err, "handoff: %s: not queued: %s\n", cmd, err.msg);
		return EXIT_SERVER;
	}
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		if (j && cJSON_AddStringToObject(j, "client_msg_id", cmid) &&
		    cJSON_AddStringToObject(j, "chat_id", a->argv[0]) &&
		    cJSON_AddTrueToObject(j, "queued"))
			print_json(cli->out, j);
		else
			cJSON_Delete(j);
	} else {
		fprintf(cli->out, "%s queued as %s\n", internal ? "note" : "reply", cmid);
	}
	return EXIT_OK;
}

/* reply and note: a fresh client_msg_id, and retry_safe, so a lost answer
 * is resent and the hub drops the duplicate. Without --queue nothing is
 * kept: when the hub cannot be reached the text is gone (exit 3). */
static int send_text(struct cli *cli, const char *cmd, const struct cli_args *a, bool internal)
{
	struct cli_wait w = {0};
	struct errbuf err;
	char cmid[UUID_STRLEN + 1];

	if (cli_flag(a, "queue"))
		return queue_text(cli, cmd, a, internal);
	if (!api_new_client_msg_id(cmid, &err)) {
		fprintf(cli->err, "handoff: %s: %s\n", cmd, err.msg);
		return EXIT_SERVER;
	}
	if (!api_send(cli->api, a->argv[0], a->argv[1], cmid, internal, true, cli_on_done, &w,
		      &err))
		return cli_start_failed(cli, cmd, &err);
	int status = cli_wait(cli, cmd, &w);
	if (status == EXIT_OK) {
		if (cli->json)
			print_json(cli->out, message_to_json(w.r.message));
		else
			fprintf(cli->out, "%s #%lld sent\n", internal ? "note" : "reply",
				(long long)w.r.message->seq);
	}
	api_result_free(&w.r);
	return status;
}

int cmd_reply(struct cli *cli, const struct cli_args *a)
{
	return send_text(cli, "reply", a, false);
}

int cmd_note(struct cli *cli, const struct cli_args *a)
{
	return send_text(cli, "note", a, true);
}

int cli_resolve_agent(struct cli *cli, const char *cmd, const char *who,
		      char id[UUID_STRLEN + 1])
{
	struct cli_wait w = {0};
	struct errbuf err;

	if (uuid_valid(who)) {
		snprintf(id, UUID_STRLEN + 1, "%s", who);
		return EXIT_OK;
	}
	if (!api_agents(cli->api, cli_on_done, &w, &err))
		return cli_start_failed(cli, cmd, &err);
	int status = cli_wait(cli, cmd, &w);
	if (status != EXIT_OK)
		return status;
	int found = 0;
	for (size_t i = 0; i < w.r.agents->n; i++) {
		const struct agent *ag = &w.r.agents->agents[i];
		if (ag->role != ACCOUNT_INGEST && !strcasecmp(ag->name, who)) {
			snprintf(id, UUID_STRLEN + 1, "%s", ag->id);
			found++;
		}
	}
	api_result_free(&w.r);
	if (found == 1)
		return EXIT_OK;
	return cli_usage_error(cli, cmd,
			       found ? "several agents are called '%s': give the agent's id"
				     : "no agent is called '%s'",
			       who);
}

int cmd_assign(struct cli *cli, const struct cli_args *a)
{
	struct cli_wait w = {0};
	struct errbuf err;
	char id[UUID_STRLEN + 1];

	if (!uuid_valid(a->argv[0]))
		return cli_usage_error(cli, "assign", "chat: not a valid id (a lowercase UUID)");
	int status = cli_resolve_agent(cli, "assign", a->argv[1], id);
	if (status != EXIT_OK)
		return status;
	bool ok = api_assign(cli->api, a->argv[0], id, cli_on_done, &w, &err);
	return finish_chat(cli, "assign", ok, &w, &err);
}
