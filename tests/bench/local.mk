# ---- benchmarks: `make bench`, never `make check` (see doc/performance.md) --
EXTRA_PROGRAMS = tests/bench/bench_hub_list tests/bench/bench_hub_fanout \
	tests/bench/bench_hub_wal tests/bench/bench_store tests/bench/bench_console tests/bench/bench_console_keys \
	tests/bench/bench_bridge tests/bench/bench_hub_soak tests/bench/bench_list_steps \
	tests/bench/bench_replicas tests/bench/bench_pg_access
BENCH_FILL = tests/bench/bench_fill.c tests/bench/bench_fill.h
tests_bench_bench_console_SOURCES = tests/bench/bench_console.c tests/bench/bench_console.h \
	tests/bench/bench_console_irc.c tests/bench/bench_termbytes.c tests/bench/bench_trace.c $(BENCH_FILL) $(TMUX_HARNESS) $(HARNESS)
tests_bench_bench_console_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_bench_bench_console_CPPFLAGS = $(E2E_CPPFLAGS) $(HUB_CPPFLAGS)
tests_bench_bench_console_LDADD = $(HUBDB_LIBS) $(IT_LDADD)
tests_bench_bench_console_LDFLAGS = -pthread
tests_bench_bench_console_keys_SOURCES = tests/bench/bench_console_keys.c $(TMUX_HARNESS) \
	$(HARNESS)
tests_bench_bench_console_keys_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_bench_bench_console_keys_CPPFLAGS = $(E2E_CPPFLAGS)
tests_bench_bench_console_keys_LDADD = $(IT_LDADD)
tests_bench_bench_console_keys_LDFLAGS = -pthread
tests_bench_bench_store_SOURCES = tests/bench/bench_store.c
tests_bench_bench_store_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_bench_bench_store_LDADD = src/client/libhandoffclient.a $(CORE_LIBS)
BENCH_HUB = tests/bench/bench_hub.c tests/bench/bench_hub.h
tests_bench_bench_hub_fanout_SOURCES = tests/bench/bench_hub_fanout.c $(BENCH_HUB) $(HARNESS)
tests_bench_bench_hub_fanout_CFLAGS = $(IT_CFLAGS)
tests_bench_bench_hub_fanout_CPPFLAGS = $(IT_CPPFLAGS)
tests_bench_bench_hub_fanout_LDADD = $(IT_LDADD)
tests_bench_bench_hub_fanout_LDFLAGS = -pthread
tests_bench_bench_replicas_SOURCES = tests/bench/bench_replicas.c $(BENCH_HUB) $(HARNESS)
tests_bench_bench_replicas_CFLAGS = $(IT_CFLAGS)
tests_bench_bench_replicas_CPPFLAGS = $(IT_CPPFLAGS)
tests_bench_bench_replicas_LDADD = $(IT_LDADD)
tests_bench_bench_replicas_LDFLAGS = -pthread
tests_bench_bench_pg_access_SOURCES = tests/bench/bench_pg_access.c $(BENCH_HUB) $(HARNESS)
tests_bench_bench_pg_access_CFLAGS = $(IT_CFLAGS) $(PQ_CFLAGS) $(UV_CFLAGS)
tests_bench_bench_pg_access_CPPFLAGS = $(IT_CPPFLAGS)
tests_bench_bench_pg_access_LDADD = $(IT_LDADD) $(PQ_LIBS) $(UV_LIBS)
tests_bench_bench_pg_access_LDFLAGS = -pthread
tests_bench_bench_hub_soak_SOURCES = tests/bench/bench_hub_soak.c $(BENCH_HUB) $(HARNESS)
tests_bench_bench_hub_soak_CFLAGS = $(IT_CFLAGS)
tests_bench_bench_hub_soak_CPPFLAGS = $(IT_CPPFLAGS)
tests_bench_bench_hub_soak_LDADD = $(IT_LDADD)
tests_bench_bench_hub_soak_LDFLAGS = -pthread
tests_bench_bench_hub_wal_SOURCES = tests/bench/bench_hub_wal.c $(HARNESS)
tests_bench_bench_hub_wal_CFLAGS = $(IT_CFLAGS)
tests_bench_bench_hub_wal_CPPFLAGS = $(IT_CPPFLAGS)
tests_bench_bench_hub_wal_LDADD = $(IT_LDADD)
tests_bench_bench_hub_wal_LDFLAGS = -pthread
tests_bench_bench_hub_list_SOURCES = tests/bench/bench_hub_list.c $(BENCH_FILL) $(HARNESS)
tests_bench_bench_hub_list_CFLAGS = $(IT_CFLAGS) $(PQ_CFLAGS)
tests_bench_bench_hub_list_CPPFLAGS = $(IT_CPPFLAGS) $(HUBPG_CPPFLAGS)
tests_bench_bench_hub_list_LDADD = $(HUBPG_LIBS) $(HUBDB_LIBS) $(IT_LDADD)
tests_bench_bench_hub_list_LDFLAGS = -pthread
tests_bench_bench_list_steps_SOURCES = tests/bench/bench_list_steps.c
tests_bench_bench_list_steps_CPPFLAGS = $(HUB_CPPFLAGS) $(SQLITE_CFLAGS)
tests_bench_bench_list_steps_LDADD = $(HUBDB_LIBS)
CLEANFILES = $(EXTRA_PROGRAMS) $(CLEANFILES_THEMES)

bench: handoffd handoff handoff-bridge tests/integration/with_pg tests/sim/botpress_sim tests/sim/threads_sim \
	tests/sim/chats_sim tests/sim/conversations_sim $(EXTRA_PROGRAMS)
	$(top_srcdir)/tests/bench/run.sh '$(abs_top_builddir)' $(BENCH_CHATS)
.PHONY: bench

# The bridge's benchmark (doc/performance.md, "Bridges"): hub, bridge and the
# platforms' simulators, as in tests/bridge.
tests_bench_bench_bridge_SOURCES = tests/bench/bench_bridge.c $(BRIDGE_TEST_SOURCES)
tests_bench_bench_bridge_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bench_bench_bridge_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS) -I$(top_srcdir)/tests/bridge
tests_bench_bench_bridge_LDADD = $(BRIDGE_TEST_LDADD)
tests_bench_bench_bridge_LDFLAGS = -pthread
