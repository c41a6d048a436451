package import Foundation
package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import LogshipTransforms

/// Loads a pipeline file: YAML, `${VAR}` interpolation, validation of every key. No I/O beyond
/// reading the file itself, so `logship validate` can run it anywhere.
package enum PipelineLoader {
    /// Reads and validates `path`. Throws `ConfigErrors` listing every problem found.
    package static func load(path: String, environment: [String: String]) throws(ConfigErrors) -> PipelineConfiguration
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason =
                FileManager.default.fileExists(atPath: path)
                ? "cannot read the file (\(error.localizedDescription))" : "no such file"
            throw ConfigErrors([ConfigError(file: path, keyPath: "", message: reason)])
        }
        return try parse(text, file: path, environment: environment)
    }

    /// Validates pipeline text; `file` names it in errors.
    package static func parse(
        _ text: String,
        file: String,
        environment: [String: String]
    ) throws(ConfigErrors) -> PipelineConfiguration {
        let reader = ConfigReader(file: file, environment: environment)
        guard let root = reader.root(of: text) else { throw ConfigErrors(reader.errors) }
        let registry = ComponentRegistry.standard
        var configuration = PipelineConfiguration(
            file: file,
            dataDirectory: root["data_dir"]?.string ?? "/var/lib/logship",
            checkpointInterval: root["checkpoint_interval"]?.duration ?? .seconds(1),
            inputs: [],
            steps: [],
            elasticsearch: nil,
            prometheus: nil
        )
        var ids = Set<String>()
        func component(_ item: ConfigValue) -> (ConfigMapping, String, String)? {
            guard let mapping = item.mapping, let type = mapping.required("type")?.string else { return nil }
            // Without an id, a component is named after its type: `parse_json`, then
            // `parse_json_2` for a second one. Ids name components in errors, logs and metrics.
            guard let explicit = mapping["id"]?.string else {
                var id = type
                var number = 1
                while ids.contains(id) {
                    number += 1
                    id = "\(type)_\(number)"
                }
                ids.insert(id)
                return (mapping, type, id)
            }
            if !ids.insert(explicit).inserted { mapping["id"]?.report("duplicate component id '\(explicit)'") }
            let id = explicit
            return (mapping, type, id)
        }
        if let inputs = root.required("inputs")?.sequence {
            if inputs.isEmpty { root["inputs"]?.report("at least one input is needed") }
            for item in inputs {
                guard let (mapping, type, id) = component(item) else { continue }
                if let decode = registry.inputs[type] {
                    if let input = decode(mapping, id) { configuration.inputs.append(input) }
                } else {
                    mapping["type"]?.report(
                        ComponentRegistry.unknownType(type, kind: "input", known: registry.inputs.keys)
                    )
                }
                mapping.finish()
            }
        }
        for item in root["transforms"]?.sequence ?? [] {
            guard let (mapping, type, id) = component(item) else { continue }
            if let decode = registry.transforms[type] {
                if let step = decode(mapping, id) { configuration.steps.append(step) }
            } else {
                mapping["type"]?.report(
                    ComponentRegistry.unknownType(type, kind: "transform", known: registry.transforms.keys)
                )
            }
            mapping.finish()
        }
        if let outputs = root.required("outputs")?.sequence {
            for item in outputs {
                guard let (mapping, type, id) = component(item) else { continue }
                switch type {
                case "elasticsearch":
                    if configuration.elasticsearch != nil {
                        mapping["type"]?.report("only one elasticsearch output per pipeline is supported")
                    }
                    configuration.elasticsearch = ComponentRegistry.elasticsearch(
                        mapping,
                        id: id,
                        dataDirectory: configuration.dataDirectory
                    )
                case "prometheus":
                    if configuration.prometheus != nil {
                        mapping["type"]?.report("only one prometheus output per pipeline is supported")
                    }
                    configuration.prometheus = ComponentRegistry.prometheus(mapping, id: id)
                default:
                    mapping["type"]?.report(
                        ComponentRegistry.unknownType(type, kind: "output", known: ["elasticsearch", "prometheus"])
                    )
                }
                mapping.finish()
            }
            if outputs.isEmpty { root["outputs"]?.report("at least one output is needed") }
        }
        var names = Set<String>()
        for family in configuration.metricFamilies where !names.insert(family.name).inserted {
            root["transforms"]?.report("metric '\(family.name)' is defined by more than one log_to_metric step")
        }
        for problem in Self.sampleNameCollisions(configuration.metricFamilies) { root["transforms"]?.report(problem) }
        if !configuration.metricFamilies.isEmpty && configuration.prometheus == nil {
            root["outputs"]?.report("log_to_metric derives metrics but no prometheus output serves them")
        }
        root.finish()
        guard reader.errors.isEmpty else {
            // In file order, so the list reads like the file (decoders find them in key order).
            throw ConfigErrors(inFileOrder: reader.errors)
        }
        return configuration
    }

    /// Metrics whose names would clash on `/metrics`: a family named like a sample of another
    /// (`foo_count` beside a histogram `foo`, `foo_created` beside a counter `foo_total` in
    /// OpenMetrics, `foo` beside a counter `foo_total`, the family name OpenMetrics gives it), or
    /// one under logship's own `logship_` prefix. Prometheus would drop the clashing samples.
    static func sampleNameCollisions(_ families: [MetricFamily]) -> [String] {
        var owners: [String: String] = [:]
        var problems: [String] = []
        for family in families {
            if family.name.hasPrefix("logship_") {
                problems.append("metric '\(family.name)': the prefix logship_ is logship's own metrics'")
            }
        }
        for family in families {
            let base =
                family.kind == .counter && family.name.hasSuffix("_total")
                ? String(family.name.dropLast(6)) : family.name
            var names: Set = [family.name, base]
            switch family.kind {
            case .counter: names.insert(base + "_created")
            case .gauge: break
            case .histogram: names.formUnion(["_bucket", "_sum", "_count", "_created"].map { family.name + $0 })
            case .summary: names.formUnion(["_sum", "_count", "_created"].map { family.name + $0 })
            }
            for name in names.sorted() {
                if let owner = owners[name], owner != family.name {
                    problems.append(
                        "metrics '\(owner)' and '\(family.name)' both put '\(name)' on /metrics; rename one"
                    )
                } else {
                    owners[name] = family.name
                }
            }
        }
        return problems
    }
}
