# ---- client core: what the console and the scripting commands share -------
# No curses here either (doc/architecture.md): loop, HTTP, stream, store.
noinst_LIBRARIES += src/client/libhandoffclient.a
src_client_libhandoffclient_a_SOURCES = \
	src/client/backoff.c src/client/backoff.h \
	src/client/settings.c src/client/settings.h \
	src/client/httpc.c src/client/httpc.h \
	src/client/outbox.c src/client/outbox.h \
	src/client/outbox_journal.c src/client/outbox_journal.h \
	src/client/store.c src/client/store.h src/client/store_internal.h \
	src/client/store_apply.c \
	src/client/store_pool.c \
	src/client/store_presence.c \
	src/client/store_thread.c \
	src/client/store_view.c \
	src/client/api.c src/client/api.h src/client/api_internal.h \
	src/client/api_decode.c \
	src/client/api_endpoints.c \
	src/client/dashboard.c src/client/dashboard.h \
	src/client/stream.c src/client/stream.h src/client/stream_internal.h \
	src/client/stream_proto.c \
	src/client/session.c src/client/session.h src/client/session_internal.h \
	src/client/session_actions.c \
	src/client/session_outbox.c \
	src/client/session_dashboard.c \
	src/client/viewspec.c src/client/viewspec.h \
	src/client/wsurl.c src/client/wsurl.h
src_client_libhandoffclient_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(UV_CFLAGS) $(LWS_CFLAGS) \
	$(SSL_CFLAGS)
src_client_libhandoffclient_a_CPPFLAGS = $(CLIENT_CPPFLAGS)
# What a program linking libhandoffclient.a needs besides the core.
CLIENT_LIBS = src/client/libhandoffclient.a $(CURL_LIBS) $(LWS_LIBS) $(UV_LIBS) $(SSL_LIBS)
