/*
 * misuse.c: what a careless or unlucky caller does to the library, and what it must get back:
 * statuses and messages, never a crash, a leak or an invalid memory access (this program also
 * runs under Valgrind: scripts/valgrind-c-tests.sh).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void versions(void) {
    printf("-- versions\n");
    const char *version = anaplan_version();
    CHECK(version != NULL);
    CHECK(strcmp(version, ANAPLAN_VERSION) == 0);
    CHECK(anaplan_abi_version() == ANAPLAN_ABI_VERSION);
    CHECK(strcmp(anaplan_status_name(ANAPLAN_STATUS_OUT_OF_RANGE), "ANAPLAN_STATUS_OUT_OF_RANGE") == 0);
    CHECK(strcmp(anaplan_status_name(12345), "ANAPLAN_STATUS_UNKNOWN") == 0);
}

static void null_arguments(void) {
    printf("-- NULL handles, arguments and out-params\n");
    EXPECT(anaplan_config_new(NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    CHECK(anaplan_last_error_code() == ANAPLAN_STATUS_NULL_ARGUMENT);
    CHECK_CONTAINS(last_message(), "`out`");

    EXPECT(anaplan_config_set_chunk_size_mb(NULL, 10), ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK_CONTAINS(last_message(), "NULL");
    EXPECT(anaplan_config_set_region(NULL, "eu3"), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_config_free(NULL), ANAPLAN_STATUS_OK);

    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    CHECK(config != NULL);
    /* A successful call clears the last error. */
    CHECK(anaplan_last_error_code() == ANAPLAN_STATUS_OK);
    CHECK(strcmp(last_message(), "") == 0);

    EXPECT(anaplan_config_set_auth_url(config, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    CHECK_CONTAINS(last_message(), "`url` is NULL");
    EXPECT(anaplan_config_set_locale(config, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    /* Where NULL means "none", it is accepted. */
    EXPECT(anaplan_config_set_proxy(config, NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_ca_bundle(config, NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_OK);
}

static void freed_and_foreign_handles(void) {
    printf("-- freed, double-freed and never-issued handles\n");
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_region(config, "eu3"), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_OK);

    EXPECT(anaplan_config_set_region(config, "eu3"), ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK_CONTAINS(last_message(), "was freed, or was never issued");
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_INVALID_HANDLE); /* double free */

    /* Pointers the library never issued: the address of a local, and garbage. */
    int local = 0;
    anaplan_config *foreign = (anaplan_config *)(void *)&local;
    EXPECT(anaplan_config_set_gzip(foreign, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_config_set_gzip_level(foreign, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_config_free(foreign), ANAPLAN_STATUS_INVALID_HANDLE);
    anaplan_config *garbage = (anaplan_config *)(uintptr_t)0xdeadbeef;
    EXPECT(anaplan_config_set_max_retries(garbage, 2), ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK(local == 0);

    /* A new config never takes the place of a freed one. */
    anaplan_config *second = NULL;
    EXPECT(anaplan_config_new(&second), ANAPLAN_STATUS_OK);
    CHECK(second != config);
    EXPECT(anaplan_config_set_region(config, "eu3"), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_config_free(second), ANAPLAN_STATUS_OK);
}

static void invalid_strings_and_ranges(void) {
    printf("-- invalid UTF-8 and out-of-range numbers\n");
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);

    EXPECT(anaplan_config_set_locale(config, "\xff\xfe"), ANAPLAN_STATUS_INVALID_UTF8);
    CHECK_CONTAINS(last_message(), "`locale` is not valid UTF-8");
    EXPECT(anaplan_config_set_auth_url(config, "https://caf\xc3"), ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_config_set_locale(config, "fr_FR"), ANAPLAN_STATUS_OK);

    EXPECT(anaplan_config_set_chunk_size_mb(config, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK_CONTAINS(last_message(), "1 to 50 MB");
    EXPECT(anaplan_config_set_chunk_size_mb(config, 51), ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK_CONTAINS(last_message(), "out of range");
    EXPECT(anaplan_config_set_chunk_size_mb(config, -1), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 1), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 50), ANAPLAN_STATUS_OK);

    EXPECT(anaplan_config_set_allow_insecure_http(config, 2), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_gzip(config, -1), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_gzip_level(config, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_gzip_level(config, 10), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_gzip_level(config, -1), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_gzip_level(config, 9), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_connect_timeout_ms(config, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_request_timeout_ms(config, -5), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_max_retries(config, -1), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_parallelism(config, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_parallelism(config, 33), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_retry_backoff_ms(config, 100, 10), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_retry_backoff_ms(config, 10, 100), ANAPLAN_STATUS_OK);

    EXPECT(anaplan_config_set_region(config, "mars"), ANAPLAN_STATUS_INVALID_ARGUMENT);
    CHECK_CONTAINS(last_message(), "known regions");
    EXPECT(anaplan_config_set_region(config, "GB1"), ANAPLAN_STATUS_OK);

    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_OK);
}

static void last_error_reading(void) {
    printf("-- reading the last error: two-call pattern, owned copy, no side effects\n");
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 51), ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK(anaplan_last_error_http_status() == 0);

    size_t needed = 0;
    EXPECT(anaplan_last_error_message(NULL, 0, &needed), ANAPLAN_STATUS_OK);
    CHECK(needed > 1);
    char *full = malloc(needed);
    CHECK(full != NULL);
    if (full == NULL)
        return;
    EXPECT(anaplan_last_error_message(full, needed, NULL), ANAPLAN_STATUS_OK);
    CHECK(strlen(full) + 1 == needed);
    printf("     message: %s\n", full);

    char small[8];
    memset(small, 'x', sizeof small);
    size_t needed_again = 0;
    EXPECT(anaplan_last_error_message(small, sizeof small, &needed_again), ANAPLAN_STATUS_BUFFER_TOO_SMALL);
    CHECK(needed_again == needed);
    CHECK(strlen(small) == sizeof small - 1 && strncmp(small, full, sizeof small - 1) == 0);
    EXPECT(anaplan_last_error_message(NULL, 0, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);

    char *owned = NULL;
    EXPECT(anaplan_last_error_message_owned(NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_last_error_message_owned(&owned), ANAPLAN_STATUS_OK);
    CHECK(owned != NULL && strcmp(owned, full) == 0);

    /* None of the reads above, not even the failed ones, replaced the error they read. */
    CHECK(anaplan_last_error_code() == ANAPLAN_STATUS_OUT_OF_RANGE);
    char task_id[16];
    EXPECT(anaplan_last_error_task_id(task_id, sizeof task_id, NULL), ANAPLAN_STATUS_OK);
    CHECK(task_id[0] == '\0');

    EXPECT(anaplan_string_free(owned), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_string_free(owned), ANAPLAN_STATUS_INVALID_HANDLE); /* double free */
    EXPECT(anaplan_string_free(NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_string_free(full), ANAPLAN_STATUS_INVALID_HANDLE); /* not the library's */
    EXPECT(anaplan_buffer_free(NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_buffer_free((uint8_t *)small), ANAPLAN_STATUS_INVALID_HANDLE);
    free(full);
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_OK);
}

/* The natural C order on failure: free what you hold, then read why. Freeing leaves the last
   error alone; only a failed free (a double free) records its own. */
static void freeing_keeps_the_last_error(void) {
    printf("-- freeing before reading the last error\n");
    anaplan_config *config = NULL;
    anaplan_run_options *options = NULL;
    anaplan_cancel_token *token = NULL;
    char *message = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_run_options_new(&options), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_cancel_token_new(&token), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_last_error_message_owned(&message), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_string_free(message), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_run_options_free(options), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_cancel_token_free(token), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_free(NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_buffer_free(NULL), ANAPLAN_STATUS_OK);
    CHECK(anaplan_last_error_code() == ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK(strstr(last_message(), "chunk size") != NULL);
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_INVALID_HANDLE); /* double free */
    CHECK(anaplan_last_error_code() == ANAPLAN_STATUS_INVALID_HANDLE);
}

static void *fail_on_another_thread(void *arg) {
    (void)arg;
    static anaplan_status seen;
    seen = anaplan_config_set_gzip(NULL, 1);
    return &seen;
}

static void per_thread_last_error(void) {
    printf("-- the last error belongs to its thread\n");
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    pthread_t thread;
    void *result = NULL;
    CHECK(pthread_create(&thread, NULL, fail_on_another_thread, NULL) == 0);
    CHECK(pthread_join(thread, &result) == 0);
    CHECK(result != NULL && *(anaplan_status *)result == ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK(anaplan_last_error_code() == ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_OK);
}

int main(void) {
    versions();
    null_arguments();
    freed_and_foreign_handles();
    invalid_strings_and_ranges();
    last_error_reading();
    freeing_keeps_the_last_error();
    per_thread_last_error();

    printf("-- nothing left behind\n");
    CHECK(anaplan_debug_live_objects() == 0);
    return check_finish();
}
