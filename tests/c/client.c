/*
 * client.c: connecting through the C API against the emulator: basic sign-in, a refused password,
 * CA-certificate sign-in from files and from memory (plain and encrypted keys, v1 and v2 formats),
 * bad passphrases and formats, the log callback (on the calling thread, never a secret), one client
 * used from four threads at once, wrong handle types, and freeing (which signs out: the harness
 * checks on the emulator that no token is left once this program ends).
 *
 * Environment (set by tests/c_abi.rs):
 *   ANAPLAN_TEST_AUTH_URL, ANAPLAN_TEST_API_URL: the emulator;
 *   ANAPLAN_TEST_STRICT_AUTH_URL, ANAPLAN_TEST_STRICT_API_URL: an emulator refusing the v1 format;
 *   ANAPLAN_TEST_PKI_DIR: certificates and keys made with openssl (anaplan_test_pki::sign_in);
 *   ANAPLAN_TEST_PASSPHRASE: the passphrase of the encrypted keys there.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "seed_ids.h"

#define USER SEED_USER
#define PASSWORD SEED_PASSWORD
#define WRONG_PASSWORD "Wrong-Pass-Never-Logged-42"
#define WRONG_PASSPHRASE "Wrong-Passphrase-Never-Shown-17"
#define CERT_USER SEED_CERT_USER
#define THREADS 4
#define CALLS_PER_THREAD 20

static const char *auth_url, *api_url, *strict_auth_url, *strict_api_url, *pki_dir, *passphrase;

/* ---- The log callback: counts lines, and any line that breaks a rule. ---- */

static pthread_t main_thread;
/* Set by the worker threads of the concurrency test while they call the library. */
static _Thread_local int in_worker = 0;
static atomic_int log_lines;
static atomic_int log_lines_off_thread;   /* not on a thread that was calling the library */
static atomic_int log_lines_with_secret;  /* holding a password or passphrase */
static atomic_int log_lines_with_request; /* "GET /2/0/workspaces..." */
static atomic_int log_lines_signed_out;
static atomic_int log_bad_level;

static void on_log(void *user_data, int32_t level, const char *message) {
    atomic_int *calls = user_data;
    atomic_fetch_add(calls, 1);
    atomic_fetch_add(&log_lines, 1);
    if (!in_worker && !pthread_equal(pthread_self(), main_thread))
        atomic_fetch_add(&log_lines_off_thread, 1);
    if (level < ANAPLAN_LOG_ERROR || level > ANAPLAN_LOG_DEBUG) atomic_fetch_add(&log_bad_level, 1);
    if (strstr(message, PASSWORD) || strstr(message, WRONG_PASSWORD) ||
        strstr(message, WRONG_PASSPHRASE) || (passphrase && strstr(message, passphrase)))
        atomic_fetch_add(&log_lines_with_secret, 1);
    if (strstr(message, "GET /2/0/workspaces")) atomic_fetch_add(&log_lines_with_request, 1);
    if (strstr(message, "signed out")) atomic_fetch_add(&log_lines_signed_out, 1);
}

/* The user_data given with the callback, handed back on every line. */
static atomic_int callback_user_data;

/* ---- Helpers. ---- */

static anaplan_config *config_for(const char *auth, const char *api, int with_log) {
    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_auth_url(config, auth), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_api_url(config, api), ANAPLAN_STATUS_OK);
    if (with_log)
        EXPECT(anaplan_config_set_log_callback(config, on_log, &callback_user_data,
                                               ANAPLAN_LOG_DEBUG),
               ANAPLAN_STATUS_OK);
    return config;
}

/* The signed-in user's e-mail is in the current user's JSON. */
static void check_user(anaplan_client *client, const char *email) {
    char *json = NULL;
    EXPECT(anaplan_client_current_user_json(client, &json), ANAPLAN_STATUS_OK);
    char expected[128];
    snprintf(expected, sizeof expected, "\"email\":\"%s\"", email);
    check_true(json != NULL && strstr(json, expected) != NULL, expected, __FILE__, __LINE__);
    anaplan_string_free(json);
}

