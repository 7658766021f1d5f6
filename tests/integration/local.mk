# Integration tests: a real handoffd on a loopback port with its own database.
INTEGRATION_TESTS = \
	tests/integration/test_api \
	tests/integration/test_cli \
	tests/integration/test_httpc \
	tests/integration/test_stream \
	tests/integration/test_stream_frames \
	tests/integration/test_hub_abuse \
	tests/integration/test_hub_answers \
	tests/integration/test_hub_ratelimit \
	tests/integration/test_hub_ingest_scope \
	tests/integration/test_hub_ingest_read \
	tests/integration/test_hub_read \
	tests/integration/test_hub_api \
	tests/integration/test_hub_events \
	tests/integration/test_hub_race \
	tests/integration/test_hub_keepalive \
	tests/integration/test_hub_log \
	tests/integration/test_hub_migrate \
	tests/integration/test_hub_migrate_pg \
	tests/integration/test_hub_limits \
	tests/integration/test_hub_replies \
	tests/integration/test_hub_targets \
	tests/integration/test_hub_dashboard \
	tests/integration/test_hub_fds \
	tests/integration/test_hub_ws_strict \
	tests/integration/test_hub_presence \
	tests/integration/test_hub_agents \
	tests/integration/test_hub_autoassign \
	tests/integration/test_hub_auth_matrix \
	tests/integration/test_hub_resume \
	tests/integration/test_hub_bad_input \
	tests/integration/test_hub_ingest11 \
	tests/integration/test_ingest_batch \
	tests/integration/test_hub_search \
	tests/integration/test_hub_owner \
	tests/integration/test_hub_stats_platforms \
	tests/integration/test_queue \
	tests/integration/test_session \
	tests/integration/test_store_search
check_PROGRAMS += $(INTEGRATION_TESTS)
TESTS += $(INTEGRATION_TESTS)
# Hub replicas on one database, and a hub whose database stalls: only on
# PostgreSQL (tests/pg/NAME.pg), so built but not run as SQLite tests
# (alone each exits 77, skipped).
check_PROGRAMS += tests/integration/test_replicas \
	tests/integration/test_replicas_presence tests/integration/test_hub_stall

# The hub's tests again, on PostgreSQL: tests/pg/NAME.pg is the program
# tests/integration/NAME run by with_pg, which starts a private server and
# has the harness give each hub a fresh database on it (so its log is
# tests/pg/NAME.log, beside the SQLite run's).
HUB_PG_TESTS = \
	tests/pg/test_hub_abuse.pg \
	tests/pg/test_hub_agents.pg \
	tests/pg/test_hub_answers.pg \
	tests/pg/test_hub_api.pg \
	tests/pg/test_hub_auth_matrix.pg \
	tests/pg/test_hub_autoassign.pg \
	tests/pg/test_hub_bad_input.pg \
	tests/pg/test_hub_dashboard.pg \
	tests/pg/test_hub_events.pg \
	tests/pg/test_hub_fds.pg \
	tests/pg/test_hub_ingest11.pg \
	tests/pg/test_hub_ingest_read.pg \
	tests/pg/test_hub_ingest_scope.pg \
	tests/pg/test_hub_keepalive.pg \
	tests/pg/test_hub_limits.pg \
	tests/pg/test_hub_log.pg \
	tests/pg/test_hub_owner.pg \
	tests/pg/test_hub_presence.pg \
	tests/pg/test_hub_race.pg \
	tests/pg/test_hub_ratelimit.pg \
	tests/pg/test_hub_read.pg \
	tests/pg/test_hub_replies.pg \
	tests/pg/test_hub_resume.pg \
	tests/pg/test_hub_search.pg \
	tests/pg/test_hub_stall.pg \
	tests/pg/test_hub_stats_platforms.pg \
	tests/pg/test_hub_targets.pg \
	tests/pg/test_hub_ws_strict.pg \
	tests/pg/test_ingest_batch.pg \
	tests/pg/test_replicas.pg \
	tests/pg/test_replicas_presence.pg
TEST_EXTENSIONS = .pg
PG_LOG_COMPILER = tests/integration/with_pg
check_PROGRAMS += tests/integration/with_pg
TESTS += $(HUB_PG_TESTS)
MOSTLYCLEANFILES = $(HUB_PG_TESTS)
$(HUB_PG_TESTS): tests/pg/%.pg: tests/integration/% tests/integration/with_pg
	$(AM_V_GEN)$(MKDIR_P) tests/pg && \
	echo "tests/integration/$* on PostgreSQL (tests/integration/with_pg.c)" > $@
