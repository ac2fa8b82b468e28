/*
 * The Anaplan bulk workflow through the C API, as an ETL tool runs it:
 * connect, choose the workspace and model by name, upload a data file in gzip chunks,
 * run a process and show its result and failure dumps, run an export and download it.
 *
 * Build: cc -Iinclude examples/workflow.c -Ltarget/release -lanaplan -o workflow
 * Run:   ./workflow AUTH_URL API_URL DATA_FILE OUTPUT_FILE
 *        (against Anaplan: https://auth.anaplan.com https://api.anaplan.com; `make demo` runs it
 *        against the bundled emulator)
 * User and password come from ANAPLAN_USER and ANAPLAN_PASSWORD.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anaplan.h"

/* Prints what failed with the library's own words, and exits. */
static void die(const char *what, anaplan_status status) {
    char *message = NULL;
    int32_t http = anaplan_last_error_http_status();
    anaplan_last_error_message_owned(&message);
    fprintf(stderr, "\n%s failed: %s", what, anaplan_status_name(status));
    if (http != 0) {
        fprintf(stderr, " (HTTP %d)", (int)http);
    }
    fprintf(stderr, ": %s\n", message ? message : "");
    anaplan_string_free(message);
    exit(1);
}

#define TRY(what, call)                      \
    do {                                     \
        anaplan_status st_ = (call);         \
        if (st_ != ANAPLAN_STATUS_OK) {      \
            die((what), st_);                \
        }                                    \
    } while (0)

static int32_t show_transfer(void *user_data, uint64_t done, int64_t total) {
    const char *what = user_data;
    if (total >= 0) {
        printf("  %s: %" PRIu64 " of %" PRId64 " bytes (%.0f%%)\n", what, done, total,
               total > 0 ? 100.0 * (double)done / (double)total : 100.0);
    } else {
        printf("  %s: %" PRIu64 " bytes\n", what, done);
    }
    return 0; /* non-zero would cancel */
}

static int32_t show_task(void *user_data, int32_t state, double progress) {
    static const char *names[] = {"NOT_STARTED", "IN_PROGRESS", "COMPLETE", "CANCELLING", "CANCELLED"};
    (void)user_data;
    printf("  task %s %3.0f%%\n", state >= 0 && state <= 4 ? names[state] : "OTHER", progress * 100.0);
    return 0;
}

static anaplan_task_result *run(anaplan_client *client, const char *name) {
    anaplan_run_options *options = NULL;
    anaplan_task_result *result = NULL;
    TRY("creating run options", anaplan_run_options_new(&options));
    TRY("setting the progress callback", anaplan_run_options_set_progress(options, show_task, NULL));
    TRY("setting the timeout", anaplan_run_options_set_timeout_ms(options, 10 * 60 * 1000));
    printf("Running \"%s\"\n", name);
    TRY(name, anaplan_client_run(client, name, options, &result));
    anaplan_run_options_free(options);
    return result;
}

static void print_head(const char *path, int lines) {
    char line[4096];
    int n = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (n < lines) {
            printf("  %s", line);
        }
        n++;
    }
    fclose(f);
    printf("  ... %d lines in all\n", n);
}

int main(int argc, char **argv) {
    anaplan_config *config = NULL;
    anaplan_client *client = NULL;
    anaplan_list *files = NULL;
    char *id = NULL, *text = NULL, *export_id = NULL;
    size_t count = 0, i;
    const char *user = getenv("ANAPLAN_USER"), *password = getenv("ANAPLAN_PASSWORD");

    if (argc != 5 || user == NULL || password == NULL) {
        fprintf(stderr, "usage: ANAPLAN_USER=... ANAPLAN_PASSWORD=... %s AUTH_URL API_URL DATA_FILE OUTPUT_FILE\n",
                argv[0]);
        return 2;
    }
    printf("libanaplan %s\n", anaplan_version());

    TRY("creating the configuration", anaplan_config_new(&config));
    TRY("setting the auth URL", anaplan_config_set_auth_url(config, argv[1]));
    TRY("setting the API URL", anaplan_config_set_api_url(config, argv[2]));
    TRY("setting the chunk size", anaplan_config_set_chunk_size_mb(config, 1));
    TRY("setting the parallelism", anaplan_config_set_parallelism(config, 4));
    TRY("signing in", anaplan_client_connect_basic(config, user, password, &client));
    anaplan_config_free(config);
    printf("Connected to %s as %s\n", argv[2], user);

    TRY("choosing the workspace", anaplan_client_set_workspace(client, "Financial Planning", &id));
    printf("Workspace: Financial Planning (%s)\n", id);
    anaplan_string_free(id);
    TRY("choosing the model", anaplan_client_set_model(client, "Workforce Planning", &id));
    printf("Model:     Workforce Planning (%s)\n", id);
    anaplan_string_free(id);

    TRY("listing files", anaplan_client_list_files(client, &files));
    TRY("counting files", anaplan_list_count(files, &count));
    printf("Files in the model:\n");
    for (i = 0; i < count; i++) {
        char *name = NULL;
        TRY("reading a file id", anaplan_list_id(files, i, &id));
        TRY("reading a file name", anaplan_list_name(files, i, &name));
        printf("  %s  %s\n", id, name);
        anaplan_string_free(id);
        anaplan_string_free(name);
    }
    anaplan_list_free(files);

    /* Transfer options: this call's progress callback, and any setting that differs from the
       config's (chunk size, chunks in flight, gzip) without signing in again. */
    anaplan_transfer_options *upload = NULL, *download = NULL;
    TRY("making transfer options", anaplan_transfer_options_new(&upload));
    TRY("making transfer options", anaplan_transfer_options_new(&download));
    TRY("setting the progress callback", anaplan_transfer_options_set_progress(upload, show_transfer, "upload"));
    TRY("setting the progress callback", anaplan_transfer_options_set_progress(download, show_transfer, "download"));
    printf("Uploading %s to Employees.csv\n", argv[3]);
    TRY("uploading", anaplan_client_upload_file(client, "Employees.csv", argv[3], upload));
    anaplan_transfer_options_free(upload);

    {
        anaplan_task_result *result = run(client, "Load Employees");
        TRY("summarising the result", anaplan_client_task_summary(client, result, &text));
        printf("%s\n", text);
        anaplan_string_free(text);
        anaplan_task_result_free(result);
    }
    {
        anaplan_task_result *result = run(client, "Employees.csv");
        TRY("reading the export id", anaplan_task_result_object_id(result, &export_id));
        anaplan_task_result_free(result);
    }
    printf("Downloading export %s to %s\n", export_id, argv[4]);
    TRY("downloading", anaplan_client_download_to_file(client, export_id, argv[4], download));
    anaplan_transfer_options_free(download);
    anaplan_string_free(export_id);
    print_head(argv[4], 8);

    TRY("signing out", anaplan_client_free(client));
    printf("Signed out.\n");
    return 0;
}
