# handoff-bridge: one bot-platform account carried into the hub
# (doc/bridges.md). It stands on the core and client libraries only: its
# include paths are those layers' and its own (BRIDGE_CPPFLAGS).
bin_PROGRAMS += handoff-bridge
handoff_bridge_SOURCES = \
	src/bridge/bridge.h \
	src/bridge/bridge_answer.c \
	src/bridge/bridge_check.c src/bridge/bridge_check.h \
	src/bridge/bridge_config.c src/bridge/bridge_config.h \
	src/bridge/bridge_inbound.c \
	src/bridge/bridge_main.c \
	src/bridge/bridge_outbound.c \
	src/bridge/bridge_resync.c src/bridge/bridge_resync.h \
	src/bridge/bridge_stats.c \
	src/bridge/bridge_state.c src/bridge/bridge_state.h \
	src/bridge/bridge_webhook.c \
	src/bridge/chats_op.h src/bridge/chats_poll.c \
	src/bridge/conversations_op.h src/bridge/conversations_poll.c \
	src/bridge/pf_http.c src/bridge/pf_http.h \
	src/bridge/pf_op.c src/bridge/pf_op.h \
	src/bridge/platform.h src/bridge/platforms.c \
	src/bridge/platform_agents.c \
	src/bridge/platform_botpress.c \
	src/bridge/platform_chats.c \
	src/bridge/platform_conversations.c \
	src/bridge/platform_threads.c
handoff_bridge_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(UV_CFLAGS) $(LWS_CFLAGS) \
	$(SQLITE_CFLAGS) $(CRYPTO_CFLAGS)
handoff_bridge_CPPFLAGS = $(BRIDGE_CPPFLAGS)
handoff_bridge_LDADD = $(CLIENT_LIBS) $(CORE_LIBS) $(SQLITE_LIBS) $(CRYPTO_LIBS)
dist_man8_MANS += doc/handoff-bridge.8
EXTRA_DIST += doc/bridges.md
