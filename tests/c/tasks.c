/*
 * tasks.c: running imports, actions and processes through the C API and reading their failure
 * dumps, against the emulator's bundled seed (README): the process "Load Employees" by name with a
 * progress callback, its result and steps, each failing step's dump as text and as files, the
 * summary; an import by id and its dump; mapping parameters; cancelling from the progress callback
 * and from another thread; a timeout; names that do not exist; misuse.
 *
 * Environment (set by tests/c_abi.rs):
 *   ANAPLAN_TEST_AUTH_URL, ANAPLAN_TEST_API_URL: the emulator (tasks take under a second);
 *   ANAPLAN_TEST_SLOW_AUTH_URL, ANAPLAN_TEST_SLOW_API_URL: an emulator whose tasks take minutes,
 *   for cancelling and timing out. The harness then checks on the servers that each task
 *   cancelled here was cancelled there, and what the mapping run sent.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "seed_ids.h"

#define USER SEED_USER
#define PASSWORD SEED_PASSWORD
#define PROCESS SEED_PROCESS_LOAD_EMPLOYEES
#define IMPORT_EMPLOYEES SEED_IMPORT_EMPLOYEES
#define IMPORT_DETAILS SEED_IMPORT_DETAILS
#define ACTION_DELETE_LEAVERS SEED_ACTION_DELETE_LEAVERS
#define EXPORT_DETAILS SEED_EXPORT_DETAILS

/* ---- The progress callback. ---- */

struct progress {
    pthread_t thread;        /* the thread that calls anaplan_client_run */
    int cancel_when_running; /* return non-zero once the task is IN_PROGRESS */
    int calls;
    int off_thread;          /* calls on another thread than `thread` */
    int bad_progress;        /* progress outside 0..1 */
    int bad_state;           /* a state that is not an ANAPLAN_TASK_STATE_* */
    int32_t last_state;
    atomic_int running;      /* raised at the first IN_PROGRESS, for a canceller thread */
};

static void progress_init(struct progress *p, int cancel_when_running) {
    memset(p, 0, sizeof *p);
    p->thread = pthread_self();
    p->cancel_when_running = cancel_when_running;
    p->last_state = -1;
    atomic_init(&p->running, 0);
}

static int32_t on_progress(void *user_data, int32_t state, double progress) {
    struct progress *p = user_data;
    p->calls++;
    if (!pthread_equal(pthread_self(), p->thread)) p->off_thread++;
    if (!(progress >= 0.0 && progress <= 1.0)) p->bad_progress++;
    switch (state) {
    case ANAPLAN_TASK_STATE_NOT_STARTED:
    case ANAPLAN_TASK_STATE_IN_PROGRESS:
    case ANAPLAN_TASK_STATE_COMPLETE:
    case ANAPLAN_TASK_STATE_CANCELLING:
    case ANAPLAN_TASK_STATE_CANCELLED:
        break;
    default:
        p->bad_state++;
    }
    p->last_state = state;
    if (state == ANAPLAN_TASK_STATE_IN_PROGRESS) atomic_store(&p->running, 1);
    return p->cancel_when_running && state == ANAPLAN_TASK_STATE_IN_PROGRESS;
}

/* ---- Helpers. ---- */

static anaplan_client *connect_to(const char *auth_url, const char *api_url) {
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_auth_url(config, auth_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_api_url(config, api_url), ANAPLAN_STATUS_OK);
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_basic(config, USER, PASSWORD, &client), ANAPLAN_STATUS_OK);
    anaplan_config_free(config);
    if (!client) return NULL;
    EXPECT(anaplan_client_set_workspace(client, "Financial Planning", NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_set_model(client, "Workforce Planning", NULL), ANAPLAN_STATUS_OK);
    return client;
}

