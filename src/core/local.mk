# ---- core library: model, codecs, validation, text helpers ---------------
# Shared by the hub, the console and the tests; never includes curses.h.
noinst_LIBRARIES = src/core/libhandoffcore.a
src_core_libhandoffcore_a_SOURCES = \
	src/core/apierror.c src/core/apierror.h \
	src/core/canned.c src/core/canned.h \
	src/core/codec.c src/core/codec.h \
	src/core/enums.c src/core/enums.h \
	src/core/errbuf.c src/core/errbuf.h \
	src/core/jsonfield.c src/core/jsonfield.h \
	src/core/log.c src/core/log.h \
	src/core/model.c src/core/model.h \
	src/core/searchres.c src/core/searchres.h \
	src/core/textsafe.c src/core/textsafe.h \
	src/core/timeutil.c src/core/timeutil.h \
	src/core/utf8.c src/core/utf8.h \
	src/core/uuid.c src/core/uuid.h
src_core_libhandoffcore_a_CPPFLAGS = $(CORE_CPPFLAGS)
CORE_LIBS = src/core/libhandoffcore.a $(CJSON_LIBS) -lm
