# ---- handoff: the console, and the same binary for scripts -----------------
bin_PROGRAMS += handoff
handoff_SOURCES = \
	src/cli/handoff.c \
	src/cli/cli.h src/cli/wait.c \
	src/cli/commands.c src/cli/commands.h \
	src/cli/cmd_actions.c \
	src/cli/cmd_agents.c \
	src/cli/cmd_chats.c \
	src/cli/cmd_replies.c \
	src/cli/cmd_stats.c \
	src/cli/cmd_dashboard.c \
	src/cli/cmd_search.c \
	src/cli/cmd_watch.c \
	src/cli/demo_hub.c src/cli/demo_hub.h \
	src/cli/demo_bridges.c src/cli/demo_bridges.h \
	src/cli/demo_proc.c src/cli/demo_proc.h \
	src/cli/print.c src/cli/print.h
handoff_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(UV_CFLAGS)
handoff_CPPFLAGS = $(CLI_CPPFLAGS)
handoff_LDADD = ui/libhandoffui.a $(CLIENT_LIBS) $(CORE_LIBS) $(NCURSES_LIBS)
dist_man1_MANS = doc/handoff.1
dist_man8_MANS = doc/handoffd.8
