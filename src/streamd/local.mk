# src/streamd/: cwebui-streamd. For now the protocol codecs, pure functions
# over buffers, in a library the unit tests and fuzzers link.
noinst_LIBRARIES += src/streamd/libcodec.a
src_streamd_libcodec_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CRYPTO_CFLAGS)
src_streamd_libcodec_a_SOURCES = \
	src/streamd/eio.c src/streamd/eio.h \
	src/streamd/sio.c src/streamd/sio.h \
	src/streamd/sse.c src/streamd/sse.h \
	src/streamd/utf8.c src/streamd/utf8.h \
	src/streamd/ws.c src/streamd/ws.h
EXTRA_DIST += src/streamd/README.md
# What a program linking libcodec.a needs after it (ws.c: wslay, libcrypto).
CODEC_LIBS = src/streamd/libcodec.a $(WSLAY_LIBS) $(CRYPTO_LIBS)
