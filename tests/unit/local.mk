# ---- tests ---------------------------------------------------------------
# Unit tests: one cmocka program per module, run by `make check`.
UNIT_TESTS = \
	tests/unit/test_backoff \
	tests/unit/test_draw \
	tests/unit/test_editbuf \
	tests/unit/test_keys \
	tests/unit/test_keymap \
	tests/unit/test_termkeys \
	tests/unit/test_layout \
	tests/unit/test_jumpscroll \
	tests/unit/test_notice \
	tests/unit/test_textwidth \
	tests/unit/test_theme \
	tests/unit/test_outbox \
	tests/unit/test_print \
	tests/unit/test_settings \
	tests/unit/test_store \
	tests/unit/test_store_thread \
	tests/unit/test_viewspec \
	tests/unit/test_dashboard \
	tests/unit/test_store_unread \
	tests/unit/test_wsurl \
	tests/unit/test_db \
	tests/unit/test_db_actions \
	tests/unit/test_db_chats \
	tests/unit/test_db_list_index \
	tests/unit/test_db_list_q \
	tests/unit/test_db_search \
	tests/unit/test_db_bulk \
	tests/unit/test_db_ingest \
	tests/unit/test_pg_migrate \
	tests/unit/test_pg_races \
	tests/unit/test_pg_accounts \
	tests/unit/test_pg_ingest \
	tests/unit/test_pg_actions \
	tests/unit/test_pg_listen \
	tests/unit/test_storage_parity \
	tests/unit/test_pg_list \
	tests/unit/test_demo \
	tests/unit/test_apierror \
	tests/unit/test_codec \
	tests/unit/test_codec_targets \
	tests/unit/test_codec_agents \
	tests/unit/test_enums \
	tests/unit/test_errbuf \
	tests/unit/test_jsonfield \
	tests/unit/test_log \
	tests/unit/test_model \
	tests/unit/test_query \
	tests/unit/test_ratelimit \
	tests/unit/test_textsafe \
	tests/unit/test_canned \
	tests/unit/test_searchres \
	tests/unit/test_timeutil \
	tests/unit/test_utf8 \
	tests/unit/test_uuid

check_PROGRAMS = $(UNIT_TESTS)
TESTS = $(UNIT_TESTS)

UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
UNIT_LDADD = $(CORE_LIBS) $(CMOCKA_LIBS)
tests_unit_test_apierror_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_apierror_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_apierror_LDADD = $(UNIT_LDADD)
tests_unit_test_codec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_codec_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_codec_LDADD = $(UNIT_LDADD)
tests_unit_test_codec_targets_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_codec_targets_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_codec_targets_LDADD = $(UNIT_LDADD)
tests_unit_test_codec_agents_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_codec_agents_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_codec_agents_LDADD = $(UNIT_LDADD)
tests_unit_test_enums_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_enums_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_enums_LDADD = $(UNIT_LDADD)
tests_unit_test_errbuf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_errbuf_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_errbuf_LDADD = $(UNIT_LDADD)
tests_unit_test_jsonfield_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_jsonfield_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_jsonfield_LDADD = $(UNIT_LDADD)
tests_unit_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_model_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_model_LDADD = $(UNIT_LDADD)
tests_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_log_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_log_LDADD = $(UNIT_LDADD)
tests_unit_test_textsafe_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_textsafe_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_textsafe_LDADD = $(UNIT_LDADD)
tests_unit_test_canned_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_canned_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_canned_LDADD = $(UNIT_LDADD)
tests_unit_test_searchres_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_searchres_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_searchres_LDADD = $(UNIT_LDADD)
tests_unit_test_timeutil_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_timeutil_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_timeutil_LDADD = $(UNIT_LDADD)
tests_unit_test_utf8_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_utf8_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_utf8_LDADD = $(UNIT_LDADD)
tests_unit_test_uuid_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_uuid_CPPFLAGS = $(CORE_CPPFLAGS)
tests_unit_test_uuid_LDADD = $(UNIT_LDADD)

