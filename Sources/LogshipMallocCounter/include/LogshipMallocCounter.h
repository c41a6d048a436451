#ifndef LOGSHIP_MALLOC_COUNTER_H
#define LOGSHIP_MALLOC_COUNTER_H

// Preloaded (LD_PRELOAD) into a process by `logship bench`, this library replaces malloc, calloc,
// realloc, free, posix_memalign, aligned_alloc, memalign, valloc and pvalloc with versions that
// count their calls (relaxed atomics in per-thread slots, so threads do not contend) and forward to
// glibc's own `__libc_*` functions. At exit it writes its counts to the file named by the
// environment variable LOGSHIP_MALLOC_COUNTS_FILE (read when it is loaded), one `name value` pair
// a line: malloc, calloc, realloc, aligned, free, bytes (the sum of the sizes asked for), threads,
// and peak_rss_kib (VmHWM: the peak RSS of this process image, which getrusage's ru_maxrss is not
// for a spawned child: it keeps the parent's RSS from before execve).
// Nothing is written when the variable is unset or the process dies by a signal.
//
// glibc only: `__libc_malloc` and friends are glibc's exported entry points.

#endif
