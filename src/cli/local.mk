# src/cli/: cwebui, the admin command. doctor speaks FastCGI and reads
# REDIS_URL with cwebui-streamd's codecs (libcodec.a, busurl.c).
sbin_PROGRAMS += src/cli/cwebui
src_cli_cwebui_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(HIREDIS_CFLAGS) \
	-I$(srcdir)/src/streamd
src_cli_cwebui_LDADD = $(CODEC_LIBS) $(CWEBUI_LIBS) $(HIREDIS_LIBS) -lm
src_cli_cwebui_SOURCES = src/cli/main.c src/cli/cli.h \
	src/cli/admin.c src/cli/envfile.c \
	src/cli/catalog.c src/cli/catalog.h src/cli/copydb.c \
	src/cli/doctor.c src/cli/probe.c src/cli/probe.h \
	src/streamd/busurl.c
dist_man_MANS += src/cli/cwebui.8
EXTRA_DIST += src/cli/README.md
