# ---- fuzzing: every decoder of untrusted bytes ------------------------------
# One libFuzzer target per decoder (tests/fuzz/fuzz_*.c, doc/HACKING.md
# "Fuzzing"), built two ways:
#  - `make check` links each with replay.c (gcc, the build's sanitizers) and
#    runs it over its seed corpus, tests/fuzz/corpus/<name>/: no clang
#    needed, and every inputs that once crashed stays a test;
#  - `make fuzz` builds them with clang's libFuzzer into tests/fuzz/bin/ and
#    runs each for FUZZ_SECONDS from its corpus; new inputs go to
#    tests/fuzz/work/<name>/, crashes to tests/fuzz/crashes/.
FUZZ_TARGETS = codec api_decode textsafe utf8 body query route head config keymap
FUZZ_PROGS = tests/fuzz/fuzz_codec tests/fuzz/fuzz_api_decode tests/fuzz/fuzz_textsafe \
	tests/fuzz/fuzz_utf8 tests/fuzz/fuzz_body tests/fuzz/fuzz_query tests/fuzz/fuzz_route \
	tests/fuzz/fuzz_head tests/fuzz/fuzz_config tests/fuzz/fuzz_keymap
check_PROGRAMS += $(FUZZ_PROGS)
TESTS += $(FUZZ_PROGS)
EXTRA_DIST += tests/fuzz/corpus
AM_TESTS_ENVIRONMENT += FUZZ_CORPUS='$(abs_top_srcdir)/tests/fuzz/corpus'; export FUZZ_CORPUS;

FUZZ_REPLAY = tests/fuzz/replay.c tests/fuzz/fuzz.h
# The hub's request parsers and its real route table (with the handlers it
# names, which need the state library).
FUZZ_HUB_PARSE = src/hub/query.c src/hub/server_route.c src/hub/server_head.c
FUZZ_HUB_ROUTES = src/hub/routes.c src/hub/handler_util.c src/hub/handlers_actions.c \
	src/hub/handlers_chats.c src/hub/handlers_ingest.c src/hub/handlers_messages.c \
	src/hub/handlers_misc.c src/hub/handlers_canned.c src/hub/handlers_search.c src/hub/handlers_owners.c src/hub/handlers_stats.c \
	src/hub/handlers_agents.c src/hub/handlers_dashboard.c

tests_fuzz_fuzz_codec_SOURCES = tests/fuzz/fuzz_codec.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_codec_CPPFLAGS = $(CORE_CPPFLAGS)
tests_fuzz_fuzz_codec_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_textsafe_SOURCES = tests/fuzz/fuzz_textsafe.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_textsafe_CPPFLAGS = $(CORE_CPPFLAGS)
tests_fuzz_fuzz_textsafe_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_utf8_SOURCES = tests/fuzz/fuzz_utf8.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_utf8_CPPFLAGS = $(CORE_CPPFLAGS)
tests_fuzz_fuzz_utf8_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_body_SOURCES = tests/fuzz/fuzz_body.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_body_CPPFLAGS = $(CORE_CPPFLAGS)
tests_fuzz_fuzz_body_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_api_decode_SOURCES = tests/fuzz/fuzz_api_decode.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_api_decode_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_fuzz_fuzz_api_decode_LDADD = $(CLIENT_LIBS) $(CORE_LIBS)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_config_CPPFLAGS = $(CLIENT_CPPFLAGS)
tests_fuzz_fuzz_config_LDADD = $(CLIENT_LIBS) $(CORE_LIBS)
tests_fuzz_fuzz_query_SOURCES = tests/fuzz/fuzz_query.c $(FUZZ_REPLAY) $(FUZZ_HUB_PARSE)
tests_fuzz_fuzz_query_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_query_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_head_SOURCES = tests/fuzz/fuzz_head.c $(FUZZ_REPLAY) $(FUZZ_HUB_PARSE)
tests_fuzz_fuzz_head_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_head_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_route_SOURCES = tests/fuzz/fuzz_route.c $(FUZZ_REPLAY) $(FUZZ_HUB_PARSE) \
	$(FUZZ_HUB_ROUTES)
tests_fuzz_fuzz_route_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_fuzz_fuzz_route_CPPFLAGS = $(HUB_CPPFLAGS)
tests_fuzz_fuzz_route_LDADD = $(HUBDB_LIBS)
tests_fuzz_fuzz_keymap_SOURCES = tests/fuzz/fuzz_keymap.c $(FUZZ_REPLAY)
tests_fuzz_fuzz_keymap_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
tests_fuzz_fuzz_keymap_CPPFLAGS = $(UI_CPPFLAGS)
tests_fuzz_fuzz_keymap_LDADD = ui/libhandoffui.a $(CLIENT_LIBS) $(CORE_LIBS) $(NCURSES_LIBS)

