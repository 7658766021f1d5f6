/*
 * commands.c — the command table, its option parser and its help.
 */
#include <string.h>

#include "commands.h"

static const struct cli_option chats_options[] = {
	{"waiting", NULL, "only chats waiting for a human (escalated, still with the bot)"},
	{"mine", NULL, "only chats I hold"},
	{"responder", "WHO", "me, none, bot or an agent id"},
	{"mode", "MODE", "AI or AGENT"},
	{"status", "STATUS", "ticket status: open, pending, solved or closed"},
	{"channel", "TYPE", "widget, waha, whatsapp, instagram or api"},
	{"search", "TEXT", "text in the title, the customer's name or the last message"},
	{"sort", "ORDER", "recent (default) or waiting (longest waiting first)"},
	{"limit", "N", "chats per request, 1..200 (every page is read anyway)"},
	{NULL, NULL, NULL},
};

static const struct cli_option show_options[] = {
	{"all", NULL, "every message of the chat, not only the latest 50"},
	{NULL, NULL, NULL},
};

static const struct cli_option takeover_options[] = {
	{"force", NULL, "take it even from another agent (supervisors only)"},
	{NULL, NULL, NULL},
};

static const struct cli_option rate_options[] = {
	{"feedback", "TEXT", "what went well or badly"},
	{"suggested", "TEXT", "a better answer the bot could have given"},
	{NULL, NULL, NULL},
};

static const struct cli_option send_options[] = {
	{"queue", NULL, "do not contact the hub: keep it in the outbox (fsynced) and print its "
			"client_msg_id; the next console to start sends it"},
	{NULL, NULL, NULL},
};

static const struct cli_option replies_options[] = {
	{"shared", NULL, "add: the team's reply, not a personal one (supervisors only)"},
	{NULL, NULL, NULL},
};

static const struct cli_option stats_options[] = {
	{"from", "DATE", "first day, YYYY-MM-DD (UTC; default: 29 days before --to)"},
	{"to", "DATE", "last day, YYYY-MM-DD (UTC; default: today)"},
	{NULL, NULL, NULL},
};

static const struct cli_option search_options[] = {
	{"limit", "N", "at most N messages, 1..100 (default 20)"},
	{NULL, NULL, NULL},
};

static const struct cli_option watch_options[] = {
	{"since", "SEQ", "start after this event seq (the last one a previous run printed)"},
	{NULL, NULL, NULL},
};

/* Sorted by name: --help lists them in this order. */
const struct cli_command cli_commands[] = {
	{"accept", "ID", 1, 1, NULL, cmd_accept,
	 "Accept the chat the hub offered you (auto-assignment): you hold it. Fails (exit 1) "
	 "when it is not offered to you, or no longer."},
	{"agents", "[capacity NAME N]", 0, 3, NULL, cmd_agents,
	 "The agents and supervisors, one a line: name, role, status (online, away or "
	 "offline) and chats held of their capacity. capacity: set how many chats NAME "
	 "(a name or an id) holds at most, 0 to 1000 (supervisors only). With --json: one "
	 "agent object per line (JSON Lines)."},
	{"assign", "ID AGENT", 2, 2, NULL, cmd_assign,
	 "Give the chat to AGENT: an agent id, or a name as /v1/agents lists it."},
	{"chats", "[options]", 0, 0, chats_options, cmd_chats,
	 "List the chats matching the filters, one per line, reading every page. "
	 "With --json: one chat object per line (JSON Lines)."},
	{"dashboard", "", 0, 0, NULL, cmd_dashboard,
	 "The team's figures now: chats waiting and the longest wait, breaches of the hub's "
	 "wait-time targets, today's counts (UTC), then a line per agent: chats held, held "
	 "past the next-response target, replies in the last hour, median first response "
	 "today (escalation to takeover) and how many. The console's dashboard (d) keeps "
	 "them live. With --json: one object."},
	{"handback", "ID", 1, 1, NULL, cmd_handback, "Return the chat to the bot."},
	{"note", "ID TEXT [--queue]", 2, 2, send_options, cmd_note,
	 "Write an internal note: agents see it, the customer never does. --queue as for "
	 "reply."},
	{"pass", "ID", 1, 1, NULL, cmd_pass,
	 "Pass the chat the hub offered you: it is offered to the next agent, not you again "
	 "while it waits."},
	{"rate", "ID SCORE [options]", 2, 2, rate_options, cmd_rate,
	 "Rate how the chat went, SCORE 1 to 5."},
	{"reply", "ID TEXT [--queue]", 2, 2, send_options, cmd_reply,
	 "Send TEXT to the customer (you must hold the chat). Safe to run again: "
	 "a retried send is never shown twice. Nothing is kept: if the hub cannot be "
	 "reached (exit 3) the reply is not sent. With --queue it is put in the outbox "
	 "instead and sent by the next console to start."},
	{"replies", "list | add NAME TEXT [--shared] | rm ID|NAME", 1, 3, replies_options,
	 cmd_replies,
	 "Canned replies, which the console's composer offers (/ or C-r). list: the shared "
	 "ones and your own. add: a personal reply, or with --shared the team's (supervisors "
	 "only); NAME is its shortcut (letters, digits, '.', '_', '-'), TEXT may hold "
	 "{customer}, {agent} and {chat_title}. rm: remove one by id or name."},
	{"retitle", "ID TITLE", 2, 2, NULL, cmd_retitle, "Set the chat's title."},
	{"search", "TEXT [--limit N]", 1, 1, search_options, cmd_search,
	 "The newest messages of every chat, notes included, holding every word of TEXT "
	 "(by stem: refund finds refunded), newest first: chat id, customer, title, time, "
	 "role, #seq and the matching part of the text, the matched words in bold on a "
	 "terminal. With --json: one result object per line (JSON Lines)."},
	{"show", "ID [--all]", 1, 1, show_options, cmd_show,
	 "Show a chat and its latest messages. With --json: {\"chat\":...,\"messages\":[...]}."},
	{"stats", "[--from DATE] [--to DATE]", 0, 0, stats_options, cmd_stats,
	 "Daily counts, one UTC day a line: conversations, escalations, takeovers, the "
	 "average rating and how many chats were rated, then a column per bridge whose "
	 "platform reports its own conversation count ('-': not reported). At most 366 "
	 "days. With --json: one object per day (JSON Lines)."},
	{"status", "ID STATUS", 2, 2, NULL, cmd_status,
	 "Set the ticket status: open, pending, solved or closed."},
	{"stop", "ID", 1, 1, NULL, cmd_stop,
	 "Stop the chat: no more replies or bot messages."},
	{"takeover", "ID [--force]", 1, 1, takeover_options, cmd_takeover,
	 "Take the chat from the bot. Fails (exit 1) naming the holder when another agent "
	 "has it."},
	{"watch", "[--since SEQ]", 0, 0, watch_options, cmd_watch,
	 "Print every event as one JSON line, live, until interrupted. Survives hub restarts "
	 "without gaps or duplicates; a {\"type\":\"resync\"} line means events were lost "
	 "and what was built from earlier lines must be reloaded."},
};

