# End-to-end tests: programs driven as a person uses them, in a private tmux
# server (tests/e2e/tmux.h): send-keys to type, capture-pane to read.
E2E_TESTS = \
	tests/e2e/test_tmux_harness \
	tests/e2e/test_console \
	tests/e2e/test_console_keys \
	tests/e2e/test_console_termkeys \
	tests/e2e/test_console_thread \
	tests/e2e/test_canned \
	tests/e2e/test_details \
	tests/e2e/test_targets \
	tests/e2e/test_dashboard \
	tests/e2e/test_stats \
	tests/e2e/test_search \
	tests/e2e/test_list_loading \
	tests/e2e/test_list_end \
	tests/e2e/test_thread_scroll \
	tests/e2e/test_thread_pace \
	tests/e2e/test_views \
	tests/e2e/test_unread \
	tests/e2e/test_presence \
	tests/e2e/test_agents
check_PROGRAMS += $(E2E_TESTS)
TESTS += $(E2E_TESTS)
TMUX_HARNESS = tests/e2e/tmux.c tests/e2e/tmux.h
CONSOLE_FIXTURE = tests/e2e/console_fixture.c tests/e2e/console_fixture.h $(TMUX_HARNESS) $(HARNESS)
E2E_CFLAGS = $(UNIT_CFLAGS)
tests_e2e_test_tmux_harness_SOURCES = tests/e2e/test_tmux_harness.c $(TMUX_HARNESS)
tests_e2e_test_tmux_harness_CFLAGS = $(E2E_CFLAGS)
tests_e2e_test_tmux_harness_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_tmux_harness_LDADD = $(CMOCKA_LIBS)
tests_e2e_test_console_SOURCES = tests/e2e/test_console.c $(CONSOLE_FIXTURE)
tests_e2e_test_console_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_console_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_console_LDADD = $(IT_LDADD)
tests_e2e_test_console_LDFLAGS = -pthread
tests_e2e_test_console_keys_SOURCES = tests/e2e/test_console_keys.c $(CONSOLE_FIXTURE)
tests_e2e_test_console_keys_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_console_keys_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_console_keys_LDADD = $(IT_LDADD)
tests_e2e_test_console_keys_LDFLAGS = -pthread
tests_e2e_test_console_termkeys_SOURCES = tests/e2e/test_console_termkeys.c $(CONSOLE_FIXTURE)
tests_e2e_test_console_termkeys_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_console_termkeys_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_console_termkeys_LDADD = $(IT_LDADD)
tests_e2e_test_console_termkeys_LDFLAGS = -pthread
tests_e2e_test_console_thread_SOURCES = tests/e2e/test_console_thread.c $(CONSOLE_FIXTURE)
tests_e2e_test_console_thread_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_console_thread_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_console_thread_LDADD = $(IT_LDADD)
tests_e2e_test_console_thread_LDFLAGS = -pthread
tests_e2e_test_views_SOURCES = tests/e2e/test_views.c $(CONSOLE_FIXTURE)
tests_e2e_test_views_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_views_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_views_LDADD = $(IT_LDADD)
tests_e2e_test_views_LDFLAGS = -pthread
tests_e2e_test_search_SOURCES = tests/e2e/test_search.c $(CONSOLE_FIXTURE)
tests_e2e_test_search_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_search_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_search_LDADD = $(IT_LDADD)
tests_e2e_test_search_LDFLAGS = -pthread
tests_e2e_test_canned_SOURCES = tests/e2e/test_canned.c $(CONSOLE_FIXTURE)
tests_e2e_test_canned_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_canned_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_canned_LDADD = $(IT_LDADD)
tests_e2e_test_canned_LDFLAGS = -pthread
tests_e2e_test_presence_SOURCES = tests/e2e/test_presence.c $(CONSOLE_FIXTURE)
tests_e2e_test_presence_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_presence_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_presence_LDADD = $(IT_LDADD)
tests_e2e_test_presence_LDFLAGS = -pthread
tests_e2e_test_targets_SOURCES = tests/e2e/test_targets.c $(CONSOLE_FIXTURE)
tests_e2e_test_targets_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_targets_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_targets_LDADD = $(IT_LDADD)
tests_e2e_test_targets_LDFLAGS = -pthread
# A hub filled the way the benchmarks fill one; wake-ups read as they do.
tests_e2e_test_list_loading_SOURCES = tests/e2e/test_list_loading.c $(CONSOLE_FIXTURE) \
	tests/bench/bench_fill.c tests/bench/bench_fill.h tests/bench/bench_console_irc.c \
	tests/bench/bench_console.h
