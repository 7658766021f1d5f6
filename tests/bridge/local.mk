# The bridge's integration tests: a real handoffd, a real handoff-bridge and
# the platform's simulator (Botpress, chats, threads, conversations, agents).
BRIDGE_TESTS = \
	tests/bridge/test_bridge_inbound \
	tests/bridge/test_bridge_backfill \
	tests/bridge/test_bridge_outbound \
	tests/bridge/test_bridge_lanes \
	tests/bridge/test_bridge_resync \
	tests/bridge/test_bridge_ops \
	tests/bridge/test_bridge_threads \
	tests/bridge/test_bridge_chats \
	tests/bridge/test_bridge_conversations \
	tests/bridge/test_bridge_stats \
	tests/bridge/test_bridge_agents
check_PROGRAMS += $(BRIDGE_TESTS)
TESTS += $(BRIDGE_TESTS)
BRIDGE_TEST_SOURCES = tests/bridge/bridge_proc.c tests/bridge/bridge_proc.h \
	$(SIM_CLIENT_SOURCES) tests/sim/bp_client.c tests/sim/bp_client.h \
	tests/sim/ch_client.h tests/sim/cv_client.h tests/sim/th_client.h tests/sim/ag_client.h \
	$(HARNESS)
BRIDGE_TEST_CFLAGS = $(IT_CFLAGS) $(UV_CFLAGS)
BRIDGE_TEST_CPPFLAGS = $(IT_CPPFLAGS) -I$(top_srcdir)/tests/sim
BRIDGE_TEST_LDADD = $(IT_LDADD) $(UV_LIBS) $(CRYPTO_LIBS)
tests_bridge_test_bridge_inbound_SOURCES = tests/bridge/test_bridge_inbound.c $(BRIDGE_TEST_SOURCES)
tests_bridge_test_bridge_inbound_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_inbound_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_inbound_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_inbound_LDFLAGS = -pthread
tests_bridge_test_bridge_backfill_SOURCES = tests/bridge/test_bridge_backfill.c $(BRIDGE_TEST_SOURCES)
tests_bridge_test_bridge_backfill_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_backfill_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_backfill_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_backfill_LDFLAGS = -pthread
tests_bridge_test_bridge_outbound_SOURCES = tests/bridge/test_bridge_outbound.c $(BRIDGE_TEST_SOURCES)
tests_bridge_test_bridge_outbound_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_outbound_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_outbound_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_outbound_LDFLAGS = -pthread
tests_bridge_test_bridge_lanes_SOURCES = tests/bridge/test_bridge_lanes.c $(BRIDGE_TEST_SOURCES)
tests_bridge_test_bridge_lanes_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_lanes_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_lanes_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_lanes_LDFLAGS = -pthread
tests_bridge_test_bridge_resync_SOURCES = tests/bridge/test_bridge_resync.c $(BRIDGE_TEST_SOURCES)
tests_bridge_test_bridge_resync_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_resync_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_resync_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_resync_LDFLAGS = -pthread
tests_bridge_test_bridge_ops_SOURCES = tests/bridge/test_bridge_ops.c $(BRIDGE_TEST_SOURCES)
tests_bridge_test_bridge_ops_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_ops_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_ops_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_ops_LDFLAGS = -pthread
tests_bridge_test_bridge_threads_SOURCES = tests/bridge/test_bridge_threads.c \
	$(BRIDGE_TEST_SOURCES) tests/sim/th_client.c tests/sim/th_client.h
tests_bridge_test_bridge_threads_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_threads_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_threads_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_threads_LDFLAGS = -pthread
tests_bridge_test_bridge_chats_SOURCES = tests/bridge/test_bridge_chats.c $(BRIDGE_TEST_SOURCES) \
	tests/sim/ch_client.c tests/sim/ch_client.h
tests_bridge_test_bridge_chats_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_chats_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_chats_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_chats_LDFLAGS = -pthread
tests_bridge_test_bridge_conversations_SOURCES = tests/bridge/test_bridge_conversations.c \
	$(BRIDGE_TEST_SOURCES) tests/sim/cv_client.c tests/sim/cv_client.h
tests_bridge_test_bridge_conversations_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_conversations_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_conversations_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_conversations_LDFLAGS = -pthread
tests_bridge_test_bridge_agents_SOURCES = tests/bridge/test_bridge_agents.c \
	$(BRIDGE_TEST_SOURCES) tests/sim/ag_client.c tests/sim/ag_client.h
tests_bridge_test_bridge_agents_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_agents_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_agents_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_agents_LDFLAGS = -pthread
AM_TESTS_ENVIRONMENT += HANDOFF_BRIDGE='$(abs_top_builddir)/handoff-bridge'; export HANDOFF_BRIDGE;


tests_bridge_test_bridge_stats_SOURCES = tests/bridge/test_bridge_stats.c \
	$(BRIDGE_TEST_SOURCES) tests/sim/cv_client.c tests/sim/cv_client.h
tests_bridge_test_bridge_stats_CFLAGS = $(BRIDGE_TEST_CFLAGS)
tests_bridge_test_bridge_stats_CPPFLAGS = $(BRIDGE_TEST_CPPFLAGS)
tests_bridge_test_bridge_stats_LDADD = $(BRIDGE_TEST_LDADD)
tests_bridge_test_bridge_stats_LDFLAGS = -pthread
