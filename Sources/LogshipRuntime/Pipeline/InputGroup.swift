import LogshipTail
import ServiceLifecycle

/// Runs several inputs as one service that returns once all of them have returned.
///
/// For `logship run --once`: each input returns at the end of its files, and the first one to
/// return must not shut the group down while the others are still reading. Graceful shutdown
/// (SIGTERM) reaches every input, as child tasks inherit it.
struct InputGroup: Service {
    let inputs: [FileInput]

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for input in inputs {
                group.addTask { try await input.run() }
            }
        }
    }
}
