# src/cli/: cwebui, the admin command.
sbin_PROGRAMS += src/cli/cwebui
src_cli_cwebui_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
src_cli_cwebui_LDADD = $(CWEBUI_LIBS) -lm
src_cli_cwebui_SOURCES = src/cli/main.c src/cli/cli.h \
	src/cli/admin.c src/cli/envfile.c \
	src/cli/catalog.c src/cli/catalog.h src/cli/copydb.c \
	src/cli/doctor.c
dist_man_MANS += src/cli/cwebui.8
