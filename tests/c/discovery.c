/*
 * discovery.c: workspaces, models and model objects listed and found by name through the C API,
 * against the emulator's bundled seed (README), and the misuse cases of lists and lookups.
 * The emulator's URLs come from ANAPLAN_TEST_AUTH_URL and ANAPLAN_TEST_API_URL.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "seed_ids.h"

#define FP SEED_WS
#define SO SEED_WS_SALES
#define WFP SEED_MODEL
#define WFP_SO SEED_MODEL_WFP_SALES

/* Whether a list has an item with this id and this name, read with the accessors only. */
static int list_has(const anaplan_list *list, const char *id, const char *name) {
    size_t n = 0;
    if (anaplan_list_count(list, &n) != ANAPLAN_STATUS_OK) return 0;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        char *item_id = NULL, *item_name = NULL;
        if (anaplan_list_id(list, i, &item_id) == ANAPLAN_STATUS_OK &&
            anaplan_list_name(list, i, &item_name) == ANAPLAN_STATUS_OK)
            found = strcmp(item_id, id) == 0 && strcmp(item_name, name) == 0;
        anaplan_string_free(item_id);
        anaplan_string_free(item_name);
    }
    return found;
}

static size_t count_of(const anaplan_list *list) {
    size_t n = (size_t)-1;
    anaplan_list_count(list, &n);
    return n;
}

/* find_x(client, name, &id) returns `status`, and on OK the id is `expected`. */
typedef anaplan_status (*find_fn)(anaplan_client *, const char *, char **);
static void check_find(find_fn find, anaplan_client *client, const char *name,
                       const char *expected) {
    char *id = NULL;
    EXPECT(find(client, name, &id), ANAPLAN_STATUS_OK);
    CHECK(id != NULL && strcmp(id, expected) == 0);
    if (id && strcmp(id, expected) != 0) printf("     %s -> %s, expected %s\n", name, id, expected);
    anaplan_string_free(id);
}

