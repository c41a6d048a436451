import LogshipRuntime
import Testing

struct EnvironmentInterpolationTests {
    let interpolation = EnvironmentInterpolation(environment: ["DIR": "/logs", "EMPTY": "", "PORT": "9464"])

    @Test(arguments: [
        ("${DIR}/*.log", "/logs/*.log"),
        ("${MISSING:-/var/log/aetherra}/*.log", "/var/log/aetherra/*.log"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY}", ""),
        ("127.0.0.1:${PORT}", "127.0.0.1:9464"),
        ("cost: $$5 and $x", "cost: $5 and $x"),
        ("${MISSING:-}", ""),
        ("no variables", "no variables"),
    ])
    func interpolates(text: String, expected: String) throws {
        #expect(try interpolation.interpolate(text) == expected)
    }

    @Test func unsetVariableWithoutDefaultIsNamed() {
        #expect(throws: EnvironmentInterpolation.Failure.unsetVariable("ES_HOSTS")) {
            try interpolation.interpolate("${ES_HOSTS}")
        }
        let failure = EnvironmentInterpolation.Failure.unsetVariable("ES_HOSTS")
        #expect(failure.description.contains("'ES_HOSTS' is not set and has no default"))
    }

    @Test func malformedReferencesAreErrors() {
        #expect(throws: EnvironmentInterpolation.Failure.unterminated) { try interpolation.interpolate("${DIR") }
        #expect(throws: EnvironmentInterpolation.Failure.badName("1X")) { try interpolation.interpolate("${1X}") }
    }
}
