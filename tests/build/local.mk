# ---- checks of the build itself --------------------------------------------
# The layers' walls (doc/architecture.md): compiled probes with each layer's
# include flags, and what every ui/ file includes.
BUILD_TESTS = tests/build/test_layers.sh
TESTS += $(BUILD_TESTS)
EXTRA_DIST += $(BUILD_TESTS)
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC; \
	top_srcdir='$(top_srcdir)'; export top_srcdir; \
	LAYER_CORE='$(CORE_CPPFLAGS)'; export LAYER_CORE; \
	LAYER_CLIENT='$(CLIENT_CPPFLAGS)'; export LAYER_CLIENT; \
	LAYER_HUB='$(HUB_CPPFLAGS) $(SQLITE_CFLAGS)'; export LAYER_HUB; \
	LAYER_BRIDGE='$(BRIDGE_CPPFLAGS) $(CURL_CFLAGS) $(UV_CFLAGS)'; export LAYER_BRIDGE; \
	LAYER_UI='$(UI_CPPFLAGS) $(NCURSES_CFLAGS) $(UV_CFLAGS) $(CURL_CFLAGS)'; export LAYER_UI; \
	UI_DEP_FLAGS='-I. $(UI_CPPFLAGS) $(NCURSES_CFLAGS) $(UV_CFLAGS) $(CURL_CFLAGS)'; \
	export UI_DEP_FLAGS;
