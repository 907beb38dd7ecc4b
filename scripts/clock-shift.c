/* Moves the calendar clock of a process (and its children) by $SALUR_CLOCK_SHIFT_DAYS days, and
 * nothing else: CLOCK_REALTIME(_COARSE), gettimeofday and time. Monotonic and boot-time clocks are
 * left alone, so timers, sleeps and timeouts behave as usual. scripts/shifted-clock.sh builds and
 * preloads it, so that the test suite can run a second time months ahead and a test that reads
 * today's date instead of an injected clock fails the day it is written.
 *
 * libfaketime would do the same, but under it (0.9.10, even with FAKETIME_DONT_FAKE_MONOTONIC=1)
 * Swift's concurrency runtime waits for ever in Task.sleep. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long shift_seconds(void) {
    static long shift = -1;
    if (shift < 0) {
        const char *days = getenv("SALUR_CLOCK_SHIFT_DAYS");
        shift = days ? atol(days) * 86400L : 0;
        if (shift < 0) shift = 0;
    }
    return shift;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *) = 0;
    if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int result = real(id, ts);
    if (result == 0 && ts && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += shift_seconds();
    return result;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    static int (*real)(struct timeval *, void *) = 0;
    if (!real) real = (int (*)(struct timeval *, void *))dlsym(RTLD_NEXT, "gettimeofday");
    int result = real(tv, tz);
    if (result == 0 && tv) tv->tv_sec += shift_seconds();
    return result;
}

time_t time(time_t *out) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (out) *out = now.tv_sec;
    return now.tv_sec;
}
