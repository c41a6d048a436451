import CMalloc

/// Process-wide memory settings of the commands that run a pipeline.
package enum ProcessMemory {
    /// Serves every allocation of `threshold` bytes or more (batch bodies, their layouts, the
    /// compression scratch) from a mapping of its own, so that freeing it gives it back to the
    /// kernel at once.
    ///
    /// Without it glibc raises its threshold to the largest block freed so far (up to 32 MiB) and
    /// then keeps such blocks in its heaps, one per thread that allocated them, where they stay
    /// resident: with 4-8 MiB bulk batches that was 9-23 MiB of peak RSS in `.ci/bench`. The cost
    /// is a fresh mapping (and its page faults) per large block, small beside filling 1 MiB.
    /// Does nothing where the C library is not glibc.
    ///
    /// Free memory at the top of a heap is kept up to `keep` bytes instead of glibc's 128 KiB
    /// (fixed once the mapping threshold is set): the workers free and allocate a few hundred
    /// KiB of scratch per batch, and giving it back each time (`madvise`, about 500 times for a
    /// million lines) cost a page fault per page when it came back and an interrupt to the other
    /// core to flush its TLB; 2-3% of a `--output null` run's CPU. At most `keep` bytes more per
    /// heap (one per worker thread): 1 MiB, as 2 and 4 MiB saved no more faults and kept more
    /// at the peak (62-63 MiB to Elasticsearch on the 985 MB file, against 61).
    package static func returnLargeBlocksToTheKernel(threshold: Int = 1 << 20, keep: Int = 1 << 20) {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, Int32(clamping: threshold))
        _ = mallopt(M_TRIM_THRESHOLD, Int32(clamping: keep))
        #endif
    }
}