tests_integration_with_pg_SOURCES = tests/integration/with_pg.c $(PGSERVER)
tests_integration_with_pg_CFLAGS = $(UNIT_CFLAGS) $(PQ_CFLAGS)
tests_integration_with_pg_CPPFLAGS = $(IT_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_integration_with_pg_LDADD = $(PQ_LIBS)
HARNESS = tests/integration/harness.c tests/integration/harness.h
IT_CFLAGS = $(UNIT_CFLAGS) $(CURL_CFLAGS) -pthread
IT_LDADD = $(CORE_LIBS) $(CMOCKA_LIBS) $(CURL_LIBS)
tests_integration_test_httpc_SOURCES = tests/integration/test_httpc.c $(HARNESS)
tests_integration_test_httpc_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
tests_integration_test_httpc_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_httpc_LDADD = $(CLIENT_LIBS) $(IT_LDADD)
tests_integration_test_httpc_LDFLAGS = -pthread
tests_integration_test_api_SOURCES = tests/integration/test_api.c $(HARNESS)
tests_integration_test_api_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
tests_integration_test_api_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_api_LDADD = src/client/libhandoffclient.a $(IT_LDADD) $(UV_LIBS)
tests_integration_test_api_LDFLAGS = -pthread
tests_integration_test_cli_SOURCES = tests/integration/test_cli.c $(HARNESS)
tests_integration_test_cli_CFLAGS = $(IT_CFLAGS)
tests_integration_test_cli_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_cli_LDADD = $(IT_LDADD)
tests_integration_test_cli_LDFLAGS = -pthread
tests_integration_test_queue_SOURCES = tests/integration/test_queue.c $(HARNESS)
tests_integration_test_queue_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
tests_integration_test_queue_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_queue_LDADD = $(CLIENT_LIBS) $(IT_LDADD)
tests_integration_test_queue_LDFLAGS = -pthread
tests_integration_test_session_SOURCES = tests/integration/test_session.c $(HARNESS)
tests_integration_test_session_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
tests_integration_test_session_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_session_LDADD = $(CLIENT_LIBS) $(IT_LDADD)
tests_integration_test_session_LDFLAGS = -pthread
tests_integration_test_store_search_SOURCES = tests/integration/test_store_search.c $(HARNESS)
tests_integration_test_store_search_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
tests_integration_test_store_search_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_store_search_LDADD = $(CLIENT_LIBS) $(IT_LDADD)
tests_integration_test_store_search_LDFLAGS = -pthread
tests_integration_test_stream_SOURCES = tests/integration/test_stream.c $(HARNESS)
tests_integration_test_stream_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
tests_integration_test_stream_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_stream_LDADD = $(CLIENT_LIBS) $(IT_LDADD)
tests_integration_test_stream_LDFLAGS = -pthread
tests_integration_test_stream_frames_SOURCES = tests/integration/test_stream_frames.c $(HARNESS)
tests_integration_test_stream_frames_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS) $(LWS_CFLAGS) $(CRYPTO_CFLAGS)
tests_integration_test_stream_frames_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_stream_frames_LDADD = $(CLIENT_LIBS) $(IT_LDADD) $(CRYPTO_LIBS)
tests_integration_test_stream_frames_LDFLAGS = -pthread
tests_integration_test_hub_presence_SOURCES = tests/integration/test_hub_presence.c $(HARNESS)
tests_integration_test_hub_presence_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_presence_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_presence_LDADD = $(IT_LDADD)
tests_integration_test_hub_presence_LDFLAGS = -pthread
tests_integration_test_hub_answers_SOURCES = tests/integration/test_hub_answers.c $(HARNESS)
tests_integration_test_hub_answers_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_answers_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_answers_LDADD = $(IT_LDADD)
tests_integration_test_hub_answers_LDFLAGS = -pthread
tests_integration_test_hub_ingest_read_SOURCES = tests/integration/test_hub_ingest_read.c $(HARNESS)
tests_integration_test_hub_ingest_read_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_ingest_read_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_ingest_read_LDADD = $(IT_LDADD)
tests_integration_test_hub_ingest_read_LDFLAGS = -pthread
tests_integration_test_hub_ingest_scope_SOURCES = tests/integration/test_hub_ingest_scope.c $(HARNESS)
tests_integration_test_hub_ingest_scope_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_ingest_scope_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_ingest_scope_LDADD = $(IT_LDADD)
tests_integration_test_hub_ingest_scope_LDFLAGS = -pthread
tests_integration_test_hub_ratelimit_SOURCES = tests/integration/test_hub_ratelimit.c $(HARNESS)
tests_integration_test_hub_ratelimit_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_ratelimit_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_ratelimit_LDADD = $(IT_LDADD)
tests_integration_test_hub_ratelimit_LDFLAGS = -pthread
tests_integration_test_hub_abuse_SOURCES = tests/integration/test_hub_abuse.c $(HARNESS)
tests_integration_test_hub_abuse_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_abuse_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_abuse_LDADD = $(IT_LDADD)
tests_integration_test_hub_abuse_LDFLAGS = -pthread
tests_integration_test_hub_search_SOURCES = tests/integration/test_hub_search.c $(HARNESS)
tests_integration_test_hub_search_CFLAGS = $(IT_CFLAGS) $(SQLITE_CFLAGS)
tests_integration_test_hub_search_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_search_LDADD = $(IT_LDADD) $(SQLITE_LIBS)
tests_integration_test_hub_search_LDFLAGS = -pthread
tests_integration_test_hub_api_SOURCES = tests/integration/test_hub_api.c $(HARNESS)
tests_integration_test_hub_api_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_api_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_api_LDADD = $(IT_LDADD)
tests_integration_test_hub_api_LDFLAGS = -pthread
tests_integration_test_hub_events_SOURCES = tests/integration/test_hub_events.c $(HARNESS)
tests_integration_test_hub_events_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_events_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_events_LDADD = $(IT_LDADD)
tests_integration_test_hub_events_LDFLAGS = -pthread
tests_integration_test_hub_race_SOURCES = tests/integration/test_hub_race.c $(HARNESS)
tests_integration_test_hub_race_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_race_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_race_LDADD = $(IT_LDADD)
tests_integration_test_hub_race_LDFLAGS = -pthread
tests_integration_test_hub_keepalive_SOURCES = tests/integration/test_hub_keepalive.c $(HARNESS)
tests_integration_test_hub_keepalive_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
tests_integration_test_hub_keepalive_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_keepalive_LDADD = $(CLIENT_LIBS) $(IT_LDADD)
tests_integration_test_hub_keepalive_LDFLAGS = -pthread
tests_integration_test_hub_log_SOURCES = tests/integration/test_hub_log.c $(HARNESS)
tests_integration_test_hub_log_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_log_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_log_LDADD = $(IT_LDADD)
tests_integration_test_hub_log_LDFLAGS = -pthread
# SQLite itself, to make the files migrate must refuse (a newer schema).
tests_integration_test_hub_migrate_SOURCES = tests/integration/test_hub_migrate.c $(HARNESS)
tests_integration_test_hub_migrate_CFLAGS = $(IT_CFLAGS) $(SQLITE_CFLAGS)
tests_integration_test_hub_migrate_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_migrate_LDADD = $(IT_LDADD) $(SQLITE_LIBS)
tests_integration_test_hub_migrate_LDFLAGS = -pthread
tests_integration_test_hub_migrate_pg_SOURCES = tests/integration/test_hub_migrate_pg.c $(HARNESS) $(PGSERVER)
tests_integration_test_hub_migrate_pg_CFLAGS = $(IT_CFLAGS) $(PQ_CFLAGS)
tests_integration_test_hub_migrate_pg_CPPFLAGS = $(IT_CPPFLAGS) -I$(top_srcdir)/tests/unit
tests_integration_test_hub_migrate_pg_LDADD = $(IT_LDADD) $(PQ_LIBS)
tests_integration_test_hub_migrate_pg_LDFLAGS = -pthread
tests_integration_test_hub_ingest11_SOURCES = tests/integration/test_hub_ingest11.c $(HARNESS)
tests_integration_test_hub_ingest11_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_ingest11_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_ingest11_LDADD = $(IT_LDADD)
tests_integration_test_hub_ingest11_LDFLAGS = -pthread
tests_integration_test_hub_limits_SOURCES = tests/integration/test_hub_limits.c $(HARNESS)
tests_integration_test_hub_limits_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_limits_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_limits_LDADD = $(IT_LDADD)
tests_integration_test_hub_limits_LDFLAGS = -pthread
tests_integration_test_hub_replies_SOURCES = tests/integration/test_hub_replies.c $(HARNESS)
tests_integration_test_hub_replies_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_replies_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_replies_LDADD = $(IT_LDADD)
tests_integration_test_hub_replies_LDFLAGS = -pthread
tests_integration_test_hub_fds_SOURCES = tests/integration/test_hub_fds.c $(HARNESS)
tests_integration_test_hub_fds_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_fds_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_fds_LDADD = $(IT_LDADD)
tests_integration_test_hub_fds_LDFLAGS = -pthread
tests_integration_test_hub_ws_strict_SOURCES = tests/integration/test_hub_ws_strict.c $(HARNESS)
tests_integration_test_hub_ws_strict_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_ws_strict_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_ws_strict_LDADD = $(IT_LDADD)
tests_integration_test_hub_ws_strict_LDFLAGS = -pthread
tests_integration_test_hub_auth_matrix_SOURCES = tests/integration/test_hub_auth_matrix.c $(HARNESS)
tests_integration_test_hub_auth_matrix_CFLAGS = $(IT_CFLAGS)
# The matrix reads the hub's route table from its source.
tests_integration_test_hub_auth_matrix_CPPFLAGS = $(IT_CPPFLAGS) \
	-DROUTES_C='"$(abs_top_srcdir)/src/hub/routes.c"'
