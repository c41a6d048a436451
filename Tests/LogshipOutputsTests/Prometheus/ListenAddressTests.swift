import LogshipOutputs
import Testing

struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:9464", "127.0.0.1", 9464), ("0.0.0.0:9464", "0.0.0.0", 9464), ("[::1]:9464", "::1", 9464),
        (":9464", "0.0.0.0", 9464), ("localhost:0", "localhost", 0), (" 127.0.0.1:65535 ", "127.0.0.1", 65535),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
    }

    @Test(arguments: [
        ("", "it is empty; expected host:port such as 127.0.0.1:9464"),
        ("127.0.0.1", "missing \":port\"; expected host:port such as 127.0.0.1:9464"),
        ("127.0.0.1:", "the port is missing"),
        ("127.0.0.1:http", "the port \"http\" is not a number"),
        ("127.0.0.1:-1", "the port \"-1\" is not a number"),
        ("127.0.0.1:70000", "the port 70000 is outside 0...65535"),
        ("::1:9464", "an IPv6 address must be written in brackets, as in [::1]:9464"),
        ("[::1:9464", "missing \"]\" after the IPv6 address"),
        ("[::1]9464", "expected \":port\" after \"]\""),
        ("[]:9464", "the IPv6 address between brackets is empty"),
    ])
    func rejects(text: String, reason: String) {
        #expect(throws: HTTPServerError.invalidListenAddress(text: text, reason: reason)) {
            try ListenAddress(parsing: text)
        }
    }

    @Test func describesWithBracketsForIPv6() throws {
        #expect(try ListenAddress(parsing: "[::1]:80").description == "[::1]:80")
        #expect(try ListenAddress(parsing: ":80").description == "0.0.0.0:80")
        #expect(
            HTTPServerError.invalidListenAddress(text: "x", reason: "the port is missing").description
                == "invalid listen address \"x\": the port is missing"
        )
    }
}
