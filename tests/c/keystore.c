/*
 * keystore.c: certificate sign-in from Java keystores through the C API (from a file and from
 * memory; JKS, PKCS#12 and keytool's PKCS#12 named .jks; an alias, a key password), and each
 * refusal with its status and a message that names the problem and never the password.
 * Environment:
 *   ANAPLAN_TEST_AUTH_URL, ANAPLAN_TEST_API_URL: the emulator;
 *   ANAPLAN_TEST_KEYSTORE_DIR: the stores of anaplan_test_pki::keystores;
 *   ANAPLAN_TEST_STORE_PASSWORD, ANAPLAN_TEST_KEY_PASSWORD, ANAPLAN_TEST_UNICODE_PASSWORD;
 *   ANAPLAN_TEST_NO_LEGACY=1: OpenSSL's legacy provider cannot be loaded in this run, so a
 *   legacy PKCS#12 must be refused with a message saying what it needs.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "seed_ids.h"

static const char *dir;
static char path_buf[1024];

static const char *path_of(const char *name) {
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

/* The message of the last error holds no password. */
static void no_password_in_message(const char **passwords) {
    const char *m = last_message();
    for (int i = 0; passwords[i]; i++) CHECK(strstr(m, passwords[i]) == NULL);
}

int main(void) {
    const char *auth_url = getenv("ANAPLAN_TEST_AUTH_URL");
    const char *api_url = getenv("ANAPLAN_TEST_API_URL");
    const char *store_pass = getenv("ANAPLAN_TEST_STORE_PASSWORD");
    const char *key_pass = getenv("ANAPLAN_TEST_KEY_PASSWORD");
    const char *unicode_pass = getenv("ANAPLAN_TEST_UNICODE_PASSWORD");
    const char *no_legacy = getenv("ANAPLAN_TEST_NO_LEGACY");
    dir = getenv("ANAPLAN_TEST_KEYSTORE_DIR");
    if (!auth_url || !api_url || !dir || !store_pass || !key_pass || !unicode_pass) {
        printf("FAIL: the ANAPLAN_TEST_* variables of keystore.c must be set\n");
        return 2;
    }
    const char *passwords[] = {store_pass, key_pass, unicode_pass, "wrong-pass", NULL};
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_auth_url(config, auth_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_api_url(config, api_url), ANAPLAN_STATUS_OK);
    anaplan_client *client = NULL;

    /* Each store signs in, and is signed out when freed. */
    struct {
        const char *file, *password, *alias, *key_password;
    } good[] = {
        {"keytool.jks", store_pass, NULL, NULL},
        {"openssl.p12", store_pass, NULL, NULL},
        {"keypass.jks", store_pass, NULL, key_pass},
        {"several.jks", store_pass, "second", NULL},
        {"several-pkcs12.jks", store_pass, "ANAPLAN", NULL},
        {"unicode.jks", unicode_pass, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        client = NULL;
        EXPECT(anaplan_client_connect_keystore_file(config, path_of(good[i].file), good[i].password,
                                                    good[i].alias, good[i].key_password,
                                                    ANAPLAN_CERT_FORMAT_V2, &client),
               ANAPLAN_STATUS_OK);
        CHECK(client != NULL);
        EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    }
    size_t len = 0;
    unsigned char *jks = read_all(path_of("keytool.jks"), &len);
    CHECK(jks != NULL);
    client = NULL;
    EXPECT(anaplan_client_connect_keystore_memory(config, jks, len, store_pass, NULL, NULL,
                                                  ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);

    /* A legacy PKCS#12 (RC2-40, 3DES) through OpenSSL's legacy provider, or a clear refusal
       where the provider cannot be loaded. */
    client = NULL;
    if (no_legacy) {
        EXPECT(anaplan_client_connect_keystore_file(config, path_of("legacy.p12"), store_pass, NULL,
                                                    NULL, ANAPLAN_CERT_FORMAT_V2, &client),
               ANAPLAN_STATUS_CREDENTIALS);
        CHECK_CONTAINS(last_message(), "legacy provider");
        CHECK(client == NULL);
    } else {
        EXPECT(anaplan_client_connect_keystore_file(config, path_of("legacy.p12"), store_pass, NULL,
                                                    NULL, ANAPLAN_CERT_FORMAT_V2, &client),
               ANAPLAN_STATUS_OK);
        EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    }

    /* Refusals: CREDENTIALS with the reason, nothing written to *out, no password quoted. */
    client = NULL;
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("keytool.jks"), "wrong-pass", NULL,
                                                NULL, ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK_CONTAINS(last_message(), "keystore password is wrong");
    no_password_in_message(passwords);
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("keypass.jks"), store_pass, NULL,
                                                "wrong-pass", ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK_CONTAINS(last_message(), "key password is wrong");
    no_password_in_message(passwords);
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("several.jks"), store_pass, NULL,
                                                NULL, ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK_CONTAINS(last_message(), "\"anaplan\", \"second\"");
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("trusted.jks"), store_pass, NULL,
                                                NULL, ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK_CONTAINS(last_message(), "only trusted certificates");
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("store.jceks"), store_pass, NULL,
                                                NULL, ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK_CONTAINS(last_message(), "keytool -importkeystore");
    EXPECT(anaplan_client_connect_keystore_memory(config, jks, len / 2, store_pass, NULL, NULL,
                                                  ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK_CONTAINS(last_message(), "damaged");
    CHECK_CONTAINS(last_message(), "in memory");
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("no-such.jks"), store_pass, NULL,
                                                NULL, ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_IO);
    CHECK_CONTAINS(last_message(), "no-such.jks");
    CHECK(client == NULL);

    /* Misuse. */
    EXPECT(anaplan_client_connect_keystore_file(config, NULL, store_pass, NULL, NULL,
                                                ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("keytool.jks"), NULL, NULL, NULL,
                                                ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("keytool.jks"), "\xff", NULL, NULL,
                                                ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("keytool.jks"), store_pass, NULL,
                                                NULL, 7, &client),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_connect_keystore_memory(config, NULL, 10, store_pass, NULL, NULL,
                                                  ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_connect_keystore_file(config, path_of("keytool.jks"), store_pass, NULL,
                                                NULL, ANAPLAN_CERT_FORMAT_V2, NULL),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    CHECK(client == NULL);

    free(jks);
    anaplan_config_free(config);
    CHECK(anaplan_debug_live_objects() == 0);
    return check_finish();
}
