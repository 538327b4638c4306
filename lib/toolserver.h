/* toolserver.h: checking a tool server connection before it is saved, as
 * POST /api/v1/configs/tool_servers/verify does in Python 0.6.32.
 *
 * OpenAPI servers: the spec at url + path is fetched (JSON, or YAML as
 * safe_load reads it, see yml.h) and returned as it is. MCP servers
 * (type "mcp"): an MCP client session over streamable HTTP (initialize,
 * notifications/initialized, tools/list, then DELETE of the session) and
 * the tool specs {name, description, parameters}; for auth_type
 * "oauth_2.1" the authorization server's metadata (RFC 8414) instead.
 * Every request is blocking (one prefork worker). */
#ifndef CWEBUI_TOOLSERVER_H
#define CWEBUI_TOOLSERVER_H

#include <json-c/json.h>

#include "err.h"

struct arena;

/* A connection as the form gives it; strings may be NULL (JSON null). */
struct toolserver {
	const char	*type;		/* "mcp", else OpenAPI */
	const char	*url;
	const char	*path;
	const char	*auth_type;	/* "bearer", "session", "none", ... */
	const char	*key;		/* the bearer key */
};

/* Verifies the server ts. session_token is the caller's credential, sent
 * for auth_type "session"; "system_oauth" sends no token (cwebui keeps no
 * OAuth sessions of its own). Returns ERR_OK with *out the answer (a new
 * reference, NULL for JSON null); ERR_INVAL with *detail (on the arena) the
 * message of Python's 400; ERR_TOOBIG when the spec holds a number JSON
 * cannot write (NaN, Infinity: Python fails with a 500). */
enum err toolserver_verify(struct arena *a, const struct toolserver *ts,
	    const char *session_token, json_object **out, const char **detail);

#endif
