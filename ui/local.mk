# ---- the console's screen: the only code that includes curses.h ----------
noinst_LIBRARIES += ui/libhandoffui.a
ui_libhandoffui_a_SOURCES = \
	ui/actions.c ui/actions.h \
	ui/attention.c \
	ui/availability.c \
	ui/composer.c ui/composer.h \
	ui/presence_line.c ui/presence_line.h \
	ui/console.c ui/console.h ui/console_run.h \
	ui/dialog_box.c ui/dialog_box.h \
	ui/dialog_canned.c \
	ui/dialog_stats.c \
	ui/dialog_dashboard.c \
	ui/dialog_find.c \
	ui/dialogs.c ui/dialogs.h \
	ui/draw.c ui/draw.h \
	ui/editbuf.c ui/editbuf.h \
	ui/editkeys.c ui/editkeys.h \
	ui/help.c \
	ui/input.c ui/input.h \
	ui/jumpscroll.c ui/jumpscroll.h \
	ui/keymap.c \
	ui/keys.c ui/keys.h \
	ui/layout.c ui/layout.h \
	ui/notice.c ui/notice.h \
	ui/pane.c ui/pane.h \
	ui/saved_views.c ui/saved_views.h \
	ui/screen.c ui/screen.h \
	ui/termkeys.c ui/termkeys.h \
	ui/trace.c ui/trace.h \
	ui/textwidth.c ui/textwidth.h \
	ui/theme.c ui/theme.h \
	ui/view_bars.c \
	ui/view_details.c \
	ui/view_list.c \
	ui/view_thread.c ui/views.h
nodist_ui_libhandoffui_a_SOURCES = ui/themes_builtin.c
ui_libhandoffui_a_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) $(UV_CFLAGS) $(CURL_CFLAGS)
ui_libhandoffui_a_CPPFLAGS = $(UI_CPPFLAGS)

# The built-in themes are compiled in from themes/*.theme.
THEME_FILES = themes/default.theme themes/high-contrast.theme themes/light.theme \
	themes/mono.theme
ui/themes_builtin.c: $(THEME_FILES) ui/themes_embed.sh
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/ui/themes_embed.sh $(top_srcdir) $(THEME_FILES) > $@-t && mv $@-t $@
BUILT_SOURCES = ui/themes_builtin.c
CLEANFILES_THEMES = ui/themes_builtin.c
