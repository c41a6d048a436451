// See include/LogshipMallocCounter.h. Written so that counting itself never allocates: no stdio,
// no dlsym (glibc's __libc_* entry points instead), only write(2) at exit.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "LogshipMallocCounter.h"

// swiftc links every library with `-lswiftCore`; this entry, which swift-autolink-extract puts on
// the link line before it, makes the linker drop it (nothing here uses it), so that the library
// preloaded into `cat` or `gzip` does not load the Swift runtime and skew their figures.
__attribute__((section(".swift1_autolink_entries"), used)) static const char autolink_entries[] = "-Wl,--as-needed";

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

enum { MALLOC, CALLOC, REALLOC, ALIGNED, FREE, BYTES, COUNTERS };

// One cache line of counters per slot; threads take slots in turn (more threads than slots share,
// still correct with atomics, only slower).
#define SLOTS 64
struct slot {
    uint64_t counters[COUNTERS];
} __attribute__((aligned(64)));

static struct slot slots[SLOTS];
static uint64_t next_slot;
static __thread int thread_slot __attribute__((tls_model("initial-exec"))) = -1;
static const char *counts_file;

static inline struct slot *current_slot(void) {
    if (__builtin_expect(thread_slot < 0, 0)) {
        thread_slot = (int)(__atomic_fetch_add(&next_slot, 1, __ATOMIC_RELAXED) % SLOTS);
    }
    return &slots[thread_slot];
}

static inline void count(int counter, uint64_t bytes) {
    struct slot *slot = current_slot();
    __atomic_fetch_add(&slot->counters[counter], 1, __ATOMIC_RELAXED);
    if (bytes) __atomic_fetch_add(&slot->counters[BYTES], bytes, __ATOMIC_RELAXED);
}

void *malloc(size_t size) {
    count(MALLOC, size);
    return __libc_malloc(size);
}

void *calloc(size_t number, size_t size) {
    count(CALLOC, number * size);
    return __libc_calloc(number, size);
}

void *realloc(void *pointer, size_t size) {
    count(REALLOC, size);
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer) count(FREE, 0);
    __libc_free(pointer);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    count(ALIGNED, size);
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return ENOMEM;
    *result = pointer;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    count(ALIGNED, size);
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    count(ALIGNED, size);
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    count(ALIGNED, size);
    return __libc_valloc(size);
}

void *pvalloc(size_t size) {
    count(ALIGNED, size);
    return __libc_pvalloc(size);
}

__attribute__((constructor)) static void logship_malloc_counter_load(void) {
    counts_file = getenv("LOGSHIP_MALLOC_COUNTS_FILE");
}

static size_t append_line(char *buffer, size_t at, const char *name, uint64_t value) {
    while (*name) buffer[at++] = *name++;
    buffer[at++] = ' ';
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count) buffer[at++] = digits[--count];
    buffer[at++] = '\n';
    return at;
}

// VmHWM of /proc/self/status in KiB: the peak resident set of this process image. Unlike
// getrusage's ru_maxrss, it starts afresh at execve, so it does not include the RSS of the parent
// that spawned the process. 0 when it cannot be read.
static uint64_t peak_resident_kib(void) {
    static char status[8192];
    int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (file < 0) return 0;
    ssize_t length = 0;
    for (;;) {
        ssize_t result = read(file, status + length, sizeof(status) - 1 - (size_t)length);
        if (result < 0 && errno == EINTR) continue;
        if (result <= 0) break;
        length += result;
    }
    close(file);
    status[length] = 0;
    static const char key[] = "VmHWM:";
    for (ssize_t at = 0; at + (ssize_t)sizeof(key) - 1 <= length; at++) {
        if ((at == 0 || status[at - 1] == '\n') && __builtin_memcmp(status + at, key, sizeof(key) - 1) == 0) {
            uint64_t value = 0;
            const char *digit = status + at + sizeof(key) - 1;
            while (*digit == ' ' || *digit == '\t') digit++;
            while (*digit >= '0' && *digit <= '9') value = value * 10 + (uint64_t)(*digit++ - '0');
            return value;
        }
    }
    return 0;
}

__attribute__((destructor)) static void logship_malloc_counter_unload(void) {
    if (!counts_file || !*counts_file) return;
    uint64_t totals[COUNTERS] = {0};
    for (int slot = 0; slot < SLOTS; slot++) {
        for (int counter = 0; counter < COUNTERS; counter++) {
            totals[counter] += __atomic_load_n(&slots[slot].counters[counter], __ATOMIC_RELAXED);
        }
    }
    char buffer[512];
    size_t length = 0;
    static const char *names[COUNTERS] = {"malloc", "calloc", "realloc", "aligned", "free", "bytes"};
    for (int counter = 0; counter < COUNTERS; counter++) {
        length = append_line(buffer, length, names[counter], totals[counter]);
    }
    length = append_line(buffer, length, "threads", __atomic_load_n(&next_slot, __ATOMIC_RELAXED));
    length = append_line(buffer, length, "peak_rss_kib", peak_resident_kib());
    int file = open(counts_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (file < 0) return;
    size_t written = 0;
    while (written < length) {
        ssize_t result = write(file, buffer + written, length - written);
        if (result < 0 && errno == EINTR) continue;
        if (result <= 0) break;
        written += (size_t)result;
    }
    close(file);
}