tests_integration_test_hub_auth_matrix_LDADD = $(IT_LDADD)
tests_integration_test_hub_auth_matrix_LDFLAGS = -pthread
tests_integration_test_hub_resume_SOURCES = tests/integration/test_hub_resume.c $(HARNESS)
tests_integration_test_hub_resume_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_resume_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_resume_LDADD = $(IT_LDADD)
tests_integration_test_hub_resume_LDFLAGS = -pthread
tests_integration_test_hub_bad_input_SOURCES = tests/integration/test_hub_bad_input.c $(HARNESS)
tests_integration_test_hub_bad_input_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_bad_input_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_bad_input_LDADD = $(IT_LDADD)
tests_integration_test_hub_bad_input_LDFLAGS = -pthread

tests_integration_test_ingest_batch_SOURCES = tests/integration/test_ingest_batch.c $(HARNESS)
tests_integration_test_ingest_batch_CFLAGS = $(IT_CFLAGS)
tests_integration_test_ingest_batch_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_ingest_batch_LDADD = $(IT_LDADD)
tests_integration_test_ingest_batch_LDFLAGS = -pthread
tests_integration_test_hub_owner_SOURCES = tests/integration/test_hub_owner.c $(HARNESS)
tests_integration_test_hub_owner_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_owner_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_owner_LDADD = $(IT_LDADD)
tests_integration_test_hub_owner_LDFLAGS = -pthread
tests_integration_test_hub_read_SOURCES = tests/integration/test_hub_read.c $(HARNESS)
tests_integration_test_hub_read_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_read_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_read_LDADD = $(IT_LDADD)
tests_integration_test_hub_read_LDFLAGS = -pthread

