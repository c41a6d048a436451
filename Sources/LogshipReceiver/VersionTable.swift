import CPrefetch

/// Document versions by id fingerprint: an open-addressing hash table with linear probing that
/// uses the fingerprint's own bits as the hash.
///
/// Swift's `Dictionary` hashes every key again with a seeded SipHash, also when it grows; in the
/// receiver that was a fifth of the CPU per document. Here a lookup is a mask and a compare, and
/// growing moves entries without hashing. Memory: 24 bytes a slot, at most 70% of the slots used,
/// doubling when full; removal shifts the following entries back (no tombstones).
struct VersionTable: Sendable {
    private struct Slot: Sendable {
        var key: DocumentKey
        /// 0 for an empty slot (versions start at 1).
        var version: Int
    }

    private var slots: [Slot] = []
    /// The number of ids held.
    private(set) var count = 0

    private var mask: Int { slots.count - 1 }

    /// Starts loading the slot where a lookup of `key` begins, so that a lookup a few documents
    /// later finds it in the cache: with a million ids the table is far larger than the caches
    /// and every lookup was a miss to memory (a sixth of the receiver's time).
    func prefetch(_ key: DocumentKey) {
        guard !slots.isEmpty else { return }
        slots.withUnsafeBufferPointer { logship_prefetch($0.baseAddress! + (key.bucket & mask)) }
    }

    /// The version of `key`, or nil.
    func version(of key: DocumentKey) -> Int? {
        guard !slots.isEmpty else { return nil }
        var index = key.bucket & mask
        while slots[index].version != 0 {
            if slots[index].key == key { return slots[index].version }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Sets the version of `key`, adding it when new. `version` must be at least 1.
    mutating func setVersion(_ version: Int, for key: DocumentKey) {
        precondition(version >= 1, "versions start at 1")
        if (count + 1) * 10 > slots.count * 7 { grow() }
        var index = key.bucket & mask
        while slots[index].version != 0 {
            if slots[index].key == key {
                slots[index].version = version
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(key: key, version: version)
        count += 1
    }

    /// Removes `key`; returns its version, or nil when it was not there.
    mutating func removeVersion(for key: DocumentKey) -> Int? {
        guard !slots.isEmpty else { return nil }
        var index = key.bucket & mask
        while slots[index].key != key || slots[index].version == 0 {
            if slots[index].version == 0 { return nil }
            index = (index + 1) & mask
        }
        let removed = slots[index].version
        // Backward-shift deletion: move up every following entry whose home is not between the
        // hole and itself, so that no probe sequence is broken.
        var hole = index
        var next = (hole + 1) & mask
        while slots[next].version != 0 {
            let home = slots[next].key.bucket & mask
            let distanceToNext = (next - home) & mask
            let distanceToHole = (hole - home) & mask
            if distanceToHole <= distanceToNext {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole].version = 0
        count -= 1
        return removed
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(key: DocumentKey.zero, version: 0), count: max(16, old.count * 2))
        for slot in old where slot.version != 0 {
            var index = slot.key.bucket & mask
            while slots[index].version != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
