# The platform simulators (doc/simulators.md): check programs the bridges'
# tests start, never installed. Included from Makefile.am.
#
# What every simulator shares (start-up, fault switches, webhook, control
# routes, HTTP server), and what every simulator's tests share (start it,
# call it, receive its webhooks). A new simulator lists these with its own
# files, as botpress_sim does below.
SIM_COMMON_SOURCES = \
	tests/sim/sim.h tests/sim/sim_main.c \
	tests/sim/sim_control.c tests/sim/sim_control.h \
	tests/sim/sim_demo.c tests/sim/sim_demo.h \
	tests/sim/sim_faults.c tests/sim/sim_faults.h \
	tests/sim/sim_http.c tests/sim/sim_http.h \
	tests/sim/sim_query.c tests/sim/sim_query.h \
	tests/sim/sim_vec.c tests/sim/sim_vec.h \
	tests/sim/sim_webhook.c tests/sim/sim_webhook.h
# The simulators `make demo` runs (handoff --demo finds them in tests/sim).
DEMO_SIMS = tests/sim/botpress_sim tests/sim/threads_sim tests/sim/chats_sim \
	tests/sim/conversations_sim tests/sim/agents_sim
SIM_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS)
SIM_LIBS = $(CORE_LIBS) $(UV_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS)
SIM_CLIENT_SOURCES = tests/sim/sim_client.c tests/sim/sim_client.h
SIM_TEST_CFLAGS = $(UNIT_CFLAGS) $(CURL_CFLAGS) $(UV_CFLAGS) $(CRYPTO_CFLAGS) -pthread
SIM_TEST_LIBS = $(CORE_LIBS) $(CMOCKA_LIBS) $(CURL_LIBS) $(UV_LIBS) $(CRYPTO_LIBS)

# Botpress Cloud.
check_PROGRAMS += tests/sim/botpress_sim
tests_sim_botpress_sim_SOURCES = $(SIM_COMMON_SOURCES) \
	tests/sim/botpress_sim.c \
	tests/sim/bp_actors.c tests/sim/bp_actors.h \
	tests/sim/bp_api.c tests/sim/bp_api.h \
	tests/sim/bp_control.c tests/sim/bp_control.h \
	tests/sim/bp_error.c tests/sim/bp_error.h \
	tests/sim/bp_sim.h \
	tests/sim/bp_store.c tests/sim/bp_store.h
tests_sim_botpress_sim_CFLAGS = $(SIM_CFLAGS)
tests_sim_botpress_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_botpress_sim_LDADD = $(SIM_LIBS)

# Its own tests: the simulator run as a process, driven over HTTP.
SIM_TESTS = tests/sim/test_botpress_sim
check_PROGRAMS += $(SIM_TESTS)
TESTS += $(SIM_TESTS)
tests_sim_test_botpress_sim_SOURCES = tests/sim/test_botpress_sim.c $(SIM_CLIENT_SOURCES) \
	tests/sim/bp_client.c tests/sim/bp_client.h
tests_sim_test_botpress_sim_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_botpress_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_test_botpress_sim_LDADD = $(SIM_TEST_LIBS)
tests_sim_test_botpress_sim_LDFLAGS = -pthread
AM_TESTS_ENVIRONMENT += BOTPRESS_SIM='$(abs_top_builddir)/tests/sim/botpress_sim'; \
	export BOTPRESS_SIM;

# Workspace / AI agents: the agent is the bot's brain.
check_PROGRAMS += tests/sim/agents_sim
tests_sim_agents_sim_SOURCES = $(SIM_COMMON_SOURCES) \
	tests/sim/agents_sim.c \
	tests/sim/ag_actors.c tests/sim/ag_actors.h \
	tests/sim/ag_api.c tests/sim/ag_api.h \
	tests/sim/ag_control.c tests/sim/ag_control.h \
	tests/sim/ag_error.c tests/sim/ag_error.h \
	tests/sim/ag_sim.h \
	tests/sim/ag_store.c tests/sim/ag_store.h
tests_sim_agents_sim_CFLAGS = $(SIM_CFLAGS)
tests_sim_agents_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_agents_sim_LDADD = $(SIM_LIBS)

check_PROGRAMS += tests/sim/test_agents_sim
TESTS += tests/sim/test_agents_sim
tests_sim_test_agents_sim_SOURCES = tests/sim/test_agents_sim.c $(SIM_CLIENT_SOURCES) \
	tests/sim/ag_client.c tests/sim/ag_client.h
tests_sim_test_agents_sim_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_agents_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_test_agents_sim_LDADD = $(SIM_TEST_LIBS)
tests_sim_test_agents_sim_LDFLAGS = -pthread
AM_TESTS_ENVIRONMENT += AGENTS_SIM='$(abs_top_builddir)/tests/sim/agents_sim'; \
	export AGENTS_SIM;
EXTRA_DIST += doc/simulators.md

