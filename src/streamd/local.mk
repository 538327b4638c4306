# src/streamd/: cwebui-streamd, and the protocol codecs, pure functions
# over buffers, in a library the daemon, the unit tests and fuzzers link.
noinst_LIBRARIES += src/streamd/libcodec.a
src_streamd_libcodec_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)
src_streamd_libcodec_a_SOURCES = \
	src/streamd/chatproc.c src/streamd/chatproc.h \
	src/streamd/content.c src/streamd/content.h \
	src/streamd/eio.c src/streamd/eio.h \
	src/streamd/fcgirec.c src/streamd/fcgirec.h \
	src/streamd/http1.c src/streamd/http1.h src/streamd/httpd.h \
	src/streamd/sio.c src/streamd/sio.h \
	src/streamd/sse.c src/streamd/sse.h \
	src/streamd/ws.c src/streamd/ws.h
EXTRA_DIST += src/streamd/README.md
# What a program linking libcodec.a needs after it (ws.c: wslay, libcrypto).
CODEC_LIBS = src/streamd/libcodec.a $(WSLAY_LIBS) $(CRYPTO_LIBS)

# The daemon: one libevent loop (httpd.c), the FastCGI client to
# cwebui-fcgi (fcgic.c), upstream streams on libcurl multi (upstream.c).
sbin_PROGRAMS += src/streamd/cwebui-streamd
src_streamd_cwebui_streamd_CFLAGS = $(AM_CFLAGS) $(EVENT_CFLAGS) \
	$(HIREDIS_CFLAGS) $(CURL_CFLAGS) $(JSONC_CFLAGS)
src_streamd_cwebui_streamd_LDADD = $(CODEC_LIBS) $(CWEBUI_LIBS) \
	$(EVENT_LIBS) $(HIREDIS_LIBS)
src_streamd_cwebui_streamd_SOURCES = \
	src/streamd/main.c \
	src/streamd/httpd.c src/streamd/httpd.h \
	src/streamd/srv_routes.c src/streamd/srv_routes.h \
	src/streamd/fcgic.c src/streamd/fcgic.h \
	src/streamd/relay.c src/streamd/relay.h \
	src/streamd/upstream.c src/streamd/upstream.h \
	src/streamd/rt.c src/streamd/rt.h \
	src/streamd/rtevents.c src/streamd/rtevents.h \
	src/streamd/siosrv.c src/streamd/siosrv.h \
	src/streamd/eiosrv.c src/streamd/eiosrv.h \
	src/streamd/rooms.c src/streamd/rooms.h \
	src/streamd/smap.c src/streamd/smap.h \
	src/streamd/task.h \
	src/streamd/chatflow.c \
	src/streamd/taskhttp.c \
	src/streamd/taskreg.c src/streamd/taskreg.h \
	src/streamd/bus.c src/streamd/busurl.c src/streamd/bus.h
dist_man_MANS += src/streamd/cwebui-streamd.8
