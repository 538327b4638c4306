#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "passwd.h"
#include "rand.h"

#define PASSWD_MAX_BYTES	72	/* bcrypt uses no more than this */
#define PASSWD_COST		12
#define PASSWD_SALT_BYTES	16

/* Copies the first 72 bytes of pw to out, NUL-terminated. */
static void
passwd_cut(const char *pw, char out[PASSWD_MAX_BYTES + 1])
{
	size_t	n = strnlen(pw, PASSWD_MAX_BYTES);

	memcpy(out, pw, n);
	out[n] = '\0';
}

/* Runs crypt_r(pw cut to 72 bytes, setting) and copies a 60-character
 * bcrypt result to out. Returns ERR_OK or ERR_CRYPTO. The work area is on
 * the heap (struct crypt_data is about 32 KB) and wiped before release. */
static enum err
passwd_crypt(const char *pw, const char *setting, char out[64])
{
	struct crypt_data	*cd;
	char			 cut[PASSWD_MAX_BYTES + 1];
	const char		*r;
	enum err		 e = ERR_CRYPTO;

	cd = xcalloc(1, sizeof(*cd));
	passwd_cut(pw, cut);
	r = crypt_r(cut, setting, cd);
	if (r != NULL && r[0] == '$' && strlen(r) == PASSWD_HASH_LEN) {
		memcpy(out, r, PASSWD_HASH_LEN + 1);
		e = ERR_OK;
	}
	explicit_bzero(cut, sizeof(cut));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return e;
}

enum err
passwd_hash(const char *pw, char out[64])
{
	char		rbytes[PASSWD_SALT_BYTES];
	char		setting[CRYPT_GENSALT_OUTPUT_SIZE];
	enum err	e;

	if (pw == NULL)
		return ERR_INVAL;
	if ((e = rand_bytes(rbytes, sizeof(rbytes))) != ERR_OK)
		return e;
	if (crypt_gensalt_rn("$2b$", PASSWD_COST, rbytes, sizeof(rbytes),
	    setting, sizeof(setting)) == NULL)
		return ERR_CRYPTO;
	return passwd_crypt(pw, setting, out);
}

/* Returns 1 if c belongs to bcrypt's base64 alphabet. */
static int
passwd_b64_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '/';
}

/* Returns 1 if h is "$2a$", "$2b$" or "$2y$", a two-digit cost 04-31, "$"
 * and 53 characters of bcrypt's base64, 60 characters in all. */
static int
passwd_is_bcrypt(const char *h)
{
	int	cost, i;

	if (strlen(h) != PASSWD_HASH_LEN || h[0] != '$' || h[1] != '2' ||
	    strchr("aby", h[2]) == NULL || h[3] != '$' || h[6] != '$')
		return 0;
	if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9')
		return 0;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31)
		return 0;
	for (i = 7; i < PASSWD_HASH_LEN; i++)
		if (!passwd_b64_char(h[i]))
			return 0;
	return 1;
}

int
passwd_verify(const char *pw, const char *hash)
{
	char		got[64];
	unsigned char	diff = 0;
	int		i;

	if (pw == NULL || hash == NULL || !passwd_is_bcrypt(hash))
		return 0;
	if (passwd_crypt(pw, hash, got) != ERR_OK)
		return 0;
	for (i = 0; i < PASSWD_HASH_LEN; i++)
		diff |= (unsigned char)got[i] ^ (unsigned char)hash[i];
	explicit_bzero(got, sizeof(got));
	return diff == 0;
}