/* A string accessor's result, checked against `expected`. */
static void check_string(anaplan_status status, char *got, const char *expected, const char *what,
                         int line) {
    int ok = status == ANAPLAN_STATUS_OK && got && strcmp(got, expected) == 0;
    check_true(ok, what, __FILE__, line);
    if (!ok) printf("     got %s (%s), expected %s\n", got ? got : "(NULL)",
                    anaplan_status_name(status), expected);
    anaplan_string_free(got);
}
#define CHECK_STRING(call_with_out, out, expected)                                           \
    do {                                                                                     \
        char *out = NULL;                                                                    \
        anaplan_status st_ = (call_with_out);                                                \
        check_string(st_, out, (expected), #call_with_out " == " #expected, __LINE__);       \
    } while (0)

/* An int32_t accessor's result (a flag or a task state). */
static int32_t int_of(anaplan_status (*get)(const anaplan_task_result *, int32_t *),
                      const anaplan_task_result *result) {
    int32_t value = -12345;
    EXPECT(get(result, &value), ANAPLAN_STATUS_OK);
    return value;
}

/* A size_t accessor's result (a count). */
static size_t count_of(anaplan_status (*get)(const anaplan_task_result *, size_t *),
                       const anaplan_task_result *result) {
    size_t value = 12345;
    EXPECT(get(result, &value), ANAPLAN_STATUS_OK);
    return value;
}

/* A step's flag. */
static int32_t step_int(anaplan_status (*get)(const anaplan_task_result *, size_t, int32_t *),
                        const anaplan_task_result *result, size_t index) {
    int32_t value = -12345;
    EXPECT(get(result, index, &value), ANAPLAN_STATUS_OK);
    return value;
}

/* The whole text file, malloc'd; NULL when it cannot be read. */
static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (cap - size < 2) {
            cap = cap ? cap * 2 : 4096;
            char *bigger = realloc(text, cap);
            if (!bigger) break;
            text = bigger;
        }
        size_t n = fread(text + size, 1, cap - size - 1, f);
        if (n == 0) break;
        size += n;
    }
    fclose(f);
    if (text) text[size] = '\0';
    return text;
}

/* The task id in this thread's last error ("" when none). */
static const char *last_task_id(void) {
    static char id[128];
    id[0] = '\0';
    anaplan_last_error_task_id(id, sizeof id, NULL);
    return id;
}

