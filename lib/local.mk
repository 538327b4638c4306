# lib/: everything the programs share; nothing here knows FastCGI or sockets.
noinst_LIBRARIES += lib/libcwebui.a
lib_libcwebui_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(PQ_CFLAGS) \
	$(SQLITE_CFLAGS) $(JWT_CFLAGS) $(CRYPT_CFLAGS) $(CURL_CFLAGS) $(CRYPTO_CFLAGS) \
	$(YAML_CFLAGS)
lib_libcwebui_a_SOURCES = \
	lib/access.c lib/access.h \
	lib/b64.c lib/b64.h \
	lib/buf.c lib/buf.h \
	lib/channel.c lib/channel.h \
	lib/chat.c lib/chat.h lib/chat_search.c lib/chat_search.h \
	lib/chatbg.c lib/chatbg.h lib/chattask.c lib/chattask.h \
	lib/clock.c lib/clock.h \
	lib/cors.c lib/cors.h \
	lib/chatmsg.c lib/chatmsg.h \
	lib/conf.c lib/conf_items.c lib/conf.h \
	lib/db.c lib/db.h lib/db_impl.h lib/db_pg.c lib/db_sqlite.c \
	lib/err.c lib/err.h \
	lib/fernet.c lib/fernet.h \
	lib/file.c lib/file.h \
	lib/folder.c lib/folder.h \
	lib/function.c lib/function.h \
	lib/handoff.c lib/handoff.h \
	lib/group.c lib/group.h \
	lib/http.c lib/http.h \
	lib/ikey.c lib/ikey.h \
	lib/json.c lib/json.h \
	lib/jwt.c lib/jwt.h \
	lib/knowledge.c lib/knowledge.h \
	lib/log.c lib/log.h \
	lib/mem.c lib/mem.h \
	lib/note.c lib/note.h \
	lib/oauthreg.c lib/oauthreg.h \
	lib/ollama.c lib/ollama.h lib/payload.c lib/payload.h \
	lib/model.c lib/model.h \
	lib/models.c lib/models.h \
	lib/openai.c lib/openai.h \
	lib/passwd.c lib/passwd.h \
	lib/path.c lib/path.h \
	lib/perm.c lib/perm.h \
	lib/rand.c lib/rand.h \
	lib/schema.c lib/schema.h \
	lib/secret.c lib/secret.h \
	lib/setup.c lib/setup.h \
	lib/speech.c lib/speech.h \
	lib/tag.c lib/tag.h \
	lib/tool.c lib/tool.h \
	lib/toolserver.c lib/toolserver.h \
	lib/user.c lib/user.h \
	lib/utf8.c lib/utf8.h \
	lib/webhook.c lib/webhook.h \
	lib/yml.c lib/yml.h
nodist_lib_libcwebui_a_SOURCES = lib/schema_sql.c

# The schema SQL of each engine, embedded as C strings.
lib/schema_sql.c: $(srcdir)/db/sqlite/schema.sql $(srcdir)/db/postgres/schema.sql $(srcdir)/db/embed.sh
	@$(MKDIR_P) lib
	$(AM_V_GEN)$(SHELL) $(srcdir)/db/embed.sh $(srcdir)/db/sqlite/schema.sql \
		$(srcdir)/db/postgres/schema.sql > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += lib/schema_sql.c
CLEANFILES += lib/schema_sql.c
EXTRA_DIST += db/sqlite/schema.sql db/postgres/schema.sql db/embed.sh

CWEBUI_LIBS = lib/libcwebui.a $(JSONC_LIBS) $(PQ_LIBS) $(SQLITE_LIBS) \
	$(JWT_LIBS) $(CRYPT_LIBS) $(CURL_LIBS) $(CRYPTO_LIBS) $(YAML_LIBS) -lm
dist_man_MANS += lib/cwebui.7
dist_man_MANS += lib/cwebui.env.5