static char *path_of(const char *name) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", pki_dir, name);
    return path;
}

/* The whole file, malloc'd; NULL (and a failed check) when it cannot be read. */
static unsigned char *read_file(const char *name, size_t *len) {
    FILE *f = fopen(path_of(name), "rb");
    CHECK(f != NULL);
    if (!f) return NULL;
    unsigned char *data = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? cap * 2 : 4096;
            unsigned char *bigger = realloc(data, cap);
            if (!bigger) break;
            data = bigger;
        }
        size_t n = fread(data + size, 1, cap - size, f);
        if (n == 0) break;
        size += n;
    }
    fclose(f);
    *len = size;
    return data;
}

/* Clients made with a logging config and freed: each free logs "signed out". */
static int logged_clients_freed = 0;

static void free_logged(anaplan_client *client) {
    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    logged_clients_freed++;
}

/* Signs in with a certificate file and key file, checks the user, frees the client. */
static void cert_files_ok(const anaplan_config *config, const char *cert, const char *key,
                          const char *pass, int32_t format) {
    printf("-- certificate %s, key %s, %s, format v%d\n", cert, key,
           pass ? "with passphrase" : "no passphrase", (int)format);
    char cert_path[4096];
    snprintf(cert_path, sizeof cert_path, "%s", path_of(cert));
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_certificate_files(config, cert_path, path_of(key), pass, format,
                                                    &client),
           ANAPLAN_STATUS_OK);
    if (!client) return;
    check_user(client, CERT_USER);
    free_logged(client);
}

/* ---- The tests. ---- */

