# src/fcgi/: cwebui-fcgi, the pre-forked FastCGI server.
sbin_PROGRAMS += src/fcgi/cwebui-fcgi
src_fcgi_cwebui_fcgi_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS) $(JSONC_CFLAGS) \
	-I$(srcdir)/src/streamd
src_fcgi_cwebui_fcgi_LDADD = $(CODEC_LIBS) $(CWEBUI_LIBS) $(FCGI_LIBS)
src_fcgi_cwebui_fcgi_SOURCES = \
	src/fcgi/main.c \
	src/fcgi/master.c src/fcgi/master.h \
	src/fcgi/worker.c src/fcgi/worker.h \
	src/fcgi/req.c src/fcgi/req.h \
	src/fcgi/router.c src/fcgi/router.h \
	src/fcgi/routes.c src/fcgi/handlers.h \
	src/fcgi/authn.c src/fcgi/authn.h \
	src/fcgi/body.c src/fcgi/body.h \
	src/fcgi/h_auths.c src/fcgi/h_auths_admin.c \
	src/fcgi/h_channels.c \
	src/fcgi/h_chats.c src/fcgi/h_chats_tags.c \
	src/fcgi/h_config.c \
	src/fcgi/h_ollama.c \
	src/fcgi/h_configs.c \
	src/fcgi/h_openai.c \
	src/fcgi/h_folders.c \
	src/fcgi/h_functions.c src/fcgi/h_groups.c \
	src/fcgi/h_knowledge.c src/fcgi/h_notes.c \
	src/fcgi/h_models.c src/fcgi/h_tools.c \
	src/fcgi/h_main_models.c src/fcgi/h_chat_done.c \
	src/fcgi/h_streamd.c src/fcgi/h_streamd_bg.c \
	src/fcgi/h_tasks.c \
	src/fcgi/h_misc.c \
	src/fcgi/h_users.c \
	src/fcgi/hosting.h src/fcgi/hstream.c src/fcgi/hrt.c src/fcgi/hrt.h \
	src/fcgi/h_hosting.c
dist_man_MANS += src/fcgi/cwebui-fcgi.8
