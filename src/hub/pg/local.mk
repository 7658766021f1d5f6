# ---- the hub's PostgreSQL back end: its schema, operations and event feed
# A library of its own, beside libhubdb.a, so its tests link it alone. It
# sees the hub's layer and its own folder, libpq, and libuv (the event
# feed, pg_listen.c, runs on the hub's loop).
noinst_LIBRARIES += src/hub/pg/libhubpg.a
src_hub_pg_libhubpg_a_SOURCES = \
	src/hub/pg/pg.c src/hub/pg/pg.h src/hub/pg/pg_internal.h \
	src/hub/pg/pg_schema.c \
	src/hub/pg/pg_target.c \
	src/hub/pg/pg_accounts.c \
	src/hub/pg/pg_events.c \
	src/hub/pg/pg_listen.c src/hub/pg/pg_listen.h \
	src/hub/pg/pg_chats.c \
	src/hub/pg/pg_list.c \
	src/hub/pg/pg_reads.c \
	src/hub/pg/pg_owners.c \
	src/hub/pg/pg_ingest.c \
	src/hub/pg/pg_messages.c \
	src/hub/pg/pg_actions.c \
	src/hub/pg/pg_chat_ops.c \
	src/hub/pg/pg_offers.c \
	src/hub/pg/pg_dashboard.c \
	src/hub/pg/pg_search.c \
	src/hub/pg/pg_canned.c \
	src/hub/pg/pg_stats.c \
	src/hub/pg/pg_grants.c \
	src/hub/pg/storage_pg.c src/hub/pg/storage_pg.h
HUBPG_CPPFLAGS = $(HUB_CPPFLAGS) -I$(top_srcdir)/src/hub/pg
src_hub_pg_libhubpg_a_CFLAGS = $(AM_CFLAGS) $(PQ_CFLAGS) $(UV_CFLAGS)
src_hub_pg_libhubpg_a_CPPFLAGS = $(HUBPG_CPPFLAGS)
HUBPG_LIBS = src/hub/pg/libhubpg.a $(HUBCOMMON_LIBS) $(CORE_LIBS) $(PQ_LIBS)