static void basic_sign_in(void) {
    printf("-- basic sign-in\n");
    anaplan_client *client = NULL;
    /* A NULL config means Anaplan production, which this offline test cannot reach: it is
       checked up to the arguments (nothing is sent when they are wrong). */
    EXPECT(anaplan_client_connect_basic(NULL, NULL, PASSWORD, &client),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_connect_basic(NULL, USER, "\xff", &client), ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_connect_basic(NULL, USER, PASSWORD, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    CHECK(client == NULL);

    anaplan_config *config = config_for(auth_url, api_url, 1);
    EXPECT(anaplan_client_connect_basic(config, USER, PASSWORD, &client), ANAPLAN_STATUS_OK);
    /* The connection copied the settings: the config can go at once. */
    EXPECT(anaplan_config_free(config), ANAPLAN_STATUS_OK);
    CHECK(client != NULL);
    if (!client) return;
    check_user(client, USER);
    anaplan_list *list = NULL;
    EXPECT(anaplan_client_list_workspaces(client, &list), ANAPLAN_STATUS_OK);
    size_t n = 0;
    EXPECT(anaplan_list_count(list, &n), ANAPLAN_STATUS_OK);
    CHECK(n == 2);
    anaplan_list_free(list);

    /* The log callback ran, on this thread, with its user data, and showed the requests. */
    CHECK(atomic_load(&log_lines) > 0);
    CHECK(atomic_load(&callback_user_data) == atomic_load(&log_lines));
    CHECK(atomic_load(&log_lines_with_request) > 0);
    CHECK(atomic_load(&log_lines_off_thread) == 0);
    CHECK(atomic_load(&log_bad_level) == 0);

    /* Freeing signs out (logged) and retires the handle. */
    int signed_out_before = atomic_load(&log_lines_signed_out);
    free_logged(client);
    CHECK(atomic_load(&log_lines_signed_out) == signed_out_before + 1);
    EXPECT(anaplan_client_list_workspaces(client, &list), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_current_user_json(client, &(char *){NULL}),
           ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_INVALID_HANDLE); /* double free */
    EXPECT(anaplan_client_free(NULL), ANAPLAN_STATUS_OK);
    CHECK(atomic_load(&log_lines_signed_out) == signed_out_before + 1);
}

static void wrong_password(void) {
    printf("-- a wrong password\n");
    anaplan_config *config = config_for(auth_url, api_url, 1);
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_basic(config, USER, WRONG_PASSWORD, &client),
           ANAPLAN_STATUS_AUTH);
    CHECK(client == NULL);
    CHECK(anaplan_last_error_http_status() == 401);
    CHECK_CONTAINS(last_message(), USER);
    CHECK(strstr(last_message(), WRONG_PASSWORD) == NULL);
    /* An unknown user is refused the same way. */
    EXPECT(anaplan_client_connect_basic(config, "nobody@example.com", PASSWORD, &client),
           ANAPLAN_STATUS_AUTH);
    CHECK(anaplan_last_error_http_status() == 401);
    CHECK(strstr(last_message(), PASSWORD) == NULL);
    anaplan_config_free(config);
}

static void certificates(void) {
    anaplan_config *config = config_for(auth_url, api_url, 1);
    anaplan_config *strict = config_for(strict_auth_url, strict_api_url, 1);

    cert_files_ok(config, "cert.pem", "key8.pem", NULL, ANAPLAN_CERT_FORMAT_V2);
    cert_files_ok(config, "cert.pem", "key8-enc.pem", passphrase, ANAPLAN_CERT_FORMAT_V2);
    cert_files_ok(config, "cert.pem", "key1.pem", NULL, ANAPLAN_CERT_FORMAT_V2);
    cert_files_ok(config, "cert.der", "key8.der", NULL, ANAPLAN_CERT_FORMAT_V2);
    cert_files_ok(config, "cert.pem", "key8.pem", NULL, ANAPLAN_CERT_FORMAT_V1);
    cert_files_ok(config, "cert.pem", "key8-enc.pem", passphrase, ANAPLAN_CERT_FORMAT_V1);
    /* Against a service that refuses v1, v2 signs in and v1 is refused: the format is honoured. */
    cert_files_ok(strict, "cert.pem", "key8-enc.pem", passphrase, ANAPLAN_CERT_FORMAT_V2);
    printf("-- v1 against a service that refuses it\n");
    anaplan_client *client = NULL;
    char cert_path[4096];
    snprintf(cert_path, sizeof cert_path, "%s", path_of("cert.pem"));
    EXPECT(anaplan_client_connect_certificate_files(strict, cert_path, path_of("key8.pem"), NULL,
                                                    ANAPLAN_CERT_FORMAT_V1, &client),
           ANAPLAN_STATUS_AUTH);
    CHECK(anaplan_last_error_http_status() == 401);
    CHECK(client == NULL);

    printf("-- certificate and key in memory\n");
    size_t cert_len = 0, key_len = 0, der_len = 0, der_key_len = 0;
    unsigned char *cert = read_file("cert.pem", &cert_len);
    unsigned char *key = read_file("key8-enc.pem", &key_len);
    unsigned char *der = read_file("cert.der", &der_len);
    unsigned char *der_key = read_file("key1.der", &der_key_len);
    if (cert && key && der && der_key) {
        EXPECT(anaplan_client_connect_certificate_memory(config, cert, cert_len, key, key_len,
                                                         passphrase, ANAPLAN_CERT_FORMAT_V2,
                                                         &client),
               ANAPLAN_STATUS_OK);
        if (client) check_user(client, CERT_USER);
        free_logged(client);
        client = NULL;
        EXPECT(anaplan_client_connect_certificate_memory(config, der, der_len, der_key,
                                                         der_key_len, NULL,
                                                         ANAPLAN_CERT_FORMAT_V1, &client),
               ANAPLAN_STATUS_OK);
        if (client) check_user(client, CERT_USER);
        free_logged(client);
        client = NULL;

        printf("-- a wrong passphrase, a missing one, a format that does not exist\n");
        EXPECT(anaplan_client_connect_certificate_memory(config, cert, cert_len, key, key_len,
                                                         WRONG_PASSPHRASE,
                                                         ANAPLAN_CERT_FORMAT_V2, &client),
               ANAPLAN_STATUS_CREDENTIALS);
        CHECK(client == NULL);
        CHECK(strstr(last_message(), WRONG_PASSPHRASE) == NULL);
        CHECK(strstr(last_message(), passphrase) == NULL);
        CHECK(strstr(last_message(), "PRIVATE KEY") == NULL); /* no key material either */
        EXPECT(anaplan_client_connect_certificate_memory(config, cert, cert_len, key, key_len,
                                                         NULL, ANAPLAN_CERT_FORMAT_V2, &client),
               ANAPLAN_STATUS_CREDENTIALS);
        EXPECT(anaplan_client_connect_certificate_memory(config, cert, cert_len, key, key_len,
                                                         passphrase, 3, &client),
               ANAPLAN_STATUS_OUT_OF_RANGE);
        CHECK_CONTAINS(last_message(), "format");
        EXPECT(anaplan_client_connect_certificate_memory(config, cert, 0, key, key_len,
                                                         passphrase, ANAPLAN_CERT_FORMAT_V2,
                                                         &client),
               ANAPLAN_STATUS_CREDENTIALS);
        EXPECT(anaplan_client_connect_certificate_memory(config, NULL, cert_len, key, key_len,
                                                         passphrase, ANAPLAN_CERT_FORMAT_V2,
                                                         &client),
               ANAPLAN_STATUS_NULL_ARGUMENT);
        CHECK(client == NULL);
    }
    free(cert);
    free(key);
    free(der);
    free(der_key);

    EXPECT(anaplan_client_connect_certificate_files(config, cert_path, path_of("key8-enc.pem"),
                                                    WRONG_PASSPHRASE, ANAPLAN_CERT_FORMAT_V2,
                                                    &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK(strstr(last_message(), WRONG_PASSPHRASE) == NULL);
    EXPECT(anaplan_client_connect_certificate_files(config, cert_path, path_of("key8.pem"), NULL,
                                                    0, &client),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_connect_certificate_files(config, cert_path, path_of("key8.pem"), NULL,
                                                    -1, &client),
           ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_connect_certificate_files(config, cert_path, path_of("missing.pem"),
                                                    NULL, ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_IO);
    CHECK_CONTAINS(last_message(), "missing.pem");
    /* A key that is not the certificate's is refused before anything is sent. */
    EXPECT(anaplan_client_connect_certificate_files(config, cert_path, path_of("other.pem"), NULL,
                                                    ANAPLAN_CERT_FORMAT_V2, &client),
           ANAPLAN_STATUS_CREDENTIALS);
    CHECK_CONTAINS(last_message(), "does not belong to the certificate");
    CHECK(client == NULL);

    anaplan_config_free(config);
    anaplan_config_free(strict);
}

static void wrong_handle_types(void) {
    printf("-- a config where a client is expected\n");
    anaplan_config *config = config_for(auth_url, api_url, 0);
    anaplan_list *list = NULL;
    anaplan_client *not_a_client = (anaplan_client *)config;
    EXPECT(anaplan_client_list_workspaces(not_a_client, &list), ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK_CONTAINS(last_message(), "anaplan_client");
    EXPECT(anaplan_client_free(not_a_client), ANAPLAN_STATUS_INVALID_HANDLE);
    /* Nothing happened to the config. */
    EXPECT(anaplan_config_set_locale(config, "en_GB"), ANAPLAN_STATUS_OK);
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_basic(config, USER, PASSWORD, &client), ANAPLAN_STATUS_OK);
    /* ... and a client where a config is expected. */
    EXPECT(anaplan_config_set_locale((anaplan_config *)client, "en_GB"),
           ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_config_free((anaplan_config *)client), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_connect_basic((anaplan_config *)client, USER, PASSWORD, &client),
           ANAPLAN_STATUS_INVALID_HANDLE);
    int local = 0;
    EXPECT(anaplan_client_free((anaplan_client *)&local), ANAPLAN_STATUS_INVALID_HANDLE);
    CHECK(local == 0);
    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    anaplan_config_free(config);
}

/* ---- One client, four threads. ---- */

struct worker {
    anaplan_client *client;
    int ok;     /* calls that returned OK with both workspaces */
    int failed; /* calls that did not */
};

static void *list_workspaces_repeatedly(void *arg) {
    struct worker *w = arg;
    in_worker = 1;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        anaplan_list *list = NULL;
        size_t n = 0;
        if (anaplan_client_list_workspaces(w->client, &list) == ANAPLAN_STATUS_OK &&
            anaplan_list_count(list, &n) == ANAPLAN_STATUS_OK && n == 2)
            w->ok++;
        else
            w->failed++;
        anaplan_list_free(list);
    }
    in_worker = 0;
    return NULL;
}

static void four_threads(void) {
    printf("-- one client, %d threads, %d calls each\n", THREADS, CALLS_PER_THREAD);
    anaplan_config *config = config_for(auth_url, api_url, 1);
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_basic(config, USER, PASSWORD, &client), ANAPLAN_STATUS_OK);
    anaplan_config_free(config);
    if (!client) return;
    int requests_before = atomic_load(&log_lines_with_request);
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    int started = 0;
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){client, 0, 0};
        if (pthread_create(&threads[i], NULL, list_workspaces_repeatedly, &workers[i]) == 0)
            started++;
    }
    CHECK(started == THREADS);
    int ok = 0, failed = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
        ok += workers[i].ok;
        failed += workers[i].failed;
    }
    printf("     %d calls OK, %d failed\n", ok, failed);
    CHECK(ok == THREADS * CALLS_PER_THREAD);
    CHECK(failed == 0);
    /* Every request was logged, each on the thread that made it. */
    CHECK(atomic_load(&log_lines_with_request) - requests_before >= THREADS * CALLS_PER_THREAD);
    CHECK(atomic_load(&log_lines_off_thread) == 0);
    free_logged(client);
}