DB_TEST_CFLAGS = $(UNIT_CFLAGS) $(SQLITE_CFLAGS)
DB_TEST_LDADD = $(HUBDB_LIBS) $(CMOCKA_LIBS)
tests_unit_test_db_SOURCES = tests/unit/test_db.c tests/unit/test_db_fixture.h
tests_unit_test_db_CFLAGS = $(DB_TEST_CFLAGS)
tests_unit_test_db_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_LDADD = $(DB_TEST_LDADD)
tests_unit_test_db_actions_SOURCES = tests/unit/test_db_actions.c tests/unit/test_db_fixture.h
tests_unit_test_db_actions_CFLAGS = $(DB_TEST_CFLAGS) -pthread
tests_unit_test_db_actions_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_actions_LDADD = $(DB_TEST_LDADD)
tests_unit_test_db_actions_LDFLAGS = -pthread
tests_unit_test_db_chats_SOURCES = tests/unit/test_db_chats.c tests/unit/test_db_fixture.h
tests_unit_test_db_chats_CFLAGS = $(DB_TEST_CFLAGS)
tests_unit_test_db_chats_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_chats_LDADD = $(DB_TEST_LDADD)
tests_unit_test_db_list_index_SOURCES = tests/unit/test_db_list_index.c tests/unit/test_db_fixture.h
tests_unit_test_db_list_index_CFLAGS = $(DB_TEST_CFLAGS)
tests_unit_test_db_list_index_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_list_index_LDADD = $(DB_TEST_LDADD)
tests_unit_test_db_list_q_SOURCES = tests/unit/test_db_list_q.c tests/unit/test_db_fixture.h
tests_unit_test_db_list_q_CFLAGS = $(DB_TEST_CFLAGS)
tests_unit_test_db_list_q_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_list_q_LDADD = $(DB_TEST_LDADD)
tests_unit_test_db_search_SOURCES = tests/unit/test_db_search.c tests/unit/test_db_fixture.h
tests_unit_test_db_search_CFLAGS = $(DB_TEST_CFLAGS)
tests_unit_test_db_search_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_search_LDADD = $(DB_TEST_LDADD)
tests_unit_test_db_bulk_SOURCES = tests/unit/test_db_bulk.c tests/unit/test_db_fixture.h
tests_unit_test_db_bulk_CFLAGS = $(DB_TEST_CFLAGS)
tests_unit_test_db_bulk_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_bulk_LDADD = $(DB_TEST_LDADD)
tests_unit_test_db_ingest_SOURCES = tests/unit/test_db_ingest.c tests/unit/test_db_fixture.h
tests_unit_test_db_ingest_CFLAGS = $(DB_TEST_CFLAGS)
tests_unit_test_db_ingest_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_db_ingest_LDADD = $(DB_TEST_LDADD)

# The PostgreSQL back end, on a server of each program's own (pgserver.c).
PGSERVER = tests/unit/pgserver.c tests/unit/pgserver.h
# and what their tests share on it: setup, queries, racing threads
PG_FIXTURE = $(PGSERVER) tests/unit/pg_fixture.c tests/unit/pg_fixture.h
PG_TEST_CFLAGS = $(UNIT_CFLAGS) $(PQ_CFLAGS) $(UV_CFLAGS) -pthread
PG_TEST_LDADD = $(HUBPG_LIBS) $(UV_LIBS) $(CMOCKA_LIBS)
tests_unit_test_pg_migrate_SOURCES = tests/unit/test_pg_migrate.c $(PG_FIXTURE)
tests_unit_test_pg_migrate_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_migrate_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_migrate_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_migrate_LDFLAGS = -pthread
tests_unit_test_pg_races_SOURCES = tests/unit/test_pg_races.c $(PG_FIXTURE)
tests_unit_test_pg_races_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_races_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_races_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_races_LDFLAGS = -pthread
tests_unit_test_pg_accounts_SOURCES = tests/unit/test_pg_accounts.c $(PG_FIXTURE)
tests_unit_test_pg_accounts_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_accounts_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_accounts_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_accounts_LDFLAGS = -pthread
tests_unit_test_pg_ingest_SOURCES = tests/unit/test_pg_ingest.c $(PG_FIXTURE)
tests_unit_test_pg_ingest_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_ingest_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_ingest_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_ingest_LDFLAGS = -pthread

