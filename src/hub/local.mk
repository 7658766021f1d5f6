# ---- handoffd: the hub -----------------------------------------------------
# What both back ends share, so that each back end's library links it and
# neither the other: bearer tokens, made and hashed alike; a search's words
# and snippets; the platforms' reported days grouped by account; the
# operations' values (db_types.c); a list walk's rows and cursor armour.
noinst_LIBRARIES += src/hub/libhubcommon.a
src_hub_libhubcommon_a_SOURCES = src/hub/token.c src/hub/token.h \
	src/hub/search_text.c src/hub/search_text.h \
	src/hub/platform_stats.c src/hub/platform_stats.h \
	src/hub/db_types.c \
	src/hub/list_walk.c src/hub/list_walk.h
src_hub_libhubcommon_a_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
src_hub_libhubcommon_a_CPPFLAGS = $(HUB_CPPFLAGS)
HUBCOMMON_LIBS = src/hub/libhubcommon.a $(CRYPTO_LIBS)

# The state layer (db*) is a library of its own so unit tests link it without
# the server.
noinst_LIBRARIES += src/hub/libhubdb.a
src_hub_libhubdb_a_SOURCES = \
	src/hub/db.c src/hub/db.h src/hub/db_internal.h \
	src/hub/db_accounts.c \
	src/hub/db_actions.c src/hub/handover.h \
	src/hub/db_agents.c \
	src/hub/db_canned.c \
	src/hub/db_chats.c \
	src/hub/db_checkpoint.c \
	src/hub/db_events.c \
	src/hub/db_grams.c \
	src/hub/db_grants.c \
	src/hub/db_ingest.c \
	src/hub/db_list.c \
	src/hub/db_messages.c \
	src/hub/db_search.c \
	src/hub/db_owners.c \
	src/hub/db_reads.c \
	src/hub/db_stats.c \
	src/hub/db_dashboard.c \
	src/hub/db_stats_platforms.c \
	src/hub/storage.h src/hub/storage_sqlite.c
src_hub_libhubdb_a_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
src_hub_libhubdb_a_CPPFLAGS = $(HUB_CPPFLAGS)
HUBDB_LIBS = src/hub/libhubdb.a $(HUBCOMMON_LIBS) $(CORE_LIBS) $(SQLITE_LIBS)

bin_PROGRAMS = handoffd
handoffd_SOURCES = \
	src/hub/handoffd.c \
	src/hub/backend.c src/hub/backend.h \
	src/hub/route.h src/hub/routes.c \
	src/hub/handlers.h src/hub/handler_util.c \
	src/hub/handlers_actions.c \
	src/hub/handlers_agents.c \
	src/hub/handlers_canned.c \
	src/hub/handlers_chats.c \
	src/hub/handlers_ingest.c \
	src/hub/handlers_messages.c \
	src/hub/handlers_search.c \
	src/hub/handlers_owners.c \
	src/hub/handlers_misc.c \
	src/hub/handlers_stats.c \
	src/hub/handlers_dashboard.c \
	src/hub/demo_sim.c src/hub/demo_sim.h \
	src/hub/demo_script.c src/hub/demo_script.h \
	src/hub/server.c src/hub/server.h src/hub/server_internal.h \
	src/hub/server_accept.c \
	src/hub/server_agents.c \
	src/hub/server_events.c \
	src/hub/server_head.c src/hub/server_head.h \
	src/hub/server_http.c \
	src/hub/server_presence.c \
	src/hub/server_share.c \
	src/hub/server_text.c \
	src/hub/server_request.c \
	src/hub/server_route.c src/hub/server_route.h \
	src/hub/server_work.c \
	src/hub/server_lookup.c \
	src/hub/query.c src/hub/query.h \
	src/hub/ratelimit.c src/hub/ratelimit.h
handoffd_CFLAGS = $(AM_CFLAGS) $(LWS_CFLAGS) $(UV_CFLAGS) $(PQ_CFLAGS)
handoffd_CPPFLAGS = $(HUBPG_CPPFLAGS)
handoffd_LDADD = $(HUBDB_LIBS) $(HUBPG_LIBS) $(LWS_LIBS) $(UV_LIBS)
