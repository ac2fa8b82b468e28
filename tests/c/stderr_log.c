/*
 * stderr_log.c: with ANAPLAN_LOG set in its environment (and no log callback), the library
 * copies its log lines to stderr. This program only makes calls that log (sign-in, a request
 * retried after an injected 503, a parallel upload whose chunks are sent by worker threads,
 * logout); the harness (tests/c_abi.rs) reads the stderr it produced and checks the lines and
 * the absence of secrets. The emulator's URLs come from ANAPLAN_TEST_AUTH_URL/API_URL.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "seed_ids.h"

#define WFP SEED_MODEL
#define EMPLOYEES_FILE SEED_FILE_EMPLOYEES

int main(void) {
    const char *auth_url = getenv("ANAPLAN_TEST_AUTH_URL");
    const char *api_url = getenv("ANAPLAN_TEST_API_URL");
    if (!auth_url || !api_url || !getenv("ANAPLAN_LOG")) {
        printf("FAIL: ANAPLAN_TEST_AUTH_URL, ANAPLAN_TEST_API_URL and ANAPLAN_LOG must be set\n");
        return 2;
    }
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_auth_url(config, auth_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_api_url(config, api_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 1), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_parallelism(config, 2), ANAPLAN_STATUS_OK);
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_basic(config, SEED_USER,
                                        SEED_PASSWORD, &client),
           ANAPLAN_STATUS_OK);
    anaplan_config_free(config);
    if (!client) return check_finish();

    /* The harness makes the first workspace listing answer 503: it is retried. */
    anaplan_list *list = NULL;
    EXPECT(anaplan_client_list_workspaces(client, &list), ANAPLAN_STATUS_OK);
    anaplan_list_free(list);

    /* Three chunks of 1 MB or less, sent by two worker threads. */
    EXPECT(anaplan_client_set_model(client, WFP, NULL), ANAPLAN_STATUS_OK);
    size_t len = 2 * 1024 * 1024 + 1000;
    uint8_t *data = malloc(len);
    CHECK(data != NULL);
    if (data) {
        for (size_t i = 0; i < len; i++) data[i] = (uint8_t)('a' + i % 26);
        EXPECT(anaplan_client_upload_buffer(client, EMPLOYEES_FILE, data, len, NULL),
               ANAPLAN_STATUS_OK);
        free(data);
    }

    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    CHECK(anaplan_debug_live_objects() == 0);
    return check_finish();
}