static int starts_with(const char *text, const char *prefix) {
    return text && strncmp(text, prefix, strlen(prefix)) == 0;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ---- The process, its result and its dumps. ---- */

static void check_process_result(const anaplan_task_result *result) {
    printf("-- the result of Load Employees\n");
    CHECK(int_of(anaplan_task_result_successful, result) == 1);
    CHECK(int_of(anaplan_task_result_state, result) == ANAPLAN_TASK_STATE_COMPLETE);
    CHECK(int_of(anaplan_task_result_dump_available, result) == 1);
    CHECK_STRING(anaplan_task_result_object_id(result, &id), id, PROCESS);
    char *task_id = NULL;
    EXPECT(anaplan_task_result_task_id(result, &task_id), ANAPLAN_STATUS_OK);
    CHECK(task_id && strlen(task_id) == 32);
    anaplan_string_free(task_id);
    /* A process has no details of its own: its steps have them. */
    CHECK(count_of(anaplan_task_result_detail_count, result) == 0);
    char *untouched = (char *)"sentinel";
    EXPECT(anaplan_task_result_detail_message(result, 0, &untouched), ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK(strcmp(untouched, "sentinel") == 0);

    CHECK(count_of(anaplan_task_result_step_count, result) == 4);
    const char *steps[4] = {IMPORT_EMPLOYEES, IMPORT_DETAILS, ACTION_DELETE_LEAVERS,
                            EXPORT_DETAILS};
    const int32_t dumps[4] = {1, 1, 0, 0};
    for (size_t i = 0; i < 4; i++) {
        printf("   step %d\n", (int)i);
        CHECK_STRING(anaplan_task_result_step_object_id(result, i, &id), id, steps[i]);
        CHECK(step_int(anaplan_task_result_step_dump_available, result, i) == dumps[i]);
        /* Rows failed, but every step loaded something: each is successful. */
        CHECK(step_int(anaplan_task_result_step_successful, result, i) == 1);
    }
    int64_t step_failed = -1, no_rows = -7;
    EXPECT(anaplan_task_result_step_row_count(result, 0, ANAPLAN_ROWS_FAILED, &step_failed),
           ANAPLAN_STATUS_OK);
    CHECK(step_failed >= 1);
    /* The delete action reports no rows; a process has no rows of its own. */
    EXPECT(anaplan_task_result_step_row_count(result, 2, ANAPLAN_ROWS_FAILED, &no_rows),
           ANAPLAN_STATUS_NOT_FOUND);
    EXPECT(anaplan_task_result_row_count(result, ANAPLAN_ROWS_FAILED, &no_rows),
           ANAPLAN_STATUS_NOT_FOUND);
    EXPECT(anaplan_task_result_step_row_count(result, 4, ANAPLAN_ROWS_FAILED, &no_rows),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK(no_rows == -7);
    size_t step_pairs = 0;
    EXPECT(anaplan_task_result_step_detail_value_count(result, 0, 0, &step_pairs), ANAPLAN_STATUS_OK);
    CHECK(step_pairs > 0);
    char *pair_name = NULL, *pair_value = NULL;
    EXPECT(anaplan_task_result_step_detail_value(result, 0, 0, 0, &pair_name, &pair_value),
           ANAPLAN_STATUS_OK);
    CHECK(pair_name != NULL && pair_name[0] != '\0' && pair_value != NULL);
    anaplan_string_free(pair_name);
    anaplan_string_free(pair_value);
    size_t details = 12345;
    EXPECT(anaplan_task_result_step_detail_count(result, 0, &details), ANAPLAN_STATUS_OK);
    CHECK(details > 0);
    char *message = NULL;
    EXPECT(anaplan_task_result_step_detail_message(result, 0, 0, &message), ANAPLAN_STATUS_OK);
    CHECK_CONTAINS(message, "Employees: ");
    CHECK_CONTAINS(message, "rows successful");
    anaplan_string_free(message);
    message = NULL;
    EXPECT(anaplan_task_result_step_detail_message(result, 0, details, &message),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_task_result_step_detail_message(result, 1, 0, &message), ANAPLAN_STATUS_OK);
    CHECK(message != NULL && message[0] != '\0');
    anaplan_string_free(message);

    EXPECT(anaplan_task_result_step_object_id(result, 4, &untouched), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_task_result_step_object_id(result, SIZE_MAX, &untouched),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_task_result_step_dump_available(result, 4, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    CHECK(strcmp(untouched, "sentinel") == 0);

    char *json = NULL;
    EXPECT(anaplan_task_result_json(result, &json), ANAPLAN_STATUS_OK);
    CHECK_CONTAINS(json, "\"nestedResults\"");
    CHECK_CONTAINS(json, "\"taskState\":\"COMPLETE\"");
    anaplan_string_free(json);
}

/* Checks the dumps of the process; returns the dump texts of steps 0 and 1 (to free). */
static void check_process_dumps(anaplan_client *client, const anaplan_task_result *result,
                                char **employees, char **details) {
    printf("-- the dump of each failing step\n");
    EXPECT(anaplan_client_step_dump_text(client, result, 0, employees), ANAPLAN_STATUS_OK);
    CHECK(starts_with(*employees, "\"_Status_\","));
    CHECK_CONTAINS(*employees, "\"Error parsing key for this row; no values\"");
    CHECK_CONTAINS(*employees, "\"Invalid parent\"");
    EXPECT(anaplan_client_step_dump_text(client, result, 1, details), ANAPLAN_STATUS_OK);
    CHECK_CONTAINS(*details, "\"Item not located in Employees list: Zoe Walker\"");

    /* Steps without a dump, the process itself (its dumps are its steps'), out of range. */
    char *untouched = (char *)"sentinel";
    EXPECT(anaplan_client_step_dump_text(client, result, 2, &untouched),
           ANAPLAN_STATUS_INVALID_ARGUMENT);
    EXPECT(anaplan_client_step_dump_text(client, result, 3, &untouched),
           ANAPLAN_STATUS_INVALID_ARGUMENT);
    EXPECT(anaplan_client_step_dump_text(client, result, 4, &untouched),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    /* One argument, one message: the dump function and the step getters say the same. */
    CHECK_CONTAINS(last_message(), "`step_index` is 4, out of range: expected 0 to 3 (there are 4 items)");
    {
        char *step_id = NULL;
        EXPECT(anaplan_task_result_step_object_id(result, 4, &step_id), ANAPLAN_STATUS_OUT_OF_RANGE);
        CHECK_CONTAINS(last_message(), "`step_index` is 4, out of range: expected 0 to 3 (there are 4 items)");
    }
    EXPECT(anaplan_client_step_dump_text(client, result, SIZE_MAX, &untouched),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_dump_text(client, result, &untouched), ANAPLAN_STATUS_INVALID_ARGUMENT);
    EXPECT(anaplan_client_step_dump_text(client, result, 0, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_step_dump_text(NULL, result, 0, &untouched),
           ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_step_dump_text(client, (anaplan_task_result *)client, 0, &untouched),
           ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK(strcmp(untouched, "sentinel") == 0);
}

static void check_dumps_to_dir(anaplan_client *client, const anaplan_task_result *result,
                               const char *employees, const char *details) {
    printf("-- the dumps written to a directory\n");
    char base[] = "/tmp/anaplan-c-dumps-XXXXXX";
    CHECK(mkdtemp(base) != NULL);
    char dir[256], file0[300], file1[300];
    snprintf(dir, sizeof dir, "%s/dumps", base); /* missing: created by the call */
    snprintf(file0, sizeof file0, "%s/" IMPORT_EMPLOYEES ".csv", dir);
    snprintf(file1, sizeof file1, "%s/" IMPORT_DETAILS ".csv", dir);
    size_t count = 12345;
    EXPECT(anaplan_client_dumps_to_dir(client, result, dir, &count), ANAPLAN_STATUS_OK);
    CHECK(count == 2);
    char *text0 = read_text(file0);
    char *text1 = read_text(file1);
    CHECK(text0 != NULL && employees != NULL && strcmp(text0, employees) == 0);
    CHECK(text1 != NULL && details != NULL && strcmp(text1, details) == 0);
    free(text0);
    free(text1);
    /* Again, without a count: the files are replaced. */
    EXPECT(anaplan_client_dumps_to_dir(client, result, dir, NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_dumps_to_dir(client, result, NULL, &count), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_dumps_to_dir(client, result, "/tmp/\xff", &count),
           ANAPLAN_STATUS_INVALID_UTF8);
    /* A directory that cannot be made: a file is in the way. */
    char blocked[320];
    snprintf(blocked, sizeof blocked, "%s/sub", file0);
    EXPECT(anaplan_client_dumps_to_dir(client, result, blocked, &count), ANAPLAN_STATUS_IO);
    CHECK(unlink(file0) == 0);
    CHECK(unlink(file1) == 0);
    CHECK(rmdir(dir) == 0); /* nothing else was left in it */
    CHECK(rmdir(base) == 0);
}

static void check_summary(anaplan_client *client, const anaplan_task_result *result,
                          const char *employees, const char *details) {
    printf("-- the summary\n");
    char *summary = NULL;
    EXPECT(anaplan_client_task_summary(client, result, &summary), ANAPLAN_STATUS_OK);
    CHECK(starts_with(summary, "Process action " IMPORT_EMPLOYEES " completed. Failure: True\n"
                               "Process action " IMPORT_DETAILS " completed. Failure: True\n"
                               "Process action " ACTION_DELETE_LEAVERS
                               " completed. Failure: False\n"
                               "Process action " EXPORT_DETAILS " completed. Failure: False\n"));
    CHECK_CONTAINS(summary, "\nDetails:\nStep 1 of 4, import " IMPORT_EMPLOYEES);
    CHECK_CONTAINS(summary, "\n    hierarchyName: Employees\n");
    CHECK_CONTAINS(summary, "\nFailure dump(s):\nError dump for " IMPORT_EMPLOYEES "\n");
    CHECK_CONTAINS(summary, "Error dump for " IMPORT_DETAILS "\n");
    CHECK_CONTAINS(summary, "Item not located in Employees list: Zoe Walker");
    CHECK(summary && employees && strstr(summary, employees) != NULL);
    CHECK(summary && details && strstr(summary, details) != NULL);
    if (summary) printf("     %.*s...\n", 60, summary);
    anaplan_string_free(summary);
}

static void the_process(anaplan_client *client) {
    printf("-- run Load Employees by name, with progress\n");
    anaplan_run_options *options = NULL;
    EXPECT(anaplan_run_options_new(&options), ANAPLAN_STATUS_OK);
    struct progress progress;
    progress_init(&progress, 0);
    EXPECT(anaplan_run_options_set_progress(options, on_progress, &progress), ANAPLAN_STATUS_OK);
    anaplan_task_result *result = NULL;
    EXPECT(anaplan_client_run(client, "Load Employees", options, &result), ANAPLAN_STATUS_OK);
    /* The options were copied when the run started: freeing them does not touch the result. */
    EXPECT(anaplan_run_options_free(options), ANAPLAN_STATUS_OK);
    printf("     %d progress calls, last state %d\n", progress.calls, (int)progress.last_state);
    CHECK(progress.calls > 0);
    CHECK(progress.off_thread == 0);
    CHECK(progress.bad_progress == 0);
    CHECK(progress.bad_state == 0);
    if (!result) return;

    check_process_result(result);
    char *employees = NULL, *details = NULL;
    check_process_dumps(client, result, &employees, &details);
    check_dumps_to_dir(client, result, employees, details);
    check_summary(client, result, employees, details);
    anaplan_string_free(employees);
    anaplan_string_free(details);

    EXPECT(anaplan_task_result_free(result), ANAPLAN_STATUS_OK);
    int32_t value = 0;
    EXPECT(anaplan_task_result_successful(result, &value), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_task_result_free(result), ANAPLAN_STATUS_INVALID_HANDLE); /* double free */
    EXPECT(anaplan_task_result_free(NULL), ANAPLAN_STATUS_OK);
}

/* "How many rows failed?" without a JSON parser: the typed counts, and the same numbers among
   the detail's name/value pairs. */
static void check_row_counts(const anaplan_task_result *result) {
    int64_t total = -1, ok = -1, failed = -1, warnings = -1;
    EXPECT(anaplan_task_result_row_count(result, ANAPLAN_ROWS_TOTAL, &total), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_task_result_row_count(result, ANAPLAN_ROWS_SUCCESSFUL, &ok), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_task_result_row_count(result, ANAPLAN_ROWS_FAILED, &failed), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_task_result_row_count(result, ANAPLAN_ROWS_WITH_WARNINGS, &warnings),
           ANAPLAN_STATUS_OK);
    printf("     rows: %lld total, %lld successful, %lld with warnings, %lld failed\n",
           (long long)total, (long long)ok, (long long)warnings, (long long)failed);
    /* The seed's file has a row without a name (fails) and two with an unknown parent (load with
       a warning). */
    CHECK(failed >= 1 && warnings >= 2 && total >= ok + failed && ok >= warnings);
    int64_t untouched = -7;
    EXPECT(anaplan_task_result_row_count(result, 99, &untouched), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_task_result_row_count(result, ANAPLAN_ROWS_FAILED, NULL),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    CHECK(untouched == -7);

    size_t pairs = 0;
    EXPECT(anaplan_task_result_detail_value_count(result, 0, &pairs), ANAPLAN_STATUS_OK);
    int found = 0;
    for (size_t i = 0; i < pairs; i++) {
        char *name = NULL, *value = NULL;
        EXPECT(anaplan_task_result_detail_value(result, 0, i, &name, &value), ANAPLAN_STATUS_OK);
        if (name && value && strcmp(name, "failedCount") == 0) {
            found = 1;
            CHECK(atoll(value) == failed);
        }
        anaplan_string_free(name);
        anaplan_string_free(value);
    }
    CHECK(found);
    char *name = NULL, *value = NULL;
    EXPECT(anaplan_task_result_detail_value(result, 0, pairs, &name, &value),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK(name == NULL && value == NULL);
}

static void an_import_by_id(anaplan_client *client) {
    printf("-- run an import by id, without options\n");
    anaplan_task_result *result = NULL;
    EXPECT(anaplan_client_run(client, IMPORT_EMPLOYEES, NULL, &result), ANAPLAN_STATUS_OK);
    if (!result) return;
    CHECK_STRING(anaplan_task_result_object_id(result, &id), id, IMPORT_EMPLOYEES);
    CHECK(count_of(anaplan_task_result_step_count, result) == 0);
    CHECK(int_of(anaplan_task_result_dump_available, result) == 1);
    CHECK(count_of(anaplan_task_result_detail_count, result) > 0);
    char *message = NULL;
    EXPECT(anaplan_task_result_detail_message(result, 0, &message), ANAPLAN_STATUS_OK);
    CHECK_CONTAINS(message, "Employees: ");
    anaplan_string_free(message);
    char *dump = NULL;
    EXPECT(anaplan_client_dump_text(client, result, &dump), ANAPLAN_STATUS_OK);
    CHECK(starts_with(dump, "\"_Status_\","));
    CHECK_CONTAINS(dump, "\"Error parsing key for this row; no values\"");
    CHECK_CONTAINS(dump, "\"Invalid parent\"");
    /* An import has one dump: no steps. */
    char *untouched = (char *)"sentinel";
    EXPECT(anaplan_client_step_dump_text(client, result, 0, &untouched),
           ANAPLAN_STATUS_INVALID_ARGUMENT);
    check_row_counts(result);
    char *summary = NULL;
    EXPECT(anaplan_client_task_summary(client, result, &summary), ANAPLAN_STATUS_OK);
    CHECK(starts_with(summary, "Failure Dump Available: True, Successful: True\nLoad details:\n"));
    CHECK(summary && dump && strstr(summary, dump) != NULL);
    anaplan_string_free(summary);
    anaplan_string_free(dump);
    EXPECT(anaplan_task_result_free(result), ANAPLAN_STATUS_OK);
}

static void mappings_and_names(anaplan_client *client) {
    printf("-- mapping parameters and a locale (the harness checks what was sent)\n");
    anaplan_run_options *options = NULL;
    EXPECT(anaplan_run_options_new(&options), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_run_options_add_mapping(options, "Version", "Actual"), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_run_options_set_locale(options, "en_GB"), ANAPLAN_STATUS_OK);
    anaplan_task_result *result = NULL;
    EXPECT(anaplan_client_run(client, PROCESS, options, &result), ANAPLAN_STATUS_OK);
    if (result) CHECK(int_of(anaplan_task_result_state, result) == ANAPLAN_TASK_STATE_COMPLETE);
    anaplan_task_result_free(result);
    result = NULL;
    /* An export takes no mapping: refused before anything starts (the harness checks). */
    EXPECT(anaplan_client_run(client, "Employees.csv", options, &result), ANAPLAN_STATUS_INVALID_ARGUMENT);
    CHECK(result == NULL);
    EXPECT(anaplan_run_options_clear_mappings(options), ANAPLAN_STATUS_OK);

    printf("-- names and ids that do not exist, misuse\n");
    EXPECT(anaplan_client_run(client, "No Such Process", options, &result), ANAPLAN_STATUS_NOT_FOUND);
    CHECK_CONTAINS(last_message(), "No Such Process");
    EXPECT(anaplan_client_run(client, "118999999999", NULL, &result), ANAPLAN_STATUS_NOT_FOUND);
    EXPECT(anaplan_client_run(client, "113000000001", NULL, &result), ANAPLAN_STATUS_INVALID_ARGUMENT);
    CHECK(result == NULL);
    EXPECT(anaplan_client_run(NULL, PROCESS, NULL, &result), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_run(client, PROCESS, (anaplan_run_options *)client, &result),
           ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_run(client, NULL, NULL, &result), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_run(client, PROCESS, NULL, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_run(client, "Load \xff", NULL, &result), ANAPLAN_STATUS_INVALID_UTF8);
    CHECK(result == NULL);
    EXPECT(anaplan_run_options_set_timeout_ms(options, -1), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_run_options_set_retries(options, -1), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_run_options_set_cancel_on_timeout(options, 2), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_run_options_add_mapping(options, NULL, "Actual"), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_run_options_set_locale(options, ""), ANAPLAN_STATUS_INVALID_ARGUMENT);
    EXPECT(anaplan_run_options_set_cancel_token(options, (anaplan_cancel_token *)client),
           ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_run_options_free(options), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_run_options_free(options), ANAPLAN_STATUS_INVALID_HANDLE);
}

/* ---- Cancelling and timing out, against the slow emulator. ---- */

static void cancel_from_the_callback(anaplan_client *client) {
    printf("-- cancel from the progress callback\n");
    anaplan_run_options *options = NULL;
    EXPECT(anaplan_run_options_new(&options), ANAPLAN_STATUS_OK);
    struct progress progress;
    progress_init(&progress, 1);
    EXPECT(anaplan_run_options_set_progress(options, on_progress, &progress), ANAPLAN_STATUS_OK);
    anaplan_task_result *result = NULL;
    EXPECT(anaplan_client_run(client, "Clear Employees", options, &result), ANAPLAN_STATUS_CANCELLED);
    CHECK(result == NULL);
    CHECK(strlen(last_task_id()) == 32);
    printf("     %d progress calls, last state %d\n", progress.calls, (int)progress.last_state);
    CHECK(atomic_load(&progress.running) == 1);
    CHECK(progress.last_state == ANAPLAN_TASK_STATE_CANCELLED);
    CHECK(progress.off_thread == 0);
    CHECK(progress.bad_progress == 0);
    anaplan_run_options_free(options);
}

struct canceller {
    anaplan_cancel_token *token;
    struct progress *progress;
    anaplan_status status;
};

/* Waits until the run's task is IN_PROGRESS (bounded), then raises the token. */
static void *cancel_when_running(void *arg) {
    struct canceller *c = arg;
    for (int i = 0; i < 12000 && !atomic_load(&c->progress->running); i++) sleep_ms(10);
    c->status = anaplan_cancel_token_cancel(c->token);
    return NULL;
}

static void cancel_from_another_thread(anaplan_client *client) {
    printf("-- cancel from another thread through a cancel token\n");
    anaplan_cancel_token *token = NULL;
    EXPECT(anaplan_cancel_token_new(&token), ANAPLAN_STATUS_OK);
    int32_t cancelled = -1;
    EXPECT(anaplan_cancel_token_is_cancelled(token, &cancelled), ANAPLAN_STATUS_OK);
    CHECK(cancelled == 0);
    anaplan_run_options *options = NULL;
    EXPECT(anaplan_run_options_new(&options), ANAPLAN_STATUS_OK);
    struct progress progress;
    progress_init(&progress, 0);
    EXPECT(anaplan_run_options_set_progress(options, on_progress, &progress), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_run_options_set_cancel_token(options, token), ANAPLAN_STATUS_OK);

    struct canceller canceller = {token, &progress, -1};
    pthread_t thread;
    int started = pthread_create(&thread, NULL, cancel_when_running, &canceller) == 0;
    CHECK(started);
    anaplan_task_result *result = NULL;
    if (started) {
        EXPECT(anaplan_client_run(client, "Delete Leavers", options, &result), ANAPLAN_STATUS_CANCELLED);
        CHECK(strlen(last_task_id()) == 32);
        pthread_join(thread, NULL);
    }
    CHECK(result == NULL);
    CHECK(canceller.status == ANAPLAN_STATUS_OK);
    CHECK(atomic_load(&progress.running) == 1); /* cancelled while it ran, not before */
    EXPECT(anaplan_cancel_token_is_cancelled(token, &cancelled), ANAPLAN_STATUS_OK);
    CHECK(cancelled == 1);

    /* A token cancelled before the run: nothing starts (the harness counts the tasks). */
    printf("-- a run with a token cancelled already\n");
    EXPECT(anaplan_client_run(client, "Delete Leavers", options, &result), ANAPLAN_STATUS_CANCELLED);
    CHECK(strcmp(last_task_id(), "") == 0);
    CHECK(result == NULL);
    /* The options hold their own reference: the token can go first. */
    EXPECT(anaplan_cancel_token_free(token), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_run(client, "Delete Leavers", options, &result), ANAPLAN_STATUS_CANCELLED);
    EXPECT(anaplan_cancel_token_cancel(token), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_cancel_token_free(token), ANAPLAN_STATUS_INVALID_HANDLE);
    anaplan_run_options_free(options);
}

static void a_timeout(anaplan_client *client) {
    printf("-- a timeout\n");
    anaplan_run_options *options = NULL;
    EXPECT(anaplan_run_options_new(&options), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_run_options_set_timeout_ms(options, 1000), ANAPLAN_STATUS_OK);
    anaplan_task_result *result = NULL;
    EXPECT(anaplan_client_run(client, IMPORT_EMPLOYEES, options, &result), ANAPLAN_STATUS_TIMEOUT);
    CHECK(result == NULL);
    char task_id[128];
    snprintf(task_id, sizeof task_id, "%s", last_task_id());
    CHECK(strlen(task_id) == 32);
    check_true(strstr(last_message(), task_id) != NULL, "the message names the task", __FILE__,
               __LINE__);
    printf("     %s\n", last_message());
    anaplan_run_options_free(options);
}

int main(void) {
    const char *auth_url = getenv("ANAPLAN_TEST_AUTH_URL");
    const char *api_url = getenv("ANAPLAN_TEST_API_URL");
    const char *slow_auth_url = getenv("ANAPLAN_TEST_SLOW_AUTH_URL");
    const char *slow_api_url = getenv("ANAPLAN_TEST_SLOW_API_URL");
    if (!auth_url || !api_url || !slow_auth_url || !slow_api_url) {
        printf("FAIL: the ANAPLAN_TEST_* variables must be set (see the top of tasks.c)\n");
        return 2;
    }

    anaplan_client *client = connect_to(auth_url, api_url);
    if (client) {
        the_process(client);
        an_import_by_id(client);
        mappings_and_names(client);
        EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    }

    anaplan_client *slow = connect_to(slow_auth_url, slow_api_url);
    if (slow) {
        cancel_from_the_callback(slow);
        cancel_from_another_thread(slow);
        a_timeout(slow);
        EXPECT(anaplan_client_free(slow), ANAPLAN_STATUS_OK);
    }

    printf("-- nothing left behind\n");
    CHECK(anaplan_debug_live_objects() == 0);
    return check_finish();
}
