/* file.h: the "file" table (uploaded files; their extracted text and
 * storage path). Only the metadata look-up the knowledge lists need is
 * here so far. */
#ifndef CWEBUI_FILE_H
#define CWEBUI_FILE_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

/* Sets *out to a new JSON array of Python's FileMetadataResponse {id, meta,
 * created_at, updated_at} of the files whose id is one of the strings of
 * the JSON array ids, newest updated_at first (Files.get_file_metadatas_by_
 * ids); entries that are not strings match nothing. ERR_OK or ERR_DB. */
enum err file_metadata_by_ids(struct db *db, struct arena *a, json_object *ids,
	    json_object **out);

#endif
