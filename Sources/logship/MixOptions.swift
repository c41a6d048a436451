import ArgumentParser
import LogshipRuntime

/// The proportions of the generated Aetherra events, shared by `generate` and `bench`.
struct MixOptions: ParsableArguments {
    @Option(name: .long, help: "Percent of events that are bare JSON metric lines.")
    var jsonPercent: Int = AetherraLogGenerator.Mix.standard.bareJSONPercent

    @Option(name: .long, help: "Percent of events that are JSON metric lines after a logging prefix.")
    var prefixedJsonPercent: Int = AetherraLogGenerator.Mix.standard.prefixedJSONPercent

    @Option(name: .long, help: "Percent of events that are five-line tracebacks (the rest are plain lines).")
    var tracebackPercent: Int = AetherraLogGenerator.Mix.standard.tracebackPercent

    var mix: AetherraLogGenerator.Mix {
        AetherraLogGenerator.Mix(
            bareJSONPercent: jsonPercent,
            prefixedJSONPercent: prefixedJsonPercent,
            tracebackPercent: tracebackPercent
        )
    }

    func validate() throws {
        if let problem = mix.problem { throw ValidationError("invalid mix: \(problem)") }
    }
}