tests_e2e_test_list_loading_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS) -pthread
tests_e2e_test_list_loading_CPPFLAGS = $(E2E_CPPFLAGS) $(HUB_CPPFLAGS) -I$(top_srcdir)/tests/bench
tests_e2e_test_list_loading_LDADD = $(HUBDB_LIBS) $(IT_LDADD)
tests_e2e_test_list_loading_LDFLAGS = -pthread
THREAD_ROWS = tests/e2e/thread_rows.c tests/e2e/thread_rows.h
tests_e2e_test_thread_pace_SOURCES = tests/e2e/test_thread_pace.c $(CONSOLE_FIXTURE) $(THREAD_ROWS)
tests_e2e_test_thread_pace_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_thread_pace_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_thread_pace_LDADD = $(IT_LDADD)
tests_e2e_test_thread_pace_LDFLAGS = -pthread
tests_e2e_test_list_end_SOURCES = tests/e2e/test_list_end.c $(CONSOLE_FIXTURE) \
	tests/bench/bench_fill.c tests/bench/bench_fill.h
tests_e2e_test_list_end_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) $(SQLITE_CFLAGS) -pthread
tests_e2e_test_list_end_CPPFLAGS = $(E2E_CPPFLAGS) $(HUB_CPPFLAGS) -I$(top_srcdir)/tests/bench
tests_e2e_test_list_end_LDADD = $(HUBDB_LIBS) $(IT_LDADD)
tests_e2e_test_list_end_LDFLAGS = -pthread
tests_e2e_test_thread_scroll_SOURCES = tests/e2e/test_thread_scroll.c $(CONSOLE_FIXTURE) \
	$(THREAD_ROWS)
tests_e2e_test_thread_scroll_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_thread_scroll_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_thread_scroll_LDADD = $(IT_LDADD)
tests_e2e_test_thread_scroll_LDFLAGS = -pthread
# The tests run the handoffd and handoff this tree built.
AM_TESTS_ENVIRONMENT = HANDOFFD='$(abs_top_builddir)/handoffd'; export HANDOFFD; \
	HANDOFF_BIN='$(abs_top_builddir)/handoff'; export HANDOFF_BIN;
# handoff --demo with the simulated platforms' bridges (the simulators are
# in tests/sim; it reads one's control interface).
E2E_DEMO_TESTS = tests/e2e/test_demo_bridges
check_PROGRAMS += $(E2E_DEMO_TESTS)
TESTS += $(E2E_DEMO_TESTS)
tests_e2e_test_demo_bridges_SOURCES = tests/e2e/test_demo_bridges.c $(TMUX_HARNESS) \
	tests/sim/sim_client.c tests/sim/sim_client.h
tests_e2e_test_demo_bridges_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS) -pthread
tests_e2e_test_demo_bridges_CPPFLAGS = $(E2E_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_e2e_test_demo_bridges_LDADD = $(CORE_LIBS) $(CMOCKA_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS)
tests_e2e_test_demo_bridges_LDFLAGS = -pthread

tests_e2e_test_details_SOURCES = tests/e2e/test_details.c $(CONSOLE_FIXTURE)
tests_e2e_test_details_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_details_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_details_LDADD = $(IT_LDADD)
tests_e2e_test_details_LDFLAGS = -pthread

tests_e2e_test_unread_SOURCES = tests/e2e/test_unread.c $(CONSOLE_FIXTURE)
tests_e2e_test_unread_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_unread_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_unread_LDADD = $(IT_LDADD)
tests_e2e_test_unread_LDFLAGS = -pthread
tests_e2e_test_stats_SOURCES = tests/e2e/test_stats.c $(CONSOLE_FIXTURE)
tests_e2e_test_stats_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_stats_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_stats_LDADD = $(IT_LDADD)
tests_e2e_test_stats_LDFLAGS = -pthread
tests_e2e_test_agents_SOURCES = tests/e2e/test_agents.c $(CONSOLE_FIXTURE)
tests_e2e_test_agents_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_agents_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_agents_LDADD = $(IT_LDADD)
tests_e2e_test_agents_LDFLAGS = -pthread

tests_e2e_test_dashboard_SOURCES = tests/e2e/test_dashboard.c $(CONSOLE_FIXTURE)
tests_e2e_test_dashboard_CFLAGS = $(E2E_CFLAGS) $(CURL_CFLAGS) -pthread
tests_e2e_test_dashboard_CPPFLAGS = $(E2E_CPPFLAGS)
tests_e2e_test_dashboard_LDADD = $(IT_LDADD)
tests_e2e_test_dashboard_LDFLAGS = -pthread
