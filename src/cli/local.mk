# src/cli/: cwebui, the admin command.
sbin_PROGRAMS += src/cli/cwebui
src_cli_cwebui_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
src_cli_cwebui_LDADD = $(CWEBUI_LIBS)
src_cli_cwebui_SOURCES = src/cli/main.c
dist_man_MANS += src/cli/cwebui.8