# ---- make fuzz: the same targets under libFuzzer (clang) --------------------
# Every source a target reaches is compiled here with the fuzzer's coverage
# instrumentation (not taken from the gcc-built libraries), so libFuzzer
# sees into the decoders.
FUZZ_CC = clang
FUZZ_SECONDS = 60
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I$(top_builddir)
# The recipes compile the .c files among the prerequisites (headers are
# there so that a change rebuilds).
FUZZ_LINK = @mkdir -p tests/fuzz/bin; echo "  FUZZCC   $@"; $(FUZZ_CC) $(FUZZ_CFLAGS) -o $@
FUZZ_C = `for f in $^; do case $$f in *.c) echo $$f;; esac; done`
FUZZ_CORE = $(src_core_libhandoffcore_a_SOURCES)
FUZZ_CLIENT = $(src_client_libhandoffclient_a_SOURCES) $(FUZZ_CORE)
FUZZ_UI = $(ui_libhandoffui_a_SOURCES) ui/themes_builtin.c $(FUZZ_CLIENT)
FUZZ_HUB = $(FUZZ_HUB_PARSE) $(FUZZ_CORE)
FUZZ_HUBDB = $(src_hub_libhubdb_a_SOURCES) $(src_hub_libhubcommon_a_SOURCES) $(FUZZ_HUB_ROUTES) \
	$(FUZZ_HUB)
FUZZ_BINS = tests/fuzz/bin/fuzz_codec tests/fuzz/bin/fuzz_api_decode tests/fuzz/bin/fuzz_textsafe \
	tests/fuzz/bin/fuzz_utf8 tests/fuzz/bin/fuzz_body tests/fuzz/bin/fuzz_query \
	tests/fuzz/bin/fuzz_route tests/fuzz/bin/fuzz_head tests/fuzz/bin/fuzz_config \
	tests/fuzz/bin/fuzz_keymap

tests/fuzz/bin/fuzz_codec: tests/fuzz/fuzz_codec.c $(FUZZ_CORE)
	$(FUZZ_LINK) $(CORE_CPPFLAGS) $(FUZZ_C) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_textsafe: tests/fuzz/fuzz_textsafe.c $(FUZZ_CORE)
	$(FUZZ_LINK) $(CORE_CPPFLAGS) $(FUZZ_C) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_utf8: tests/fuzz/fuzz_utf8.c $(FUZZ_CORE)
	$(FUZZ_LINK) $(CORE_CPPFLAGS) $(FUZZ_C) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_body: tests/fuzz/fuzz_body.c $(FUZZ_CORE)
	$(FUZZ_LINK) $(CORE_CPPFLAGS) $(FUZZ_C) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_api_decode: tests/fuzz/fuzz_api_decode.c $(FUZZ_CLIENT)
	$(FUZZ_LINK) $(CLIENT_CPPFLAGS) $(CURL_CFLAGS) $(LWS_CFLAGS) $(UV_CFLAGS) \
		$(FUZZ_C) $(CURL_LIBS) $(LWS_LIBS) $(UV_LIBS) $(SSL_LIBS) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_CLIENT)
	$(FUZZ_LINK) $(CLIENT_CPPFLAGS) $(CURL_CFLAGS) $(LWS_CFLAGS) $(UV_CFLAGS) \
		$(FUZZ_C) $(CURL_LIBS) $(LWS_LIBS) $(UV_LIBS) $(SSL_LIBS) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_keymap: tests/fuzz/fuzz_keymap.c $(FUZZ_UI)
	$(FUZZ_LINK) $(UI_CPPFLAGS) $(NCURSES_CFLAGS) $(CURL_CFLAGS) $(LWS_CFLAGS) $(UV_CFLAGS) \
		$(FUZZ_C) $(NCURSES_LIBS) $(CURL_LIBS) $(LWS_LIBS) $(UV_LIBS) $(SSL_LIBS) \
		$(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_query: tests/fuzz/fuzz_query.c $(FUZZ_HUB)
	$(FUZZ_LINK) $(HUB_CPPFLAGS) $(FUZZ_C) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_head: tests/fuzz/fuzz_head.c $(FUZZ_HUB)
	$(FUZZ_LINK) $(HUB_CPPFLAGS) $(FUZZ_C) $(CJSON_LIBS) -lm
tests/fuzz/bin/fuzz_route: tests/fuzz/fuzz_route.c $(FUZZ_HUBDB)
	$(FUZZ_LINK) $(HUB_CPPFLAGS) $(SQLITE_CFLAGS) $(CRYPTO_CFLAGS) $(FUZZ_C) \
		$(SQLITE_LIBS) $(CRYPTO_LIBS) $(CJSON_LIBS) -lm

# Each target from its corpus for FUZZ_SECONDS; the first crash stops the
# run with libFuzzer's report. One line per target: runs, exec/s, coverage.
fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p tests/fuzz/work/$$t tests/fuzz/crashes; \
		log=tests/fuzz/work/$$t.log; \
		if ! tests/fuzz/bin/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/crashes/$$t- \
			tests/fuzz/work/$$t $(srcdir)/tests/fuzz/corpus/$$t </dev/null >$$log 2>&1; then \
			tail -n 60 $$log; echo "fuzz_$$t: FAILED (input in tests/fuzz/crashes/)"; exit 1; \
		fi; \
		runs=`sed -n 's/^stat::number_of_executed_units: *//p' $$log`; \
		eps=`sed -n 's/^stat::average_exec_per_sec: *//p' $$log`; \
		cov=`grep -o 'cov: [0-9]*' $$log | tail -n 1`; \
		echo "fuzz_$$t: $$runs runs in $(FUZZ_SECONDS) s, $$eps exec/s, $$cov"; \
	done
clean-local:
	-rm -rf tests/fuzz/bin tests/fuzz/work
.PHONY: fuzz
