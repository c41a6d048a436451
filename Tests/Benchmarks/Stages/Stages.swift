import Benchmark

/// The stage benchmarks of `pipelines/aetherra.yml`, outside `swift test`: each stage's time and
/// allocations on one million generated lines (`AetherraSample`), and a `/metrics` scrape of
/// 10,000 series. Run with `swift package benchmark` (see the README's Performance section).
///
/// An iteration processes the whole sample, so a time per iteration in milliseconds is
/// nanoseconds per line, and allocations per iteration are allocations per million lines.
/// Inputs are prepared before `startMeasurement()`: only the stage itself is measured.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        timeUnits: .milliseconds,
        units: [.mallocCountTotal: .count],
        warmupIterations: 1,
        maxDuration: .seconds(10),
        maxIterations: 20
    )
    InputStages.register()
    TransformStages.register()
    OutputStages.register()
    CheckpointStages.register()
}
