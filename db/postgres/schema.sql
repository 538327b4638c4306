CREATE TABLE migratehistory (
    id serial NOT NULL,
    name character varying(255) NOT NULL,
    migrated_at timestamp without time zone NOT NULL,
    CONSTRAINT migratehistory_pkey PRIMARY KEY (id)
);
CREATE TABLE chatidtag (
    id character varying(255) NOT NULL,
    tag_name character varying(255) NOT NULL,
    chat_id character varying(255) NOT NULL,
    user_id character varying(255) NOT NULL,
    "timestamp" bigint NOT NULL
);
CREATE UNIQUE INDEX chatidtag_id ON chatidtag USING btree (id);
CREATE TABLE auth (
    id character varying(255) NOT NULL,
    email character varying(255) NOT NULL,
    password text NOT NULL,
    active boolean NOT NULL
);
CREATE UNIQUE INDEX auth_id ON auth USING btree (id);
CREATE TABLE chat (
    id character varying(255) NOT NULL,
    user_id character varying(255) NOT NULL,
    title text NOT NULL,
    share_id character varying(255),
    archived boolean NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    chat json,
    pinned boolean,
    meta json DEFAULT '{}'::json NOT NULL,
    folder_id text
);
CREATE UNIQUE INDEX chat_id ON chat USING btree (id);
CREATE UNIQUE INDEX chat_share_id ON chat USING btree (share_id);
CREATE TABLE document (
    id serial NOT NULL,
    collection_name character varying(255) NOT NULL,
    name character varying(255) NOT NULL,
    title text NOT NULL,
    filename text NOT NULL,
    content text,
    user_id character varying(255) NOT NULL,
    "timestamp" bigint NOT NULL,
    CONSTRAINT document_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX document_collection_name ON document USING btree (collection_name);
CREATE UNIQUE INDEX document_name ON document USING btree (name);
CREATE TABLE prompt (
    id serial NOT NULL,
    command character varying(255) NOT NULL,
    user_id character varying(255) NOT NULL,
    title text NOT NULL,
    content text NOT NULL,
    "timestamp" bigint NOT NULL,
    access_control json,
    CONSTRAINT prompt_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX prompt_command ON prompt USING btree (command);
CREATE TABLE "user" (
    id character varying(255) NOT NULL,
    name character varying(255) NOT NULL,
    email character varying(255) NOT NULL,
    role character varying(255) NOT NULL,
    profile_image_url text NOT NULL,
    api_key character varying(255),
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    last_active_at bigint NOT NULL,
    settings text,
    info text,
    oauth_sub text,
    username character varying(50),
    bio text,
    gender text,
    date_of_birth date
);
CREATE UNIQUE INDEX user_api_key ON "user" USING btree (api_key);
CREATE UNIQUE INDEX user_id ON "user" USING btree (id);
CREATE TABLE memory (
    id character varying(255) NOT NULL,
    user_id character varying(255) NOT NULL,
    content text NOT NULL,
    updated_at bigint NOT NULL,
    created_at bigint NOT NULL
);
CREATE UNIQUE INDEX memory_id ON memory USING btree (id);
CREATE TABLE model (
    id text NOT NULL,
    user_id text NOT NULL,
    base_model_id text,
    name text NOT NULL,
    meta text NOT NULL,
    params text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    access_control json,
    is_active boolean DEFAULT true NOT NULL
);
CREATE UNIQUE INDEX model_id ON model USING btree (id);
CREATE TABLE tool (
    id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    content text NOT NULL,
    specs text NOT NULL,
    meta text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    valves text,
    access_control json
);
CREATE UNIQUE INDEX tool_id ON tool USING btree (id);
CREATE UNIQUE INDEX user_oauth_sub ON "user" USING btree (oauth_sub);
CREATE TABLE function (
    id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    content text NOT NULL,
    meta text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    valves text,
    is_active boolean NOT NULL,
    is_global boolean NOT NULL
);
CREATE UNIQUE INDEX function_id ON function USING btree (id);
CREATE TABLE alembic_version (
    version_num character varying(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE config (
    id serial NOT NULL,
    data json NOT NULL,
    version integer NOT NULL,
    created_at timestamp without time zone DEFAULT now() NOT NULL,
    updated_at timestamp without time zone DEFAULT now(),
    CONSTRAINT config_pkey PRIMARY KEY (id)
);
CREATE TABLE knowledge (
    id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    description text,
    data json,
    meta json,
    created_at bigint NOT NULL,
    updated_at bigint,
    access_control json,
    CONSTRAINT knowledge_pkey PRIMARY KEY (id)
);
CREATE TABLE tag (
    id character varying(255) NOT NULL,
    name character varying(255) NOT NULL,
    user_id character varying(255) NOT NULL,
    meta json,
    CONSTRAINT pk_id_user_id PRIMARY KEY (id, user_id)
);
CREATE TABLE file (
    id text NOT NULL,
    user_id text NOT NULL,
    filename text NOT NULL,
    meta json,
    created_at bigint NOT NULL,
    hash text,
    data json,
    updated_at bigint,
    path text,
    access_control json
);
CREATE UNIQUE INDEX file_id ON file USING btree (id);
CREATE TABLE feedback (
    id text NOT NULL,
    user_id text,
    version bigint,
    type text,
    data json,
    meta json,
    snapshot json,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    CONSTRAINT feedback_pkey PRIMARY KEY (id)
);
CREATE TABLE folder (
    id text NOT NULL,
    parent_id text,
    user_id text NOT NULL,
    name text NOT NULL,
    items json,
    meta json,
    is_expanded boolean NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    data json,
    CONSTRAINT folder_pkey PRIMARY KEY (id, user_id)
);
CREATE TABLE "group" (
    id text NOT NULL,
    user_id text,
    name text,
    description text,
    data json,
    meta json,
    permissions json,
    user_ids json,
    created_at bigint,
    updated_at bigint,
    CONSTRAINT group_pkey PRIMARY KEY (id)
);
CREATE TABLE channel (
    id text NOT NULL,
    user_id text,
    name text,
    description text,
    data json,
    meta json,
    access_control json,
    created_at bigint,
    updated_at bigint,
    type text,
    CONSTRAINT channel_pkey PRIMARY KEY (id)
);
CREATE TABLE message (
    id text NOT NULL,
    user_id text,
    channel_id text,
    content text,
    data json,
    meta json,
    created_at bigint,
    updated_at bigint,
    parent_id text,
    reply_to_id text,
    CONSTRAINT message_pkey PRIMARY KEY (id)
);
CREATE TABLE message_reaction (
    id text NOT NULL,
    user_id text NOT NULL,
    message_id text NOT NULL,
    name text NOT NULL,
    created_at bigint,
    CONSTRAINT message_reaction_pkey PRIMARY KEY (id)
);
CREATE TABLE channel_member (
    id text NOT NULL,
    channel_id text NOT NULL,
    user_id text NOT NULL,
    created_at bigint,
    CONSTRAINT channel_member_pkey PRIMARY KEY (id)
);
CREATE TABLE note (
    id text NOT NULL,
    user_id text,
    title text,
    data json,
    meta json,
    access_control json,
    created_at bigint,
    updated_at bigint,
    CONSTRAINT note_pkey PRIMARY KEY (id)
);
CREATE INDEX folder_id_idx ON chat USING btree (folder_id);
CREATE INDEX user_id_pinned_idx ON chat USING btree (user_id, pinned);
CREATE INDEX user_id_archived_idx ON chat USING btree (user_id, archived);
CREATE INDEX updated_at_user_id_idx ON chat USING btree (updated_at, user_id);
CREATE INDEX folder_id_user_id_idx ON chat USING btree (folder_id, user_id);
CREATE INDEX user_id_idx ON tag USING btree (user_id);
CREATE INDEX is_global_idx ON function USING btree (is_global);
CREATE TABLE oauth_session (
    id text NOT NULL,
    user_id text NOT NULL,
    provider text NOT NULL,
    token text NOT NULL,
    expires_at bigint NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    CONSTRAINT oauth_session_pkey PRIMARY KEY (id),
    CONSTRAINT oauth_session_user_id_fkey FOREIGN KEY (user_id) REFERENCES "user" (id) ON DELETE CASCADE
);
CREATE INDEX idx_oauth_session_user_id ON oauth_session USING btree (user_id);
CREATE INDEX idx_oauth_session_expires_at ON oauth_session USING btree (expires_at);
CREATE INDEX idx_oauth_session_user_provider ON oauth_session USING btree (user_id, provider);
INSERT INTO migratehistory (name, migrated_at)
SELECT v.name, now() AT TIME ZONE 'utc'
  FROM (VALUES
    (1, '001_initial_schema'),
    (2, '002_add_local_sharing'),
    (3, '003_add_auth_api_key'),
    (4, '004_add_archived'),
    (5, '005_add_updated_at'),
    (6, '006_migrate_timestamps_and_charfields'),
    (7, '007_add_user_last_active_at'),
    (8, '008_add_memory'),
    (9, '009_add_models'),
    (10, '010_migrate_modelfiles_to_models'),
    (11, '011_add_user_settings'),
    (12, '012_add_tools'),
    (13, '013_add_user_info'),
    (14, '014_add_files'),
    (15, '015_add_functions'),
    (16, '016_add_valves_and_is_active'),
    (17, '017_add_user_oauth_sub'),
    (18, '018_add_function_is_global')
  ) AS v (n, name)
 ORDER BY v.n;
INSERT INTO alembic_version (version_num) VALUES ('a5c220713937');
