/* oauthreg.h: OAuth 2.0 dynamic client registration (RFC 7591) of Open
 * WebUI at an authorization server, as POST
 * /api/v1/configs/oauth/clients/register does in Python 0.6.32
 * (utils/oauth.py get_oauth_client_info_with_dynamic_client_registration).
 *
 * The server's metadata (RFC 8414) is looked for at the addresses
 * oauthreg_discovery_urls() gives, in order; the first 200 answer that
 * reads as mcp's OAuthMetadata model wins. Its registration_endpoint, or
 * scheme://host/register without one, then gets the client metadata
 * {redirect_uris, token_endpoint_auth_method "client_secret_post",
 * grant_types [authorization_code, refresh_token], response_types [code],
 * scope (the server's scopes_supported joined by spaces, when it lists
 * them), client_name "Open WebUI"}. The answer, with issuer set to the
 * metadata address (null when none was found), must read as the
 * OAuthClientInformationFull model. Requests block (one prefork worker). */
#ifndef CWEBUI_OAUTHREG_H
#define CWEBUI_OAUTHREG_H

#include <json-c/json.h>

#include "err.h"

struct arena;

/* Python's get_discovery_urls(url): the RFC 8414 and OpenID addresses at
 * the root of url's host, then (when url has a path other than "/") the
 * same with the path appended. Fills u[0..3] (arena) and returns their
 * count; an address is NULL when url has no scheme or host (no request
 * can be made to it). */
int	 oauthreg_discovery_urls(struct arena *a, const char *url,
	    const char *u[4]);

/* Reads the JSON value v as pydantic's AnyHttpUrl (http_only) or AnyUrl
 * and returns its normalized text (scheme and host lower-cased, default
 * port dropped, "/" for an empty path of http(s), unsafe characters
 * percent-encoded), on the arena; NULL when pydantic refuses it. */
const char *oauthreg_url(struct arena *a, json_object *v, int http_only);

/* Returns 1 for a Content-Type that aiohttp's json() accepts
 * (application/json, type/x+json), else 0. */
int	 oauthreg_json_ctype(const char *ctype);

/* Returns mcp's OAuthMetadata.model_dump(mode="json") of the document d
 * (new reference), or NULL when pydantic would refuse it. */
json_object *oauthreg_metadata(struct arena *a, json_object *d);

/* Registers the client with redirect URI redirect_uri at the
 * authorization server of server_url. Returns ERR_OK with *info the
 * OAuthClientInformationFull.model_dump(mode="json") (new reference);
 * ERR_IO when a request failed in transport, ERR_INVAL when an address,
 * the redirect URI or the registration answer is not acceptable (the
 * cause is logged). */
enum err oauthreg_register(struct arena *a, const char *server_url,
	    const char *redirect_uri, json_object **info);

/* Python's encrypt_data(v): the JSON text of v as a Fernet token, with the
 * key from OAUTH_CLIENT_INFO_ENCRYPTION_KEY, or when that is unset from
 * secret (WEBUI_SECRET_KEY), see fernet_key_derive(). Returns ERR_OK with
 * *out on the arena; ERR_INVAL for a key setting Python cannot use;
 * ERR_CRYPTO. */
enum err oauthreg_encrypt(struct arena *a, const char *secret, json_object *v,
	    char **out);

#endif
