// The compiler's prefetch hint, which Swift cannot spell: loads a cache line ahead of its use
// (the bulk receiver's version table is larger than the caches and read at random).
static inline void logship_prefetch(const void *address) { __builtin_prefetch(address); }