tests_integration_test_hub_targets_SOURCES = tests/integration/test_hub_targets.c $(HARNESS)
tests_integration_test_hub_targets_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_targets_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_targets_LDADD = $(IT_LDADD)
tests_integration_test_hub_targets_LDFLAGS = -pthread

tests_integration_test_hub_stats_platforms_SOURCES = tests/integration/test_hub_stats_platforms.c $(HARNESS)
tests_integration_test_hub_stats_platforms_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_stats_platforms_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_stats_platforms_LDADD = $(IT_LDADD)
tests_integration_test_hub_stats_platforms_LDFLAGS = -pthread
tests_integration_test_hub_agents_SOURCES = tests/integration/test_hub_agents.c $(HARNESS)
tests_integration_test_hub_agents_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_agents_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_agents_LDADD = $(IT_LDADD)
tests_integration_test_hub_agents_LDFLAGS = -pthread
tests_integration_test_hub_autoassign_SOURCES = tests/integration/test_hub_autoassign.c $(HARNESS)
tests_integration_test_hub_autoassign_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_autoassign_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_autoassign_LDADD = $(IT_LDADD)
tests_integration_test_hub_autoassign_LDFLAGS = -pthread

tests_integration_test_hub_dashboard_SOURCES = tests/integration/test_hub_dashboard.c $(HARNESS)
tests_integration_test_hub_dashboard_CFLAGS = $(IT_CFLAGS)
tests_integration_test_hub_dashboard_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_dashboard_LDADD = $(IT_LDADD)
tests_integration_test_hub_dashboard_LDFLAGS = -pthread

tests_integration_test_replicas_SOURCES = tests/integration/test_replicas.c $(HARNESS)
tests_integration_test_replicas_CFLAGS = $(IT_CFLAGS)
tests_integration_test_replicas_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_replicas_LDADD = $(IT_LDADD)
tests_integration_test_replicas_LDFLAGS = -pthread
tests_integration_test_hub_stall_SOURCES = tests/integration/test_hub_stall.c $(HARNESS)
tests_integration_test_hub_stall_CFLAGS = $(IT_CFLAGS) $(PQ_CFLAGS)
tests_integration_test_hub_stall_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_hub_stall_LDADD = $(IT_LDADD) $(PQ_LIBS)
tests_integration_test_hub_stall_LDFLAGS = -pthread

tests_integration_test_replicas_presence_SOURCES = tests/integration/test_replicas_presence.c $(HARNESS)
tests_integration_test_replicas_presence_CFLAGS = $(IT_CFLAGS)
tests_integration_test_replicas_presence_CPPFLAGS = $(IT_CPPFLAGS)
tests_integration_test_replicas_presence_LDADD = $(IT_LDADD)
tests_integration_test_replicas_presence_LDFLAGS = -pthread
