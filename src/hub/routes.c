/*
 * routes.c — the Handoff API v1 as a table: method, path, who may call it,
 * which query parameters it takes, and its handler. The HTTP layer reads
 * nothing else to decide 404, 405, 401, 429, 403 and unknown parameters:
 * a route that needs a token counts against its caller's rate limit, a
 * public one (health, for probes) against none.
 * (GET /v1/events, the WebSocket stream, is the server's own.)
 */
#include "handlers.h"

static const char *const no_params[] = {NULL};
static const char *const chats_params[] = {"mode", "escalated", "waiting", "responder", "status",
					   "channel", "source", "q", "sort", "limit", "cursor", NULL};
static const char *const messages_params[] = {"before_seq", "after_seq", "limit", NULL};
static const char *const stats_params[] = {"from", "to", NULL};
static const char *const search_params[] = {"q", "limit", NULL};

const struct route api_routes[] = {
	{HTTP_GET, "/v1/health", ROLES_PUBLIC, handle_health, no_params, false},
	{HTTP_GET, "/v1/me", ROLES_ANY, handle_me, no_params, false},
	{HTTP_GET, "/v1/agents", ROLES_AGENTS, handle_agents_list, no_params, true},
	{HTTP_PATCH, "/v1/agents/{id}", ROLE_BIT(ACCOUNT_SUPERVISOR), handle_agent_patch, no_params,
	 true},
	{HTTP_GET, "/v1/chats", ROLES_AGENTS, handle_chats_list, chats_params, false},
	{HTTP_GET, "/v1/chats/{id}", ROLES_ANY, handle_chat_get, no_params, false},
	{HTTP_PATCH, "/v1/chats/{id}", ROLES_AGENTS, handle_chat_patch, no_params, false},
	{HTTP_GET, "/v1/chats/{id}/messages", ROLES_ANY, handle_messages_list, messages_params, false},
	{HTTP_POST, "/v1/chats/{id}/messages", ROLES_AGENTS, handle_message_post, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/takeover", ROLES_AGENTS, handle_takeover, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/handback", ROLES_AGENTS, handle_handback, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/assign", ROLES_AGENTS, handle_assign, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/rating", ROLES_AGENTS, handle_rating, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/stop", ROLES_AGENTS, handle_stop, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/accept", ROLES_AGENTS, handle_offer_accept, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/pass", ROLES_AGENTS, handle_offer_pass, no_params, false},
	{HTTP_GET, "/v1/owners/{id}", ROLES_AGENTS, handle_owner_get, no_params, false},
	{HTTP_POST, "/v1/chats/{id}/read", ROLES_AGENTS, handle_chat_read, no_params, false},
	{HTTP_GET, "/v1/stats/daily", ROLES_AGENTS, handle_stats_daily, stats_params, false},
	{HTTP_GET, "/v1/replies", ROLES_AGENTS, handle_canned_list, no_params, false},
	{HTTP_POST, "/v1/replies", ROLES_AGENTS, handle_canned_add, no_params, false},
	{HTTP_DELETE, "/v1/replies/{id}", ROLES_AGENTS, handle_canned_remove, no_params, false},
	{HTTP_GET, "/v1/search", ROLES_AGENTS, handle_search, search_params, false},
	{HTTP_GET, "/v1/dashboard", ROLES_AGENTS, handle_dashboard, no_params, true},
	{HTTP_POST, "/v1/ingest/messages", ROLE_BIT(ACCOUNT_INGEST), handle_ingest, no_params, false},
	{HTTP_POST, "/v1/ingest/batch", ROLE_BIT(ACCOUNT_INGEST), handle_ingest_batch, no_params, false},
	{HTTP_POST, "/v1/ingest/stats", ROLE_BIT(ACCOUNT_INGEST), handle_ingest_stats, no_params, false},
};

const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];
