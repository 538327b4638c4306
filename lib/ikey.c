/* ikey.c: the CWEBUI_STREAMD key, see ikey.h. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ikey.h"

#define IKEY_MESSAGE	"cwebui-streamd"

static char	ikey[IKEY_LEN + 1];

enum err
ikey_init(const char *secret)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	ikey[0] = '\0';
	if (secret == NULL || *secret == '\0')
		return ERR_INVAL;
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)IKEY_MESSAGE, strlen(IKEY_MESSAGE), mac,
	    &len) == NULL || len * 2 != IKEY_LEN)
		return ERR_CRYPTO;
	for (i = 0; i < len; i++) {
		ikey[2 * i] = hex[mac[i] >> 4];
		ikey[2 * i + 1] = hex[mac[i] & 0xf];
	}
	ikey[IKEY_LEN] = '\0';
	return ERR_OK;
}

const char *
ikey_value(void)
{
	return ikey;
}

int
ikey_check(const char *given)
{
	if (given == NULL || ikey[0] == '\0' || strlen(given) != IKEY_LEN)
		return 0;
	return CRYPTO_memcmp(given, ikey, IKEY_LEN) == 0;
}
