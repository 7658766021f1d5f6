/*
 * cmd_replies.c — `replies list|add|rm`: the canned replies the console's
 * composer offers. Supervisors manage the shared ones; any agent keeps
 * personal ones.
 */
#include <stdlib.h>
#include <string.h>

#include "canned.h"
#include "commands.h"
#include "print.h"
#include "textsafe.h"

/* "name  shared|personal  id  text", the text on one line. */
static void print_canned(FILE *f, const struct canned *r)
{
	char *name = textsafe_dup(r->name, strlen(r->name), 0);
	char *text = textsafe_dup(r->text, strlen(r->text), 0);

	fprintf(f, "%-20s %-8s %s  %s\n", name ? name : "?", r->shared ? "shared" : "personal",
		r->id, text ? text : "?");
	free(name);
	free(text);
}

static int replies_list(struct cli *cli)
{
	struct cli_wait w = {0};
	struct errbuf err;

	if (!api_canned_list(cli->api, cli_on_done, &w, &err))
		return cli_start_failed(cli, "replies", &err);
	int status = cli_wait(cli, "replies", &w);
	for (size_t i = 0; status == EXIT_OK && i < w.r.canned->n; i++) {
		if (cli->json)
			print_json(cli->out, canned_to_json(&w.r.canned->replies[i]));
		else
			print_canned(cli->out, &w.r.canned->replies[i]);
	}
	api_result_free(&w.r);
	return status;
}

/* The answer of add or rm: the reply, as one line or one JSON object. */
static int finish_one(struct cli *cli, bool started, struct cli_wait *w, struct errbuf *err,
		      const char *done)
{
	if (!started)
		return cli_start_failed(cli, "replies", err);
	int status = cli_wait(cli, "replies", w);
	if (status == EXIT_OK) {
		if (cli->json)
			print_json(cli->out, canned_to_json(w->r.canned_one));
		else
			fprintf(cli->out, "%s %s\n", done, w->r.canned_one->id);
	}
	api_result_free(&w->r);
	return status;
}

/* REPLY as an id, or the name of one reply the caller sees. */
static int resolve(struct cli *cli, const char *which, char id[UUID_STRLEN + 1])
{
	struct cli_wait w = {0};
	struct errbuf err;
	int found = 0;

	if (uuid_valid(which)) {
		snprintf(id, UUID_STRLEN + 1, "%s", which);
		return EXIT_OK;
	}
	if (!api_canned_list(cli->api, cli_on_done, &w, &err))
		return cli_start_failed(cli, "replies", &err);
	int status = cli_wait(cli, "replies", &w);
	if (status != EXIT_OK)
		return status;
	for (size_t i = 0; i < w.r.canned->n; i++) {
		if (strcmp(w.r.canned->replies[i].name, which) == 0) {
			snprintf(id, UUID_STRLEN + 1, "%s", w.r.canned->replies[i].id);
			found++;
		}
	}
	api_result_free(&w.r);
	if (found == 1)
		return EXIT_OK;
	return cli_usage_error(cli, "replies",
			       found ? "a shared and a personal reply are called '%s': give the id"
				     : "no reply is called '%s'",
			       which);
}

int cmd_replies(struct cli *cli, const struct cli_args *a)
{
	const char *sub = a->argv[0];
	struct cli_wait w = {0};
	struct errbuf err;

	if (strcmp(sub, "list") == 0 && a->argc == 1)
		return replies_list(cli);
	if (strcmp(sub, "add") == 0 && a->argc == 3) {
		if (!canned_name_valid(a->argv[1], &err))
			return cli_usage_error(cli, "replies", "%s", err.msg);
		bool ok = api_canned_add(cli->api, a->argv[1], a->argv[2], cli_flag(a, "shared"),
					 cli_on_done, &w, &err);
		return finish_one(cli, ok, &w, &err, "added");
	}
	if (strcmp(sub, "rm") == 0 && a->argc == 2) {
		char id[UUID_STRLEN + 1];
		int status = resolve(cli, a->argv[1], id);
		if (status != EXIT_OK)
			return status;
		bool ok = api_canned_remove(cli->api, id, cli_on_done, &w, &err);
		return finish_one(cli, ok, &w, &err, "removed");
	}
	return cli_usage_error(cli, "replies", "usage: replies list | add NAME TEXT [--shared] | "
			       "rm ID|NAME");
}
