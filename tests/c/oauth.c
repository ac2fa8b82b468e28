/*
 * oauth.c: OAuth 2.0 sign-in from a refresh token through the C API: the rotated refresh token
 * handed to the callback, the spent one refused with a message that says to sign in again (and
 * quotes no token), the rotated one working, and the misuse cases.
 * Environment: ANAPLAN_TEST_AUTH_URL, ANAPLAN_TEST_API_URL (the emulator, whose main listener
 * also serves OAuth), ANAPLAN_TEST_REFRESH_TOKEN (of SEED_OAUTH_CODE_CLIENT, for SEED_USER).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "seed_ids.h"

/* What the rotation callback was told. */
struct rotation {
    int calls;
    char latest[512];
};

static void on_rotate(void *user_data, const char *refresh_token) {
    struct rotation *r = user_data;
    r->calls++;
    snprintf(r->latest, sizeof r->latest, "%s", refresh_token);
}

static anaplan_status connect_with(const anaplan_config *config, const char *token,
                                   struct rotation *r, anaplan_client **out) {
    return anaplan_client_connect_oauth_refresh_token(config, SEED_OAUTH_CODE_CLIENT,
                                                      SEED_OAUTH_CODE_CLIENT_SECRET, token,
                                                      on_rotate, r, out);
}

int main(void) {
    const char *auth_url = getenv("ANAPLAN_TEST_AUTH_URL");
    const char *api_url = getenv("ANAPLAN_TEST_API_URL");
    const char *first = getenv("ANAPLAN_TEST_REFRESH_TOKEN");
    if (!auth_url || !api_url || !first) {
        printf("FAIL: ANAPLAN_TEST_AUTH_URL, ANAPLAN_TEST_API_URL and ANAPLAN_TEST_REFRESH_TOKEN must be set\n");
        return 2;
    }
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_auth_url(config, auth_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_api_url(config, api_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_oauth_url(config, api_url), ANAPLAN_STATUS_OK);

    /* Signed in: the refresh token rotated, and the new one reached the callback. */
    struct rotation r = {0, ""};
    anaplan_client *client = NULL;
    EXPECT(connect_with(config, first, &r, &client), ANAPLAN_STATUS_OK);
    CHECK(r.calls == 1);
    CHECK(r.latest[0] != '\0' && strcmp(r.latest, first) != 0);
    char *me = NULL;
    EXPECT(anaplan_client_current_user_json(client, &me), ANAPLAN_STATUS_OK);
    CHECK_CONTAINS(me, SEED_USER);
    anaplan_string_free(me);
    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);

    /* The spent token is refused, without being quoted; the rotated one works. */
    client = NULL;
    struct rotation again = {0, ""};
    EXPECT(connect_with(config, first, &again, &client), ANAPLAN_STATUS_AUTH);
    CHECK_CONTAINS(last_message(), "sign in again");
    CHECK(strstr(last_message(), first) == NULL);
    CHECK(anaplan_last_error_http_status() == 400);
    CHECK(client == NULL && again.calls == 0);
    char rotated[512];
    snprintf(rotated, sizeof rotated, "%s", r.latest);
    EXPECT(connect_with(config, rotated, &again, &client), ANAPLAN_STATUS_OK);
    CHECK(again.calls == 1 && strcmp(again.latest, rotated) != 0);
    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);

    /* A wrong secret: the client is refused, the secret not quoted. */
    client = NULL;
    EXPECT(anaplan_client_connect_oauth_refresh_token(config, SEED_OAUTH_CODE_CLIENT, "wrong-secret",
                                                      again.latest, NULL, NULL, &client),
           ANAPLAN_STATUS_AUTH);
    CHECK_CONTAINS(last_message(), "check the client id and secret");
    CHECK(strstr(last_message(), "wrong-secret") == NULL);

    /* Misuse. */
    EXPECT(anaplan_client_connect_oauth_refresh_token(config, NULL, NULL, "x", NULL, NULL, &client),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_connect_oauth_refresh_token(config, SEED_OAUTH_CODE_CLIENT, NULL, NULL,
                                                      NULL, NULL, &client),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_connect_oauth_refresh_token(config, SEED_OAUTH_CODE_CLIENT, NULL, "",
                                                      NULL, NULL, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    EXPECT(anaplan_client_connect_oauth_refresh_token(config, "\xff", NULL, "x", NULL, NULL, &client),
           ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_connect_oauth_refresh_token(config, SEED_OAUTH_CODE_CLIENT, NULL, "x",
                                                      NULL, NULL, NULL),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_config_set_oauth_url(config, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_config_set_oauth_url(NULL, api_url), ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK(client == NULL);

    anaplan_config_free(config);
    CHECK(anaplan_debug_live_objects() == 0);
    return check_finish();
}
