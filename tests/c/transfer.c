/*
 * transfer.c: uploads (path, buffer, stream) and downloads (file, buffer, callback) through the C
 * API against the emulator, with progress and cancellation on the calling thread, and the misuse
 * cases: a missing file, chunk sizes of 0 and 51 MB, NULL/freed handles, invalid UTF-8.
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

/* A growing buffer for the write callback (it shares user_data with on_progress, so both
   live in one struct). */
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

static int32_t on_progress_of_sink(void *user_data, uint64_t done, int64_t total) {
    return on_progress(&((struct sink *)user_data)->progress, done, total);
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

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
    *len = data ? fread(data, 1, (size_t)size, f) : 0;
    fclose(f);
    return data;
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
    EXPECT(anaplan_client_upload_file(client, SALARIES, src, on_progress, &up), ANAPLAN_STATUS_OK);
    CHECK(up.calls == 3);
    CHECK(up.wrong_thread == 0);
    CHECK(up.last_done == len && up.last_total == (int64_t)len);

    /* Back into a library-owned buffer. */
    uint8_t *back = NULL;
    size_t back_len = 0;
    EXPECT(anaplan_client_download_to_buffer(client, SALARIES, NULL, NULL, &back, &back_len),
           ANAPLAN_STATUS_OK);
    CHECK(same(back, back_len, data, len));
    EXPECT(anaplan_buffer_free(back), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_buffer_free(back), ANAPLAN_STATUS_INVALID_HANDLE);

    /* Upload a buffer to the file by name; back through the write callback. */
    size_t len2 = MB + 17;
    unsigned char *data2 = csv(len2, 2);
    EXPECT(anaplan_client_upload_buffer(client, "Salaries.csv", data2, len2, NULL, NULL),
           ANAPLAN_STATUS_OK);
    struct sink sink = {{pthread_self(), 0, 0, 0, 0, 0}, NULL, 0, 0};
    EXPECT(anaplan_client_download_to_callback(client, SALARIES, on_write, on_progress_of_sink, &sink),
           ANAPLAN_STATUS_OK);
    CHECK(same(sink.data, sink.len, data2, len2));
    CHECK(sink.progress.calls == 2 && sink.progress.last_total == -1);
    CHECK(sink.progress.wrong_thread == 0);
    free(sink.data);

    /* A streamed upload with odd piece sizes, then downloaded to a file. */
    anaplan_upload_stream *stream = NULL;
    EXPECT(anaplan_client_upload_stream(client, SALARIES, -1, &stream), ANAPLAN_STATUS_OK);
    static const size_t pieces[] = {1, 777777, 13, 1000000, 3};
    size_t at = 0;
    for (int i = 0; at < len; i++) {
        size_t n = pieces[i % 5] < len - at ? pieces[i % 5] : len - at;
        EXPECT(anaplan_upload_stream_write(stream, data + at, n), ANAPLAN_STATUS_OK);
        at += n;
    }
    EXPECT(anaplan_upload_stream_finish(stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_finish(stream), ANAPLAN_STATUS_INVALID_ARGUMENT);
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_upload_stream_write(stream, data, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    struct progress down = {pthread_self(), 0, 0, 0, 0, 0};
    EXPECT(anaplan_client_download_to_file(client, SALARIES, out, on_progress, &down), ANAPLAN_STATUS_OK);
    size_t file_len = 0;
    unsigned char *file = read_all(out, &file_len);
    CHECK(same(file, file_len, data, len));
    free(file);
    CHECK(down.calls == 3 && down.last_done == len && down.wrong_thread == 0);

    /* A download cancelled by its callbacks leaves the existing file alone and nothing else. */
    CHECK(write_all(out, (const unsigned char *)"old", 3));
    struct progress stop = {pthread_self(), 0, 0, 0, 0, 1};
    EXPECT(anaplan_client_download_to_file(client, SALARIES, out, on_progress, &stop),
           ANAPLAN_STATUS_CANCELLED);
    CHECK(stop.calls == 1);
    file = read_all(out, &file_len);
    CHECK(same(file, file_len, (const unsigned char *)"old", 3));
    free(file);
    CHECK(entries_in(dir) == 2); /* source.csv and out.csv */
    struct sink refuse = {{pthread_self(), 0, 0, 0, 0, 0}, NULL, 0, 1};
    EXPECT(anaplan_client_download_to_callback(client, SALARIES, on_write, NULL, &refuse),
           ANAPLAN_STATUS_CANCELLED);
    EXPECT(anaplan_client_download_to_callback(client, SALARIES, NULL, NULL, NULL),
           ANAPLAN_STATUS_NULL_ARGUMENT);

    /* An upload cancelled from its callback. */
    struct progress cancel_up = {pthread_self(), 0, 0, 0, 0, 1};
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, data, len, on_progress, &cancel_up),
           ANAPLAN_STATUS_CANCELLED);
    CHECK(cancel_up.calls == 1);

    /* A stream freed before finishing is abandoned. */
    EXPECT(anaplan_client_upload_stream(client, SALARIES, (int64_t)len, &stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_write(stream, data, MB + 1), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_finish(stream), ANAPLAN_STATUS_INVALID_ARGUMENT); /* fewer than announced */
    CHECK_CONTAINS(last_message(), "announced");
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_client_upload_stream(client, SALARIES, (int64_t)len, &stream), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_write(stream, data, 3), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_free(stream), ANAPLAN_STATUS_OK);

    /* Misuse. */
    EXPECT(anaplan_client_upload_file(client, SALARIES, missing, NULL, NULL), ANAPLAN_STATUS_IO);
    CHECK_CONTAINS(last_message(), "no-such-file.csv");
    EXPECT(anaplan_client_upload_file(NULL, SALARIES, src, NULL, NULL), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_upload_file(client, NULL, src, NULL, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_upload_file(client, "Salaries\xff.csv", src, NULL, NULL),
           ANAPLAN_STATUS_INVALID_UTF8);
    EXPECT(anaplan_client_upload_buffer(client, SALARIES, NULL, 5, NULL, NULL),
           ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_client_upload_stream(client, SALARIES, -2, &stream), ANAPLAN_STATUS_OUT_OF_RANGE);
    EXPECT(anaplan_client_upload_stream(client, SALARIES, -1, NULL), ANAPLAN_STATUS_NULL_ARGUMENT);
    EXPECT(anaplan_upload_stream_write(NULL, data, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_upload_stream_finish(NULL), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_upload_stream_free(NULL), ANAPLAN_STATUS_OK);
    EXPECT(anaplan_upload_stream_write((anaplan_upload_stream *)client, data, 1), ANAPLAN_STATUS_INVALID_HANDLE);
    EXPECT(anaplan_client_download_to_buffer(client, "113999999999", NULL, NULL, &back, &back_len),
           ANAPLAN_STATUS_HTTP_ERROR);
    CHECK(anaplan_last_error_http_status() == 404);
    EXPECT(anaplan_client_download_to_buffer(client, SALARIES, NULL, NULL, NULL, &back_len),
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