int main(void) {
    const char *auth_url = getenv("ANAPLAN_TEST_AUTH_URL");
    const char *api_url = getenv("ANAPLAN_TEST_API_URL");
    if (!auth_url || !api_url) {
        printf("FAIL: ANAPLAN_TEST_AUTH_URL and ANAPLAN_TEST_API_URL must be set\n");
        return 2;
    }
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_auth_url(config, auth_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_api_url(config, api_url), ANAPLAN_STATUS_OK);
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_basic(config, SEED_USER,
                                        SEED_PASSWORD, &client),
           ANAPLAN_STATUS_OK);
    anaplan_config_free(config);
    if (!client) return check_finish();

    /* The current user. */
    char *user = NULL;
    EXPECT(anaplan_client_current_user_json(client, &user), ANAPLAN_STATUS_OK);
    CHECK_CONTAINS(user, "\"email\":\"integration.user@example.com\"");
    anaplan_string_free(user);

    /* Workspaces: accessors and JSON. */
    anaplan_list *list = NULL;
    EXPECT(anaplan_client_list_workspaces(client, &list), ANAPLAN_STATUS_OK);
    CHECK(count_of(list) == 2);
    CHECK(list_has(list, FP, "Financial Planning"));
    CHECK(list_has(list, SO, "Sales Operations"));
    char *json = NULL;
    EXPECT(anaplan_list_json(list, &json), ANAPLAN_STATUS_OK);
    CHECK(json && json[0] == '[');
    CHECK_CONTAINS(json, "\"currentSize\":873741824");
    anaplan_string_free(json);
    json = NULL;
    EXPECT(anaplan_list_item_json(list, 0, &json), ANAPLAN_STATUS_OK);
    CHECK(json && json[0] == '{');
    anaplan_string_free(json);
    /* Past the end: OUT_OF_RANGE, and the out-param is left alone. */
    char *untouched = (char *)"sentinel";
    EXPECT(anaplan_list_id(list, 2, &untouched), ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK(strcmp(untouched, "sentinel") == 0);
    CHECK_CONTAINS(last_message(), "0 to 1");
    EXPECT(anaplan_list_name(list, (size_t)-1, &untouched), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_list_count(list, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_list_free(list), ANAPLAN_STATUS_OK);
    /* A freed list, twice freed, is an invalid handle, not a crash. */
    size_t n = 0;
    EXPECT(anaplan_list_count(list, &n), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_list_free(list), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_list_free(NULL), ANAPLAN_STATUS_OK);

    /* Models: all, and per workspace by name. */
    EXPECT(anaplan_client_list_models(client, NULL, &list), ANAPLAN_STATUS_OK);
    CHECK(count_of(list) == 4);
    anaplan_list_free(list);
    EXPECT(anaplan_client_list_models(client, "Sales Operations", &list), ANAPLAN_STATUS_OK);
    CHECK(count_of(list) == 2);
    CHECK(list_has(list, WFP_SO, "Workforce Planning"));
    anaplan_list_free(list);

    /* Model objects need a model. */
    list = NULL;
    EXPECT(anaplan_client_list_files(client, &list), ANAPLAN_STATUS_INVALID_ARGUMENT);
    CHECK(list == NULL);

    /* Two models are named "Workforce Planning": ambiguous across workspaces. */
    char *id = NULL;
    EXPECT(anaplan_client_find_model(client, "Workforce Planning", NULL, &id), ANAPLAN_STATUS_AMBIGUOUS);
    CHECK(id == NULL);
    CHECK_CONTAINS(last_message(), WFP);
    CHECK_CONTAINS(last_message(), WFP_SO);
    EXPECT(anaplan_client_set_model(client, "Workforce Planning", NULL), ANAPLAN_STATUS_AMBIGUOUS);
    EXPECT(anaplan_client_find_model(client, "Workforce Planning", "Sales Operations", &id),
           ANAPLAN_STATUS_OK);
    CHECK(id && strcmp(id, WFP_SO) == 0);
    anaplan_string_free(id);

    /* Set workspace and model by name. */
    EXPECT(anaplan_client_set_workspace(client, "Financial Planning", &id), ANAPLAN_STATUS_OK);
    CHECK(id && strcmp(id, FP) == 0);
    anaplan_string_free(id);
    EXPECT(anaplan_client_set_model(client, "Workforce Planning", &id), ANAPLAN_STATUS_OK);
    CHECK(id && strcmp(id, WFP) == 0);
    anaplan_string_free(id);

    EXPECT(anaplan_client_list_files(client, &list), ANAPLAN_STATUS_OK);
    CHECK(list_has(list, "113000000001", "Employees.csv"));
    CHECK(list_has(list, "113000000002", "Salaries.csv"));
    anaplan_list_free(list);
    EXPECT(anaplan_client_list_imports(client, &list), ANAPLAN_STATUS_OK);
    CHECK(list_has(list, "112000000001", "Employees from Employees.csv"));
    EXPECT(anaplan_list_item_json(list, 0, &json), ANAPLAN_STATUS_OK);
    CHECK_CONTAINS(json, "\"importDataSourceId\"");
    anaplan_string_free(json);
    anaplan_list_free(list);
    EXPECT(anaplan_client_list_exports(client, &list), ANAPLAN_STATUS_OK);
    CHECK(list_has(list, "116000000002", "Employee Details.csv"));
    anaplan_list_free(list);
    EXPECT(anaplan_client_list_actions(client, &list), ANAPLAN_STATUS_OK);
    CHECK(list_has(list, "117000000001", "Delete Leavers"));
    anaplan_list_free(list);
    EXPECT(anaplan_client_list_processes(client, &list), ANAPLAN_STATUS_OK);
    CHECK(count_of(list) == 1);
    CHECK(list_has(list, "118000000001", "Load Employees"));
    anaplan_list_free(list);

    /* Find by name, each kind; ids pass through. */
    check_find(anaplan_client_find_workspace, client, "Sales Operations", SO);
    check_find(anaplan_client_find_file, client, "Salaries.csv", "113000000002");
    check_find(anaplan_client_find_import, client, "Employee Details from Salaries.csv", "112000000002");
    check_find(anaplan_client_find_export, client, "Employees.csv", "116000000001");
    check_find(anaplan_client_find_action, client, "Clear Employees", "117000000002");
    check_find(anaplan_client_find_process, client, "Load Employees", "118000000001");
    check_find(anaplan_client_find_process, client, "118000000001", "118000000001");
    EXPECT(anaplan_client_find_import(client, "Departments", &id), ANAPLAN_STATUS_NOT_FOUND);
    CHECK_CONTAINS(last_message(), "no import named \"Departments\" in model");
    EXPECT(anaplan_client_find_file(client, "employees.csv", &id), ANAPLAN_STATUS_NOT_FOUND);
    CHECK_CONTAINS(last_message(), "did you mean \"Employees.csv\"");
    EXPECT(anaplan_client_clear_cache(client), ANAPLAN_STATUS_OK);
    check_find(anaplan_client_find_action, client, "Delete Leavers", "117000000001");

    /* A model of another workspace, by id, moves the connection there. */
    EXPECT(anaplan_client_set_model(client, SEED_MODEL_SALES_FORECAST, NULL),
           ANAPLAN_STATUS_OK);
    check_find(anaplan_client_find_process, client, "Refresh Regions", "118000000001");

    /* Paging is followed whatever the page size. */
    EXPECT(anaplan_client_set_page_size(client, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_set_page_size(client, 5001), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_set_page_size(client, 1), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_list_models(client, NULL, &list), ANAPLAN_STATUS_OK);
    CHECK(count_of(list) == 4);

    /* Misuse: NULL, foreign and wrong-type handles, NULL and invalid UTF-8 arguments. */
    EXPECT(anaplan_client_find_workspace(NULL, "Sales Operations", &id), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_find_workspace((anaplan_client *)list, "Sales Operations", &id),
           ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_list_count((anaplan_list *)client, &n), ANAPLAN_STATUS_INVALID_HANDLE);
    int local = 0;
    EXPECT(anaplan_list_count((anaplan_list *)&local, &n), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_find_workspace(client, NULL, &id), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_find_workspace(client, "Sales Operations", NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_find_workspace(client, "Sales \xff Operations", &id), ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_set_workspace(client, "\xc3", NULL), ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_list_models(client, "\xfe", &list), ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_clear_cache(NULL), ANAPLAN_STATUS_INVALID_HANDLE);
    anaplan_list_free(list);

    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    /* After the client is freed, calls on it are invalid handles, not crashes. */
    EXPECT(anaplan_client_list_workspaces(client, &list), ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK(anaplan_debug_live_objects() == 0);
    return check_finish();
}
