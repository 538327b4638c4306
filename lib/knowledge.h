/* knowledge.h: the "knowledge" table (knowledge bases: named sets of files,
 * shared by access_control). Only the lists are served so far.
 *
 * data is {"file_ids": [...]}, the files of the base; timestamps are epoch
 * seconds. data, meta and access_control are JSON text (see access.h for
 * what access_control means). */
#ifndef CWEBUI_KNOWLEDGE_H
#define CWEBUI_KNOWLEDGE_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

/* Sets *out to a new JSON array of knowledge bases, newest updated_at
 * first, each as Python's KnowledgeUserResponse {id, user_id, name,
 * description, data, meta, access_control, created_at, updated_at, user,
 * files}: every base when user_id is NULL, else those user_id owns or may
 * do perm ("read" or "write") on. user is the owner's UserResponse or
 * null; files are the FileMetadataResponse of data.file_ids. As Python's
 * routers do while listing, ids naming no file are dropped from the
 * stored data (updated_at set to now; the listed updated_at is the old
 * one). ERR_OK or ERR_DB (*out NULL). */
enum err knowledge_list(struct db *db, struct arena *a, const char *user_id,
	    const char *perm, json_object **out);

#endif
