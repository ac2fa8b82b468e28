/*
 * check.h: the tiny test helpers shared by the C tests. Each check prints one line ("ok" or
 * "FAIL" with the file, the line and what was seen), and check_finish() gives the exit status, so
 * a failing run shows every failed check, not only the first.
 */
#ifndef ANAPLAN_CHECK_H
#define ANAPLAN_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anaplan.h"

static int checks_run = 0;
static int checks_failed = 0;

/* The last error message of this thread, read without changing it (into a static buffer). */
static const char *last_message(void) {
    static char buf[1024];
    buf[0] = '\0';
    anaplan_last_error_message(buf, sizeof buf, NULL);
    return buf;
}

static void check_status(anaplan_status got, anaplan_status expected, const char *call,
                         const char *file, int line) {
    checks_run++;
    if (got == expected) {
        printf("ok   %s -> %s\n", call, anaplan_status_name(got));
        return;
    }
    checks_failed++;
    printf("FAIL %s:%d: %s -> %s, expected %s (last error: %s)\n", file, line, call,
           anaplan_status_name(got), anaplan_status_name(expected), last_message());
}

static void check_true(int condition, const char *what, const char *file, int line) {
    checks_run++;
    if (condition) {
        printf("ok   %s\n", what);
        return;
    }
    checks_failed++;
    printf("FAIL %s:%d: %s\n", file, line, what);
}

/* EXPECT(call, ANAPLAN_STATUS_X): the call returns that status. */
#define EXPECT(call, expected) check_status((call), (expected), #call, __FILE__, __LINE__)
/* CHECK(condition): the condition holds. */
#define CHECK(condition) check_true((condition) != 0, #condition, __FILE__, __LINE__)
/* CHECK_CONTAINS(text, part): `part` occurs in `text` (printed on failure). */
#define CHECK_CONTAINS(text, part)                                                           \
    do {                                                                                     \
        const char *check_text_ = (text);                                                    \
        check_true(check_text_ != NULL && strstr(check_text_, (part)) != NULL,               \
                   #text " contains \"" part "\"", __FILE__, __LINE__);                      \
        if (check_text_ == NULL || strstr(check_text_, (part)) == NULL)                      \
            printf("     text was: %s\n", check_text_ ? check_text_ : "(NULL)");             \
    } while (0)

/* The whole file at `path` in a malloc'd buffer (its length in *len), or NULL. */
static inline unsigned char *read_all(const char *path, size_t *len) {
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

/* The exit status of the test program: 0 when every check passed. */
static int check_finish(void) {
    printf("%d checks, %d failed\n", checks_run, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif /* ANAPLAN_CHECK_H */