# Conversations with rating, title and daily counts.
check_PROGRAMS += tests/sim/conversations_sim
tests_sim_conversations_sim_SOURCES = $(SIM_COMMON_SOURCES) \
	tests/sim/conversations_sim.c \
	tests/sim/cv_actors.c tests/sim/cv_actors.h \
	tests/sim/cv_api.c tests/sim/cv_api.h \
	tests/sim/cv_control.c tests/sim/cv_control.h \
	tests/sim/cv_error.c tests/sim/cv_error.h \
	tests/sim/cv_sim.h \
	tests/sim/cv_store.c tests/sim/cv_store.h
tests_sim_conversations_sim_CFLAGS = $(SIM_CFLAGS)
tests_sim_conversations_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_conversations_sim_LDADD = $(SIM_LIBS)

check_PROGRAMS += tests/sim/test_conversations_sim
TESTS += tests/sim/test_conversations_sim
tests_sim_test_conversations_sim_SOURCES = tests/sim/test_conversations_sim.c \
	$(SIM_CLIENT_SOURCES) tests/sim/cv_client.c tests/sim/cv_client.h
tests_sim_test_conversations_sim_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_conversations_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_test_conversations_sim_LDADD = $(SIM_TEST_LIBS)
tests_sim_test_conversations_sim_LDFLAGS = -pthread
AM_TESTS_ENVIRONMENT += CONVERSATIONS_SIM='$(abs_top_builddir)/tests/sim/conversations_sim'; \
	export CONVERSATIONS_SIM;
# Chatbot threads (AI/AGENT mode).
check_PROGRAMS += tests/sim/threads_sim
tests_sim_threads_sim_SOURCES = $(SIM_COMMON_SOURCES) \
	tests/sim/threads_sim.c \
	tests/sim/th_actors.c tests/sim/th_actors.h \
	tests/sim/th_api.c tests/sim/th_api.h \
	tests/sim/th_control.c tests/sim/th_control.h \
	tests/sim/th_error.c tests/sim/th_error.h \
	tests/sim/th_sim.h \
	tests/sim/th_store.c tests/sim/th_store.h
tests_sim_threads_sim_CFLAGS = $(SIM_CFLAGS)
tests_sim_threads_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_threads_sim_LDADD = $(SIM_LIBS)

check_PROGRAMS += tests/sim/test_threads_sim
TESTS += tests/sim/test_threads_sim
tests_sim_test_threads_sim_SOURCES = tests/sim/test_threads_sim.c $(SIM_CLIENT_SOURCES) \
	tests/sim/th_client.c tests/sim/th_client.h
tests_sim_test_threads_sim_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_threads_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_test_threads_sim_LDADD = $(SIM_TEST_LIBS)
tests_sim_test_threads_sim_LDFLAGS = -pthread
AM_TESTS_ENVIRONMENT += THREADS_SIM='$(abs_top_builddir)/tests/sim/threads_sim'; \
	export THREADS_SIM;
# Chats with responders and tickets.
check_PROGRAMS += tests/sim/chats_sim
tests_sim_chats_sim_SOURCES = $(SIM_COMMON_SOURCES) \
	tests/sim/chats_sim.c \
	tests/sim/ch_actors.c tests/sim/ch_actors.h \
	tests/sim/ch_api.c tests/sim/ch_api.h \
	tests/sim/ch_control.c tests/sim/ch_control.h \
	tests/sim/ch_error.c tests/sim/ch_error.h \
	tests/sim/ch_sim.h \
	tests/sim/ch_store.c tests/sim/ch_store.h
tests_sim_chats_sim_CFLAGS = $(SIM_CFLAGS)
tests_sim_chats_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_chats_sim_LDADD = $(SIM_LIBS)

check_PROGRAMS += tests/sim/test_chats_sim
TESTS += tests/sim/test_chats_sim
tests_sim_test_chats_sim_SOURCES = tests/sim/test_chats_sim.c $(SIM_CLIENT_SOURCES) \
	tests/sim/ch_client.c tests/sim/ch_client.h
tests_sim_test_chats_sim_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_chats_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_test_chats_sim_LDADD = $(SIM_TEST_LIBS)
tests_sim_test_chats_sim_LDFLAGS = -pthread
AM_TESTS_ENVIRONMENT += CHATS_SIM='$(abs_top_builddir)/tests/sim/chats_sim'; \
	export CHATS_SIM;
# --demo, on every simulator that takes it.
check_PROGRAMS += tests/sim/test_sim_demo
TESTS += tests/sim/test_sim_demo
tests_sim_test_sim_demo_SOURCES = tests/sim/test_sim_demo.c $(SIM_CLIENT_SOURCES)
tests_sim_test_sim_demo_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_demo_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_test_sim_demo_LDADD = $(SIM_TEST_LIBS)
tests_sim_test_sim_demo_LDFLAGS = -pthread