tests_unit_test_pg_actions_SOURCES = tests/unit/test_pg_actions.c $(PG_FIXTURE)
tests_unit_test_pg_actions_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_actions_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_actions_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_actions_LDFLAGS = -pthread
tests_unit_test_pg_listen_SOURCES = tests/unit/test_pg_listen.c $(PG_FIXTURE)
tests_unit_test_pg_listen_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_listen_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_listen_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_listen_LDFLAGS = -pthread
# One set of cases through both back ends' storage tables.
tests_unit_test_storage_parity_SOURCES = tests/unit/test_storage_parity.c $(PGSERVER)
tests_unit_test_storage_parity_CFLAGS = $(PG_TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_storage_parity_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_storage_parity_LDADD = $(HUBDB_LIBS) $(PG_TEST_LDADD)
tests_unit_test_storage_parity_LDFLAGS = -pthread

CLIENT_TEST_LDADD = $(CLIENT_LIBS) $(UNIT_LDADD)
tests_unit_test_backoff_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_backoff_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_backoff_LDADD = $(CLIENT_TEST_LDADD)
tests_unit_test_settings_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_settings_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_settings_LDADD = $(CLIENT_TEST_LDADD)
UI_TEST_CFLAGS = $(UNIT_CFLAGS) $(NCURSES_CFLAGS)
UI_TEST_LDADD = ui/libhandoffui.a $(UNIT_LDADD) $(NCURSES_LIBS)
tests_unit_test_draw_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_draw_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_draw_LDADD = $(UI_TEST_LDADD)
tests_unit_test_editbuf_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_editbuf_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_editbuf_LDADD = $(UI_TEST_LDADD)
tests_unit_test_keys_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_keys_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_keys_LDADD = $(UI_TEST_LDADD)
# The key tables name the actions, which reach the session: the client too.
tests_unit_test_keymap_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_keymap_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_keymap_LDADD = ui/libhandoffui.a $(CLIENT_LIBS) $(UNIT_LDADD) $(NCURSES_LIBS)
tests_unit_test_termkeys_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_termkeys_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_termkeys_LDADD = $(UI_TEST_LDADD)
tests_unit_test_jumpscroll_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_jumpscroll_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_jumpscroll_LDADD = $(UI_TEST_LDADD)
tests_unit_test_layout_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_layout_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_layout_LDADD = $(UI_TEST_LDADD)
tests_unit_test_notice_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_notice_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_notice_LDADD = $(UI_TEST_LDADD)
tests_unit_test_textwidth_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_textwidth_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_textwidth_LDADD = $(UI_TEST_LDADD)
tests_unit_test_theme_CFLAGS = $(UI_TEST_CFLAGS)
tests_unit_test_theme_CPPFLAGS = $(UI_CPPFLAGS)
tests_unit_test_theme_LDADD = $(UI_TEST_LDADD)
tests_unit_test_outbox_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_outbox_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_outbox_LDADD = $(CLIENT_TEST_LDADD)
tests_unit_test_store_SOURCES = tests/unit/test_store.c tests/unit/store_fixture.h
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_store_LDADD = $(CLIENT_TEST_LDADD)
tests_unit_test_store_thread_SOURCES = tests/unit/test_store_thread.c tests/unit/store_fixture.h
tests_unit_test_store_thread_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_thread_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_store_thread_LDADD = $(CLIENT_TEST_LDADD)
tests_unit_test_viewspec_SOURCES = tests/unit/test_viewspec.c tests/unit/store_fixture.h
tests_unit_test_viewspec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_viewspec_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_viewspec_LDADD = $(CLIENT_TEST_LDADD)
tests_unit_test_print_SOURCES = tests/unit/test_print.c src/cli/print.c src/cli/print.h
tests_unit_test_print_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_print_CPPFLAGS = $(CLI_CPPFLAGS)
tests_unit_test_print_LDADD = $(UNIT_LDADD)
tests_unit_test_wsurl_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_wsurl_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_wsurl_LDADD = $(CLIENT_TEST_LDADD)
tests_unit_test_ratelimit_SOURCES = tests/unit/test_ratelimit.c \
	src/hub/ratelimit.c src/hub/ratelimit.h
tests_unit_test_ratelimit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_ratelimit_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_ratelimit_LDADD = $(UNIT_LDADD)
tests_unit_test_query_SOURCES = tests/unit/test_query.c \
	src/hub/query.c src/hub/server_route.c src/hub/server_head.c
tests_unit_test_query_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_query_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_query_LDADD = $(UNIT_LDADD)
tests_unit_test_demo_SOURCES = tests/unit/test_demo.c \
	src/hub/demo_sim.c src/hub/demo_sim.h src/hub/demo_script.c src/hub/demo_script.h
tests_unit_test_demo_CFLAGS = $(DB_TEST_CFLAGS) $(UV_CFLAGS)
tests_unit_test_demo_CPPFLAGS = $(HUB_CPPFLAGS)
tests_unit_test_demo_LDADD = $(DB_TEST_LDADD) $(UV_LIBS)
# Shared fixtures of the unit tests.
EXTRA_DIST += tests/unit/fixtures.h
tests_unit_test_store_unread_SOURCES = tests/unit/test_store_unread.c tests/unit/store_fixture.h
tests_unit_test_store_unread_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_unread_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_store_unread_LDADD = $(CLIENT_TEST_LDADD)

tests_unit_test_dashboard_SOURCES = tests/unit/test_dashboard.c
tests_unit_test_dashboard_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_dashboard_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_unit_test_dashboard_LDADD = $(CLIENT_TEST_LDADD)
UNIT_TESTS += tests/unit/test_pg_search tests/unit/test_pg_misc
tests_unit_test_pg_search_SOURCES = tests/unit/test_pg_search.c $(PG_FIXTURE)
tests_unit_test_pg_search_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_search_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_search_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_search_LDFLAGS = -pthread
tests_unit_test_pg_misc_SOURCES = tests/unit/test_pg_misc.c $(PG_FIXTURE)
tests_unit_test_pg_misc_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_misc_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_misc_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_misc_LDFLAGS = -pthread

# auto-assignment's offers and the dashboard on PostgreSQL
UNIT_TESTS += tests/unit/test_pg_offers
tests_unit_test_pg_offers_SOURCES = tests/unit/test_pg_offers.c $(PG_FIXTURE)
tests_unit_test_pg_offers_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_offers_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_offers_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_offers_LDFLAGS = -pthread
UNIT_TESTS += tests/unit/test_pg_ops
tests_unit_test_pg_ops_SOURCES = tests/unit/test_pg_ops.c $(PG_FIXTURE)
tests_unit_test_pg_ops_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_ops_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_ops_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_ops_LDFLAGS = -pthread
tests_unit_test_pg_list_SOURCES = tests/unit/test_pg_list.c $(PG_FIXTURE)
tests_unit_test_pg_list_CFLAGS = $(PG_TEST_CFLAGS)
tests_unit_test_pg_list_CPPFLAGS = $(HUBPG_CPPFLAGS)
tests_unit_test_pg_list_LDADD = $(PG_TEST_LDADD)
tests_unit_test_pg_list_LDFLAGS = -pthread
