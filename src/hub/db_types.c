/*
 * db_types.c — the values the storage operations take and give (db.h),
 * whichever back end they go to: a list query's defaults, and freeing the
 * pages, details and snapshots the operations return. In the library both
 * back ends link (libhubcommon.a), so neither needs the other's.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"

void chat_query_init(struct chat_query *q)
{
	memset(q, 0, sizeof *q);
	q->mode = q->escalated = q->status = q->channel = -1;
	q->responder = RESPONDER_ANY;
	q->sort = SORT_RECENT;
	q->limit = 50;
}

void chat_page_free(struct chat_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		chat_free(&p->chats[i]);
	free(p->chats);
	free(p->next_cursor);
	memset(p, 0, sizeof *p);
}

void message_page_free(struct message_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		message_free(&p->messages[i]);
	free(p->messages);
	memset(p, 0, sizeof *p);
}

void ingest_result_free(struct ingest_result *r)
{
	chat_free(&r->chat);
	message_free(&r->message);
	memset(r, 0, sizeof *r);
}

void search_page_free(struct search_page *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->hits[i].snippet);
	free(p->hits);
	memset(p, 0, sizeof *p);
}

void owner_details_free(struct owner_details *d)
{
	owner_free(&d->owner);
	free(d->phone);
	for (size_t i = 0; i < d->n; i++)
		chat_free(&d->chats[i]);
	free(d->chats);
	memset(d, 0, sizeof *d);
}

void db_platform_stats_free(struct platform_stats *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].days);
	free(p);
}

void db_dashboard_free(struct dash_snapshot *d)
{
	for (size_t i = 0; i < d->nagents; i++)
		free(d->agents[i].first_ms);
	free(d->agents);
	free(d->chats);
	memset(d, 0, sizeof *d);
}