const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

const struct cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
	return NULL;
}

static int find_option(const struct cli_command *cmd, const char *name, size_t len)
{
	for (int i = 0; cmd->options && cmd->options[i].name; i++)
		if (strlen(cmd->options[i].name) == len && !strncmp(cmd->options[i].name, name, len))
			return i;
	return -1;
}

const char *cli_opt(const struct cli_args *a, const char *name)
{
	int i = find_option(a->cmd, name, strlen(name));
	return i >= 0 && a->set[i] ? a->value[i] : NULL;
}

bool cli_flag(const struct cli_args *a, const char *name)
{
	return cli_opt(a, name) != NULL;
}

int cli_parse_args(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
		   struct cli_args *a, bool *help)
{
	bool options_end = false;

	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	*help = false;
	/* Positional arguments are gathered in place, at the front of argv. */
	a->argv = argv;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		if (options_end || arg[0] != '-' || arg[1] == '\0') {
			argv[a->argc++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			options_end = true;
			continue;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			*help = true;
			return EXIT_OK;
		}
		if (!strcmp(arg, "--json")) {
			cli->json = true;
			continue;
		}
		if (arg[1] != '-')
			return cli_usage_error(cli, cmd->name, "unknown option %s", arg);
		const char *name = arg + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		int o = find_option(cmd, name, len);
		if (o < 0)
			return cli_usage_error(cli, cmd->name, "unknown option --%.*s", (int)len, name);
		if (!cmd->options[o].arg) {
			if (eq)
				return cli_usage_error(cli, cmd->name, "--%s takes no value",
						       cmd->options[o].name);
			a->value[o] = "";
		} else if (eq) {
			a->value[o] = eq + 1;
		} else if (i + 1 < argc) {
			a->value[o] = argv[++i];
		} else {
			return cli_usage_error(cli, cmd->name, "--%s needs a value (%s)",
					       cmd->options[o].name, cmd->options[o].arg);
		}
		a->set[o] = true;
	}
	if (a->argc < cmd->min_args)
		return cli_usage_error(cli, cmd->name, "missing arguments (usage: %s %s)", cmd->name,
				       cmd->usage);
	if (a->argc > cmd->max_args)
		return cli_usage_error(cli, cmd->name, "too many arguments (usage: %s %s)",
				       cmd->name, cmd->usage);
	return EXIT_OK;
}

static const char global_help[] =
	"Global options (before the command):\n"
	"  --server URL       the hub (default " CONFIG_DEFAULT_SERVER ", or $HANDOFF_SERVER)\n"
	"  --token-file FILE  read the token from FILE (else $HANDOFF_TOKEN, the config file,\n"
	"                     or ~/.config/handoff/token)\n"
	"  --insecure         do not verify the hub's TLS certificate (test hubs only)\n"
	"  --theme NAME       the console's colours: default, light, high-contrast, mono\n"
	"                     (or a NAME.theme in ~/.config/handoff/themes)\n"
	"  --demo             the console on a private demo hub with simulated customers\n"
	"  --json             machine-readable output\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 success, 1 the hub refused (its reason on stderr),\n"
	"2 bad usage, 3 the hub cannot be reached.\n";

void cli_print_help(FILE *f)
{
	fprintf(f, "Usage: handoff [global options] [COMMAND [arguments]]\n\n"
		   "With no command, handoff opens the console (it needs a terminal).\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_command *c = &cli_commands[i];
		fprintf(f, "  %s %s\n", c->name, c->usage);
	}
	fprintf(f, "\n%s\nRun 'handoff COMMAND --help' for a command's details.\n", global_help);
}

void cli_print_command_help(FILE *f, const struct cli_command *cmd)
{
	fprintf(f, "Usage: handoff [global options] %s %s\n\n%s\n", cmd->name, cmd->usage,
		cmd->help);
	if (cmd->options && cmd->options[0].name) {
		fprintf(f, "\nOptions:\n");
		for (int i = 0; cmd->options[i].name; i++) {
			const struct cli_option *o = &cmd->options[i];
			char left[64];
			snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			fprintf(f, "  %-18s %s\n", left, o->help);
		}
	}
	fprintf(f, "\n%s", global_help);
}
