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
    package static func returnLargeBlocksToTheKernel(threshold: Int = 1 << 20) {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, Int32(clamping: threshold))
        #endif
    }
}
