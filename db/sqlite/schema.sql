CREATE TABLE "migratehistory" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "migrated_at" DATETIME NOT NULL);
CREATE TABLE "chatidtag" ("id" VARCHAR(255) NOT NULL, "tag_name" VARCHAR(255) NOT NULL, "chat_id" VARCHAR(255) NOT NULL, "user_id" VARCHAR(255) NOT NULL, "timestamp" INTEGER NOT NULL NOT NULL);
CREATE UNIQUE INDEX "chatidtag_id" ON "chatidtag" ("id");
CREATE TABLE "auth" ("id" VARCHAR(255) NOT NULL, "email" VARCHAR(255) NOT NULL, "password" TEXT NOT NULL NOT NULL, "active" INTEGER NOT NULL);
CREATE UNIQUE INDEX "auth_id" ON "auth" ("id");
CREATE TABLE "chat" ("id" VARCHAR(255) NOT NULL, "user_id" VARCHAR(255) NOT NULL, "title" TEXT NOT NULL NOT NULL, "share_id" VARCHAR(255), "archived" INTEGER NOT NULL, "created_at" DATETIME NOT NULL NOT NULL, "updated_at" DATETIME NOT NULL NOT NULL, chat JSON, pinned BOOLEAN, meta JSON DEFAULT '{}' NOT NULL, folder_id TEXT);
CREATE UNIQUE INDEX "chat_id" ON "chat" ("id");
CREATE UNIQUE INDEX "chat_share_id" ON "chat" ("share_id");
CREATE TABLE "document" ("id" INTEGER NOT NULL PRIMARY KEY, "collection_name" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "title" TEXT NOT NULL NOT NULL, "filename" TEXT NOT NULL NOT NULL, "content" TEXT, "user_id" VARCHAR(255) NOT NULL, "timestamp" INTEGER NOT NULL NOT NULL);
CREATE UNIQUE INDEX "document_collection_name" ON "document" ("collection_name");
CREATE UNIQUE INDEX "document_name" ON "document" ("name");
CREATE TABLE "prompt" ("id" INTEGER NOT NULL PRIMARY KEY, "command" VARCHAR(255) NOT NULL, "user_id" VARCHAR(255) NOT NULL, "title" TEXT NOT NULL NOT NULL, "content" TEXT NOT NULL, "timestamp" INTEGER NOT NULL NOT NULL, access_control JSON);
CREATE UNIQUE INDEX "prompt_command" ON "prompt" ("command");
CREATE TABLE "user" ("id" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "email" VARCHAR(255) NOT NULL, "role" VARCHAR(255) NOT NULL, "profile_image_url" TEXT NOT NULL NOT NULL, "api_key" VARCHAR(255), "created_at" INTEGER NOT NULL NOT NULL, "updated_at" INTEGER NOT NULL NOT NULL, "last_active_at" INTEGER NOT NULL NOT NULL, "settings" TEXT, "info" TEXT, "oauth_sub" TEXT, username VARCHAR(50), bio TEXT, gender TEXT, date_of_birth DATE);
CREATE UNIQUE INDEX "user_api_key" ON "user" ("api_key");
CREATE UNIQUE INDEX "user_id" ON "user" ("id");
CREATE TABLE "memory" ("id" VARCHAR(255) NOT NULL, "user_id" VARCHAR(255) NOT NULL, "content" TEXT NOT NULL, "updated_at" INTEGER NOT NULL, "created_at" INTEGER NOT NULL);
CREATE UNIQUE INDEX "memory_id" ON "memory" ("id");
CREATE TABLE "model" ("id" TEXT NOT NULL, "user_id" TEXT NOT NULL, "base_model_id" TEXT, "name" TEXT NOT NULL, "meta" TEXT NOT NULL, "params" TEXT NOT NULL, "created_at" INTEGER NOT NULL, "updated_at" INTEGER NOT NULL, access_control JSON, is_active BOOLEAN DEFAULT (1) NOT NULL);
CREATE UNIQUE INDEX "model_id" ON "model" ("id");
CREATE TABLE "tool" ("id" TEXT NOT NULL, "user_id" TEXT NOT NULL, "name" TEXT NOT NULL, "content" TEXT NOT NULL, "specs" TEXT NOT NULL, "meta" TEXT NOT NULL, "created_at" INTEGER NOT NULL, "updated_at" INTEGER NOT NULL, "valves" TEXT, access_control JSON);
CREATE UNIQUE INDEX "tool_id" ON "tool" ("id");
CREATE UNIQUE INDEX "user_oauth_sub" ON "user" ("oauth_sub");
CREATE TABLE "function" ("id" TEXT NOT NULL, "user_id" TEXT NOT NULL, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "content" TEXT NOT NULL, "meta" TEXT NOT NULL, "created_at" INTEGER NOT NULL, "updated_at" INTEGER NOT NULL, "valves" TEXT, "is_active" INTEGER NOT NULL, "is_global" INTEGER NOT NULL);
CREATE UNIQUE INDEX "function_id" ON "function" ("id");
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE config (id INTEGER NOT NULL, data JSON NOT NULL, version INTEGER NOT NULL, created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL, updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP), PRIMARY KEY (id));
CREATE TABLE knowledge (id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT, data JSON, meta JSON, created_at BIGINT NOT NULL, updated_at BIGINT, access_control JSON, PRIMARY KEY (id));
CREATE TABLE "tag" (id VARCHAR(255) NOT NULL, name VARCHAR(255) NOT NULL, user_id VARCHAR(255) NOT NULL, meta JSON, CONSTRAINT pk_id_user_id PRIMARY KEY (id, user_id));
CREATE TABLE "file" (id TEXT NOT NULL, user_id TEXT NOT NULL, filename TEXT NOT NULL, meta JSON, created_at INTEGER NOT NULL, hash TEXT, data JSON, updated_at BIGINT, path TEXT, access_control JSON);
CREATE UNIQUE INDEX file_id ON file (id);
CREATE TABLE feedback (id TEXT NOT NULL, user_id TEXT, version BIGINT, type TEXT, data JSON, meta JSON, snapshot JSON, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (id));
CREATE TABLE "folder" (id TEXT NOT NULL, parent_id TEXT, user_id TEXT NOT NULL, name TEXT NOT NULL, items JSON, meta JSON, is_expanded BOOLEAN NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, data JSON, PRIMARY KEY (id, user_id));
CREATE TABLE "group" (id TEXT NOT NULL, user_id TEXT, name TEXT, description TEXT, data JSON, meta JSON, permissions JSON, user_ids JSON, created_at BIGINT, updated_at BIGINT, PRIMARY KEY (id), UNIQUE (id));
CREATE TABLE channel (id TEXT NOT NULL, user_id TEXT, name TEXT, description TEXT, data JSON, meta JSON, access_control JSON, created_at BIGINT, updated_at BIGINT, type TEXT, PRIMARY KEY (id), UNIQUE (id));
CREATE TABLE message (id TEXT NOT NULL, user_id TEXT, channel_id TEXT, content TEXT, data JSON, meta JSON, created_at BIGINT, updated_at BIGINT, parent_id TEXT, reply_to_id TEXT, PRIMARY KEY (id), UNIQUE (id));
CREATE TABLE message_reaction (id TEXT NOT NULL, user_id TEXT NOT NULL, message_id TEXT NOT NULL, name TEXT NOT NULL, created_at BIGINT, PRIMARY KEY (id), UNIQUE (id));
CREATE TABLE channel_member (id TEXT NOT NULL, channel_id TEXT NOT NULL, user_id TEXT NOT NULL, created_at BIGINT, PRIMARY KEY (id), UNIQUE (id));
CREATE TABLE note (id TEXT NOT NULL, user_id TEXT, title TEXT, data JSON, meta JSON, access_control JSON, created_at BIGINT, updated_at BIGINT, PRIMARY KEY (id), UNIQUE (id));
CREATE INDEX folder_id_idx ON chat (folder_id);
CREATE INDEX user_id_pinned_idx ON chat (user_id, pinned);
CREATE INDEX user_id_archived_idx ON chat (user_id, archived);
CREATE INDEX updated_at_user_id_idx ON chat (updated_at, user_id);
CREATE INDEX folder_id_user_id_idx ON chat (folder_id, user_id);
CREATE INDEX user_id_idx ON tag (user_id);
CREATE INDEX is_global_idx ON function (is_global);
CREATE TABLE oauth_session (id TEXT NOT NULL, user_id TEXT NOT NULL, provider TEXT NOT NULL, token TEXT NOT NULL, expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (id), FOREIGN KEY(user_id) REFERENCES user (id) ON DELETE CASCADE);
CREATE INDEX idx_oauth_session_user_id ON oauth_session (user_id);
CREATE INDEX idx_oauth_session_expires_at ON oauth_session (expires_at);
CREATE INDEX idx_oauth_session_user_provider ON oauth_session (user_id, provider);
INSERT INTO "migratehistory" ("id", "name", "migrated_at") VALUES
(1, '001_initial_schema', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(2, '002_add_local_sharing', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(3, '003_add_auth_api_key', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(4, '004_add_archived', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(5, '005_add_updated_at', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(6, '006_migrate_timestamps_and_charfields', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(7, '007_add_user_last_active_at', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(8, '008_add_memory', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(9, '009_add_models', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(10, '010_migrate_modelfiles_to_models', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(11, '011_add_user_settings', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(12, '012_add_tools', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(13, '013_add_user_info', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(14, '014_add_files', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(15, '015_add_functions', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(16, '016_add_valves_and_is_active', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(17, '017_add_user_oauth_sub', strftime('%Y-%m-%d %H:%M:%f000', 'now')),
(18, '018_add_function_is_global', strftime('%Y-%m-%d %H:%M:%f000', 'now'));
INSERT INTO alembic_version (version_num) VALUES ('a5c220713937');
