# The simulated Botpress Cloud bot (doc/simulators.md): a check program the
# bridge's tests start, never installed. Included from Makefile.am.
check_PROGRAMS += tests/sim/botpress_sim
tests_sim_botpress_sim_SOURCES = \
	tests/sim/botpress_sim.c \
	tests/sim/bp_actors.c tests/sim/bp_actors.h \
	tests/sim/bp_api.c tests/sim/bp_api.h \
	tests/sim/bp_control.c tests/sim/bp_control.h \
	tests/sim/bp_error.c tests/sim/bp_error.h \
	tests/sim/bp_faults.c tests/sim/bp_faults.h \
	tests/sim/bp_sim.h \
	tests/sim/bp_store.c tests/sim/bp_store.h \
	tests/sim/bp_webhook.c tests/sim/bp_webhook.h \
	tests/sim/sim_http.c tests/sim/sim_http.h
tests_sim_botpress_sim_CFLAGS = $(AM_CFLAGS) $(UV_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS)
tests_sim_botpress_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_botpress_sim_LDADD = $(CORE_LIBS) $(UV_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS)

# Its own tests: the simulator run as a process, driven over HTTP.
SIM_TESTS = tests/sim/test_botpress_sim
check_PROGRAMS += $(SIM_TESTS)
TESTS += $(SIM_TESTS)
tests_sim_test_botpress_sim_SOURCES = tests/sim/test_botpress_sim.c \
	tests/sim/sim_client.c tests/sim/sim_client.h
tests_sim_test_botpress_sim_CFLAGS = $(UNIT_CFLAGS) $(CURL_CFLAGS) $(UV_CFLAGS) \
	$(CRYPTO_CFLAGS) -pthread
tests_sim_test_botpress_sim_CPPFLAGS = $(CORE_CPPFLAGS)
tests_sim_test_botpress_sim_LDADD = $(CORE_LIBS) $(CMOCKA_LIBS) $(CURL_LIBS) $(UV_LIBS) \
	$(CRYPTO_LIBS)
tests_sim_test_botpress_sim_LDFLAGS = -pthread
AM_TESTS_ENVIRONMENT += BOTPRESS_SIM='$(abs_top_builddir)/tests/sim/botpress_sim'; \
	export BOTPRESS_SIM;
EXTRA_DIST += doc/simulators.md