int main(void) {
    auth_url = getenv("ANAPLAN_TEST_AUTH_URL");
    api_url = getenv("ANAPLAN_TEST_API_URL");
    strict_auth_url = getenv("ANAPLAN_TEST_STRICT_AUTH_URL");
    strict_api_url = getenv("ANAPLAN_TEST_STRICT_API_URL");
    pki_dir = getenv("ANAPLAN_TEST_PKI_DIR");
    passphrase = getenv("ANAPLAN_TEST_PASSPHRASE");
    if (!auth_url || !api_url || !strict_auth_url || !strict_api_url || !pki_dir || !passphrase) {
        printf("FAIL: the ANAPLAN_TEST_* variables must be set (see the top of client.c)\n");
        return 2;
    }
    main_thread = pthread_self();

    basic_sign_in();
    wrong_password();
    certificates();
    wrong_handle_types();
    four_threads();

    printf("-- the log, all along\n");
    printf("     %d log lines\n", atomic_load(&log_lines));
    CHECK(atomic_load(&log_lines_with_secret) == 0);
    CHECK(atomic_load(&log_lines_off_thread) == 0);
    CHECK(atomic_load(&log_bad_level) == 0);
    /* Every client freed said so in the log. */
    printf("     %d clients freed, %d signed out\n", logged_clients_freed,
           atomic_load(&log_lines_signed_out));
    CHECK(logged_clients_freed > 0);
    CHECK(atomic_load(&log_lines_signed_out) == logged_clients_freed);

    printf("-- nothing left behind\n");
    CHECK(anaplan_debug_live_objects() == 0);
    return check_finish();
}
