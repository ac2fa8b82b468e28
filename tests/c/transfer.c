/*
 * transfer.c: uploads (path, buffer, stream) and downloads (file, buffer, callback) through the C
 * API against the emulator, with progress and cancellation on the calling thread, per-call
 * transfer options (chunk size, parallelism, gzip, progress, cancel token) over the connection's
 * settings, and the misuse cases: a missing file, chunk sizes of 0, 51 and -1 MB, NULL/freed
 * handles, invalid UTF-8.
 * The emulator's URLs come from ANAPLAN_TEST_AUTH_URL and ANAPLAN_TEST_API_URL.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "seed_ids.h"

#define WS SEED_WS
#define MODEL SEED_MODEL
#define SALARIES SEED_FILE_SALARIES
#define MB 1000000

/* What a progress callback saw. */
struct progress {
    pthread_t caller;
    int calls;
    int wrong_thread;
    uint64_t last_done;
    int64_t last_total;
    int cancel_at; /* cancel on this call (1-based); 0: never */
};

static int32_t on_progress(void *user_data, uint64_t done, int64_t total) {
    struct progress *p = user_data;
    p->calls++;
    if (!pthread_equal(pthread_self(), p->caller)) p->wrong_thread++;
    p->last_done = done;
    p->last_total = total;
    return p->cancel_at != 0 && p->calls >= p->cancel_at;
}

/* Transfer options whose progress callback reports to `p`; the caller frees them. */
static anaplan_transfer_options *reporting_to(struct progress *p) {
    anaplan_transfer_options *o = NULL;
    EXPECT(anaplan_transfer_options_new(&o), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_set_progress(o, on_progress, p), ANAPLAN_STATUS_OK);
    return o;
}

/* A progress callback that cancels the token in `user_data` (as another thread would) and
   asks to go on: the transfer stops because of the token. */
static int32_t cancel_token_on_progress(void *user_data, uint64_t done, int64_t total) {
    (void)done;
    (void)total;
    anaplan_cancel_token_cancel(user_data);
    return 0;
}

/* A growing buffer for the write callback; `progress` records the thread it was called on. */
struct sink {
    struct progress progress;
    unsigned char *data;
    size_t len;
    int stop; /* non-zero: refuse the first piece */
};

static int32_t on_write(void *user_data, const uint8_t *data, size_t len) {
    struct sink *s = user_data;
    if (!pthread_equal(pthread_self(), s->progress.caller)) s->progress.wrong_thread++;
    if (s->stop) return 1;
    unsigned char *grown = realloc(s->data, s->len + len);
    if (!grown) return 1;
    memcpy(grown + s->len, data, len);
    s->data = grown;
    s->len += len;
    return 0;
}

/* CSV rows, `len` bytes. */
static unsigned char *csv(size_t len, unsigned seed) {
    unsigned char *out = malloc(len);
    size_t at = 0;
    unsigned long row = 0, x = seed * 2654435761u + 1;
    char line[64];
    while (out && at < len) {
        x = x * 1103515245u + 12345u;
        int n = snprintf(line, sizeof line, "E%07lu,Dept %lu,%lu\n", ++row, x % 13, x % 100003);
        size_t take = (size_t)n < len - at ? (size_t)n : len - at;
        memcpy(out + at, line, take);
        at += take;
    }
    return out;
}

