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
	tests/sim/sim_faults.c tests/sim/sim_faults.h \
	tests/sim/sim_http.c tests/sim/sim_http.h \
	tests/sim/sim_webhook.c tests/sim/sim_webhook.h
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
EXTRA_DIST += doc/simulators.md

# Chats with responders and tickets.
check_PROGRAMS += tests/sim/chats_sim
tests_sim_chats_sim_SOURCES = $(SIM_COMMON_SOURCES) \
	tests/sim/sim_kit.c tests/sim/sim_kit.h \
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
