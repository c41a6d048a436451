#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain non-blocking TCP client socket for tests that need to hold a connection open
/// (which curl cannot): reads poll every 10 ms up to a deadline instead of blocking a thread.
final class RawConnection {
    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; nil when the connection fails.
    init?(port: Int) {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socketDescriptor)
            return nil
        }
        _ = fcntl(socketDescriptor, F_SETFL, fcntl(socketDescriptor, F_GETFL) | O_NONBLOCK)
        descriptor = socketDescriptor
    }

    deinit { close(descriptor) }

    /// Sends all of `text`.
    func send(_ text: String) {
        var bytes = Array(text.utf8)
        while !bytes.isEmpty {
            let sent = Glibc.send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL))
            if sent <= 0 { return }
            bytes.removeFirst(sent)
        }
    }

    /// Reads until `condition` holds for what was read, the peer closes, or `timeout` passes.
    /// Returns the text read and whether the peer closed the connection.
    func receive(
        until condition: (String) -> Bool = { _ in false },
        timeout: Duration = .seconds(10)
    ) async throws -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count > 0 {
                received += buffer[..<count]
                if condition(String(decoding: received, as: UTF8.self)) { break }
                continue
            }
            if errno != EAGAIN && errno != EWOULDBLOCK { return (String(decoding: received, as: UTF8.self), true) }
            try await Task.sleep(for: .milliseconds(10))
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}