static int write_all(const char *path, const unsigned char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static int entries_in(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    if (d) closedir(d);
    return n;
}

static int same(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen) {
    return a && b && alen == blen && memcmp(a, b, alen) == 0;
}

int main(void) {
    const char *auth_url = getenv("ANAPLAN_TEST_AUTH_URL");
    const char *api_url = getenv("ANAPLAN_TEST_API_URL");
    if (!auth_url || !api_url) {
        printf("FAIL: ANAPLAN_TEST_AUTH_URL and ANAPLAN_TEST_API_URL must be set\n");
        return 2;
    }
    char dir[] = "/tmp/anaplan-c-transfer-XXXXXX";
    if (!mkdtemp(dir)) {
        printf("FAIL: mkdtemp\n");
        return 2;
    }
    char src[256], out[256], missing[256];
    snprintf(src, sizeof src, "%s/source.csv", dir);
    snprintf(out, sizeof out, "%s/out.csv", dir);
    snprintf(missing, sizeof missing, "%s/no-such-file.csv", dir);

    anaplan_config *config = NULL;
    EXPECT(anaplan_config_new(&config), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_auth_url(config, auth_url), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_api_url(config, api_url), ANAPLAN_STATUS_OK);
    /* Chunk sizes of 0 and 51 MB are refused. */
    EXPECT(anaplan_config_set_chunk_size_mb(config, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 51), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_config_set_chunk_size_mb(config, 1), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_config_set_parallelism(config, 3), ANAPLAN_STATUS_OK);
    anaplan_client *client = NULL;
    EXPECT(anaplan_client_connect_basic(config, SEED_USER,
                                        SEED_PASSWORD, &client),
           ANAPLAN_STATUS_OK);
    anaplan_config_free(config);
    if (!client) return check_finish();
    char *id = NULL;
    EXPECT(anaplan_client_set_workspace(client, WS, &id), ANAPLAN_STATUS_OK);
    anaplan_string_free(id);
    EXPECT(anaplan_client_set_model(client, MODEL, &id), ANAPLAN_STATUS_OK);
    anaplan_string_free(id);

    /* Upload from a path: 2.5 MB, three chunks, progress on this thread. */
    size_t len = 2 * MB + MB / 2;
    unsigned char *data = csv(len, 1);
    CHECK(write_all(src, data, len));
    struct progress up = {pthread_self(), 0, 0, 0, 0, 0};
    anaplan_transfer_options *opts = reporting_to(&up);
    EXPECT(anaplan_client_upload_file(client, SALARIES, src, opts), ANAPLAN_STATUS_OK);
    anaplan_transfer_options_free(opts);
    CHECK(up.calls == 3);
    CHECK(up.wrong_thread == 0);
    CHECK(up.last_done == len && up.last_total == (int64_t)len);

    /* Back into a library-owned buffer. */
    uint8_t *back = NULL;
    size_t back_len = 0;
    EXPECT(anaplan_client_download_to_buffer(client, SALARIES, NULL, &back, &back_len),
           ANAPLAN_STATUS_OK);
    CHECK(same(back, back_len, data, len));
    EXPECT(anaplan_buffer_free(back), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_buffer_free(back), ANAPLAN_STATUS_INVALID_HANDLE);

    /* Upload a buffer to the file by name; back through the write callback. */
    size_t len2 = MB + 17;
    unsigned char *data2 = csv(len2, 2);
    EXPECT(anaplan_client_upload_buffer(client, "Salaries.csv", data2, len2, NULL),
           ANAPLAN_STATUS_OK);
    struct sink sink = {{pthread_self(), 0, 0, 0, 0, 0}, NULL, 0, 0};
    opts = reporting_to(&sink.progress);
    EXPECT(anaplan_client_download_to_callback(client, SALARIES, on_write, &sink, opts),
           ANAPLAN_STATUS_OK);
    anaplan_transfer_options_free(opts);
    CHECK(same(sink.data, sink.len, data2, len2));
    CHECK(sink.progress.calls == 2 && sink.progress.last_total == -1);
    CHECK(sink.progress.wrong_thread == 0);
    free(sink.data);

    /* A streamed upload with odd piece sizes, progress on the writing thread (the options are
       freed at once: the stream keeps what they held), then downloaded to a file. */
    anaplan_upload_stream *stream = NULL;
    struct progress streamed = {pthread_self(), 0, 0, 0, 0, 0};
    opts = reporting_to(&streamed);
    EXPECT(anaplan_client_upload_stream(client, SALARIES, -1, opts, &stream), ANAPLAN_STATUS_OK);
    anaplan_transfer_options_free(opts);
    static const size_t pieces[] = {1, 777777, 13, 1000000, 3};
    size_t at = 0;
    for (int i = 0; at < len; i++) {
        size_t n = pieces[i % 5] < len - at ? pieces[i % 5] : len - at;
        EXPECT(anaplan_upload_stream_write(stream, data + at, n), ANAPLAN_STATUS_OK);
        at += n;
    }
    EXPECT(anaplan_upload_stream_finish(stream), ANAPLAN_STATUS_OK);
    CHECK(streamed.calls == 3 && streamed.last_done == len && streamed.last_total == -1);
    CHECK(streamed.wrong_thread == 0);
    EXPECT(anaplan_upload_stream_finish(stream), ANAPLAN_STATUS_INVALID_ARGUMENT);
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_upload_stream_write(stream, data, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    struct progress down = {pthread_self(), 0, 0, 0, 0, 0};
    opts = reporting_to(&down);
    EXPECT(anaplan_client_download_to_file(client, SALARIES, out, opts), ANAPLAN_STATUS_OK);
    anaplan_transfer_options_free(opts);
    size_t file_len = 0;
    unsigned char *file = read_all(out, &file_len);
    CHECK(same(file, file_len, data, len));
    free(file);
    CHECK(down.calls == 3 && down.last_done == len && down.wrong_thread == 0);

    /* A download cancelled by its callbacks leaves the existing file alone and nothing else. */
    CHECK(write_all(out, (const unsigned char *)"old", 3));
    struct progress stop = {pthread_self(), 0, 0, 0, 0, 1};
    opts = reporting_to(&stop);
    EXPECT(anaplan_client_download_to_file(client, SALARIES, out, opts), ANAPLAN_STATUS_CANCELLED);
    anaplan_transfer_options_free(opts);
    CHECK(stop.calls == 1);
    file = read_all(out, &file_len);
    CHECK(same(file, file_len, (const unsigned char *)"old", 3));
    free(file);
    CHECK(entries_in(dir) == 2); /* source.csv and out.csv */
    struct sink refuse = {{pthread_self(), 0, 0, 0, 0, 0}, NULL, 0, 1};
    EXPECT(anaplan_client_download_to_callback(client, SALARIES, on_write, &refuse, NULL),
           ANAPLAN_STATUS_CANCELLED);
    EXPECT(anaplan_client_download_to_callback(client, SALARIES, NULL, NULL, NULL),
           ANAPLAN_STATUS_NULL_ARGUMENT);

    /* An upload cancelled from its callback. */
    struct progress cancel_up = {pthread_self(), 0, 0, 0, 0, 1};
    opts = reporting_to(&cancel_up);
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, data, len, opts), ANAPLAN_STATUS_CANCELLED);
    CHECK_CONTAINS(last_message(), "is left incomplete");
    CHECK_CONTAINS(last_message(), "repeat the whole upload");
    anaplan_transfer_options_free(opts);
    CHECK(cancel_up.calls == 1);

    /* Per-call settings over the connection's (1 MB chunks, 3 in flight): 2 MB chunks, 1 in
       flight, no gzip for this upload only; the next call is back to 1 MB chunks. */
    anaplan_transfer_options *big = NULL;
    EXPECT(anaplan_transfer_options_new(&big), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_set_chunk_size_mb(big, 2), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_set_parallelism(big, 1), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_set_gzip(big, 0), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_set_gzip_level(big, 9), ANAPLAN_STATUS_OK);
    struct progress two = {pthread_self(), 0, 0, 0, 0, 0};
    EXPECT(anaplan_transfer_options_set_progress(big, on_progress, &two), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, data, len, big), ANAPLAN_STATUS_OK);
    CHECK(two.calls == 2); /* 2.5 MB in chunks of 2 MB */
    struct progress one = {pthread_self(), 0, 0, 0, 0, 0};
    opts = reporting_to(&one);
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, data, len, opts), ANAPLAN_STATUS_OK);
    anaplan_transfer_options_free(opts);
    CHECK(one.calls == 3); /* the connection's 1 MB chunks */
    EXPECT(anaplan_client_download_to_buffer(client, SALARIES, big, &back, &back_len),
           ANAPLAN_STATUS_OK);
    CHECK(same(back, back_len, data, len));
    anaplan_buffer_free(back);
    /* Refused settings read as the connection's do, and leave the options as they were. */
    const int32_t bad_mb[] = {0, 51, -1};
    for (int i = 0; i < 3; i++) {
        char expected[128];
        snprintf(expected, sizeof expected,
                 "chunk size %d MB is out of range: Anaplan takes chunks of 1 to 50 MB", bad_mb[i]);
        EXPECT(anaplan_transfer_options_set_chunk_size_mb(big, bad_mb[i]), ANAPLAN_STATUS_OUT_OF_RANGE);
        const char *message = last_message();
        CHECK(message != NULL && strcmp(message, expected) == 0);
        if (message == NULL || strcmp(message, expected) != 0) printf("     message was: %s\n", message);
    }
    EXPECT(anaplan_transfer_options_set_parallelism(big, 0), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_transfer_options_set_parallelism(big, -4), ANAPLAN_STATUS_OUT_OF_RANGE);
    CHECK_CONTAINS(last_message(), "parallelism -4 is out of range");
    EXPECT(anaplan_transfer_options_set_gzip(big, 2), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_transfer_options_set_gzip_level(big, 10), ANAPLAN_STATUS_OUT_OF_RANGE);
    two.calls = 0;
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, data, len, big), ANAPLAN_STATUS_OK);
    CHECK(two.calls == 2);

    /* A cancel token in the options stops the transfer; one cancelled before the call
       touches nothing. */
    anaplan_cancel_token *token = NULL;
    EXPECT(anaplan_cancel_token_new(&token), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_set_cancel_token(big, token), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_set_progress(big, cancel_token_on_progress, token),
           ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_download_to_file(client, SALARIES, out, big), ANAPLAN_STATUS_CANCELLED);
    int32_t cancelled = 0;
    EXPECT(anaplan_cancel_token_is_cancelled(token, &cancelled), ANAPLAN_STATUS_OK);
    CHECK(cancelled == 1);
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, data, len, big), ANAPLAN_STATUS_CANCELLED);
    EXPECT(anaplan_transfer_options_set_cancel_token(big, (anaplan_cancel_token *)client),
           ANAPLAN_STATUS_INVALID_HANDLE);
    anaplan_cancel_token_free(token);
    EXPECT(anaplan_transfer_options_free(big), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_transfer_options_free(big), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, data, len, big), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_transfer_options_new(NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_download_to_buffer(client, SALARIES, NULL, &back, &back_len),
           ANAPLAN_STATUS_OK);
    CHECK(same(back, back_len, data, len)); /* the cancelled upload sent nothing */
    anaplan_buffer_free(back);

    /* A stream freed before finishing is abandoned. */
    EXPECT(anaplan_client_upload_stream(client, SALARIES, (int64_t)len, NULL, &stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_write(stream, data, MB + 1), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_finish(stream), ANAPLAN_STATUS_INVALID_ARGUMENT); /* fewer than announced */
    CHECK_CONTAINS(last_message(), "announced");
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_upload_stream(client, SALARIES, (int64_t)len, NULL, &stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_write(stream, data, 3), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_OK);

    /* Misuse. */
    EXPECT(anaplan_client_upload_file(client, SALARIES, missing, NULL), ANAPLAN_STATUS_IO);
    CHECK_CONTAINS(last_message(), "no-such-file.csv");
    EXPECT(anaplan_client_upload_file(NULL, SALARIES, src, NULL), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_upload_file(client, NULL, src, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_upload_file(client, "Salaries\xff.csv", src, NULL),
           ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, NULL, 5, NULL),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_upload_stream(client, SALARIES, -2, NULL, &stream), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_upload_stream(client, SALARIES, -1, NULL, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_upload_stream_write(NULL, data, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_upload_stream_finish(NULL), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_upload_stream_free(NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_write((anaplan_upload_stream *)client, data, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_download_to_buffer(client, "113999999999", NULL, &back, &back_len),
           ANAPLAN_STATUS_HTTP_ERROR);
    CHECK(anaplan_last_error_http_status() == 404);
    EXPECT(anaplan_client_download_to_buffer(client, SALARIES, NULL, NULL, &back_len),
           ANAPLAN_STATUS_NULL_ARGUMENT);

    EXPECT(anaplan_client_free(client), ANAPLAN_STATUS_OK);
    CHECK(anaplan_debug_live_objects() == 0);
    free(data);
    free(data2);
    unlink(src);
    unlink(out);
    rmdir(dir);
    return check_finish();
}
