package import LogshipCore
package import LogshipTransforms
import Yams

extension ComponentRegistry {
    /// `type: parse_json`.
    static func parseJSON(_ mapping: ConfigMapping, id: String) -> PipelineConfiguration.Step? {
        var configuration = ParseJSON.Configuration()
        if let field = mapping["field"]?.string { configuration.field = FieldPath(field) }
        if let target = mapping["target"]?.string { configuration.target = target.isEmpty ? nil : FieldPath(target) }
        if let allow = mapping["allow_prefix"]?.bool { configuration.allowPrefix = allow }
        if let field = mapping["prefix_field"]?.string { configuration.prefixField = FieldPath(field) }
        if let overwrite = mapping["overwrite_keys"]?.bool { configuration.overwriteKeys = overwrite }
        if let keep = mapping["keep_original"]?.bool { configuration.keepOriginal = keep }
        configuration.when = condition(mapping["when"], transform: id)
        return validated(mapping) { .transform(try ParseJSON(id: id, configuration: configuration)) }
    }

    /// `type: parse_regex`.
    static func parseRegex(_ mapping: ConfigMapping, id: String) -> PipelineConfiguration.Step? {
        let patternValue = mapping.required("pattern")
        var configuration = ParseRegex.Configuration(pattern: patternValue?.string ?? "")
        if let field = mapping["field"]?.string { configuration.field = FieldPath(field) }
        if let target = mapping["target"]?.string { configuration.target = target.isEmpty ? nil : FieldPath(target) }
        if let overwrite = mapping["overwrite_keys"]?.bool { configuration.overwriteKeys = overwrite }
        configuration.when = condition(mapping["when"], transform: id)
        guard let patternValue else { return nil }
        do {
            return .transform(try ParseRegex(id: id, configuration: configuration))
        } catch {
            patternValue.report("\(error)")
            return nil
        }
    }

    /// `type: parse_timestamp`.
    static func parseTimestamp(_ mapping: ConfigMapping, id: String) -> PipelineConfiguration.Step? {
        var configuration = ParseTimestamp.Configuration()
        if let field = mapping["field"]?.string { configuration.field = FieldPath(field) }
        if let formats = mapping["formats"] {
            let names = TimestampFormat.allCases.map(\.rawValue)
            let parsed = (formats.sequence ?? []).compactMap { item in item.choice(names).flatMap(TimestampFormat.init)
            }
            if parsed.isEmpty { formats.report("list at least one of \(names.joined(separator: ", "))") }
            configuration.formats = parsed
        }
        if let timezone = mapping["timezone"]?.string { configuration.timezone = timezone }
        configuration.when = condition(mapping["when"], transform: id)
        return validated(mapping) { .transform(try ParseTimestamp(id: id, configuration: configuration)) }
    }

    /// `type: add_fields`.
    static func addFields(_ mapping: ConfigMapping, id: String) -> PipelineConfiguration.Step? {
        var configuration = AddFields.Configuration(fields: mapping.required("fields")?.mapping?.fieldObject() ?? [:])
        if let target = mapping["target"]?.string { configuration.target = target.isEmpty ? nil : FieldPath(target) }
        if let overwrite = mapping["overwrite"]?.bool { configuration.overwrite = overwrite }
        configuration.when = condition(mapping["when"], transform: id)
        return validated(mapping) { .transform(try AddFields(id: id, configuration: configuration)) }
    }

    /// `type: filter`: exactly one of `keep` and `drop`, each a condition as `when` takes.
    static func filter(_ mapping: ConfigMapping, id: String) -> PipelineConfiguration.Step? {
        let keep = condition(mapping["keep"], transform: id)
        let drop = condition(mapping["drop"], transform: id)
        switch (keep, drop) {
        case (let keep?, nil):
            return validated(mapping) { .transform(Filter(id: id, rule: .keep(keep))) }
        case (nil, let drop?):
            return validated(mapping) { .transform(Filter(id: id, rule: .drop(drop))) }
        case (.some, .some):
            mapping.value.report("give either keep or drop, not both")
        case (nil, nil):
            mapping.value.report(
                "give keep (the events to keep) or drop (the events to drop), each a condition as `when` takes"
            )
        }
        return nil
    }

    /// `type: log_to_metric`: a list of `metrics`, each with `name`, `type` (counter, gauge,
    /// histogram), `help`, `labels` (label name → field path, or `{field, default}` where `field`
    /// may list several paths, the first that gives a value winning), `value`,
    /// `buckets` and `when`.
    static func logToMetric(_ mapping: ConfigMapping, id: String) -> PipelineConfiguration.Step? {
        guard let items = mapping.required("metrics")?.sequence else { return nil }
        if items.isEmpty { mapping["metrics"]?.report("list at least one metric") }
        var definitions: [MetricDefinition] = []
        for (index, item) in items.enumerated() {
            guard let metric = item.mapping else { continue }
            let name = metric.required("name")?.string ?? ""
            let kindName = metric.required("type")?.choice(MetricKind.allCases.map(\.rawValue))
            var definition = MetricDefinition(name: name, kind: kindName.flatMap(MetricKind.init) ?? .counter)
            if let help = metric["help"]?.string { definition.help = help }
            if let value = metric["value"]?.string { definition.value = FieldPath(value) }
            if let state = metric["state_label"]?.string { definition.stateLabel = state }
            if let others = metric["other_states"]?.choice(["zero", "drop"]) {
                definition.dropsOtherStates = others == "drop"
            }
            if let field = metric["requires_number"]?.string { definition.requiredNumber = FieldPath(field) }
            if let buckets = metric["buckets"]?.sequence { definition.buckets = buckets.compactMap(\.double) }
            if let quantiles = metric["quantiles"]?.sequence { definition.quantiles = quantiles.compactMap(\.double) }
            if let maxAge = metric["max_age"]?.duration { definition.maxAge = maxAge.seconds }
            if let count = metric["age_buckets"]?.int { definition.ageBuckets = count }
            if let count = metric["max_series"]?.int { definition.maximumSeries = count }
            if let expiry = metric["expire_after"]?.duration { definition.expireAfter = expiry.seconds }
            if let labels = metric["labels"]?.mapping {
                for labelName in labels.keys {
                    guard let label = labels[labelName] else { continue }
                    if case .scalar = label.node as Node, let field = label.string {
                        definition.labels.append(LabelDefinition(name: labelName, field: FieldPath(field)))
                    } else if let spec = label.mapping {
                        // `field: a` or `field: [a, b]`: the first that gives a value.
                        let fields = spec.required("field")?.stringList() ?? []
                        if fields.isEmpty { spec["field"]?.report("name at least one field") }
                        definition.labels.append(
                            LabelDefinition(
                                name: labelName,
                                fields: fields.map(FieldPath.init),
                                default: spec["default"]?.string
                            )
                        )
                        spec.finish()
                    }
                }
            }
            definition.when = condition(metric["when"], transform: id)
            metric.finish()
            // Every metric is checked, so that all bad ones are reported at once, each at the
            // key its error names (`metrics[2].name`).
            do {
                try LogToMetric.validate(definition, at: "metrics[\(index)]", transform: id)
                definitions.append(definition)
            } catch {
                (mapping.value(at: error.settingPath) ?? item).report("\(error)")
            }
        }
        guard definitions.count == items.count else { return nil }
        return validated(mapping) { .metrics(try LogToMetric(id: id, metrics: definitions)) }
    }

    /// A Filebeat-style condition: `equals`, `contains`, `regexp`, `range` (maps of field path →
    /// value, substring, pattern or `{gt, gte, lt, lte}`),
    /// `has_fields` (a list), `and`/`or` (lists of conditions), `not` (a condition). Several keys
    /// in one mapping must all hold.
    static func condition(_ value: ConfigValue?, transform: String) -> Condition? {
        guard let value, let mapping = value.mapping else { return nil }
        var parts: [Condition] = []
        let operators: Set = ["equals", "contains", "regexp", "range", "has_fields", "and", "or", "not"]
        for key in mapping.keys where operators.contains(key) {
            guard let item = mapping[key] else { continue }
            switch key {
            case "equals":
                guard let pairs = item.mapping else { continue }
                parts.append(
                    .equals(pairs.keys.compactMap { path in pairs[path]?.fieldValue.map { (FieldPath(path), $0) } })
                )
            case "contains":
                guard let pairs = item.mapping else { continue }
                parts.append(
                    .contains(pairs.keys.compactMap { path in pairs[path]?.string.map { (FieldPath(path), $0) } })
                )
            case "regexp":
                guard let pairs = item.mapping else { continue }
                var patterns: [(path: FieldPath, pattern: RegexPattern)] = []
                for path in pairs.keys {
                    guard let patternValue = pairs[path], let text = patternValue.string else { continue }
                    do {
                        patterns.append(
                            (FieldPath(path), try RegexPattern(text, transform: transform, setting: "when.regexp"))
                        )
                    } catch {
                        patternValue.report("\(error)")
                    }
                }
                parts.append(.regexp(patterns))
            case "range":
                guard let pairs = item.mapping else { continue }
                var ranges: [(path: FieldPath, bounds: NumericRange)] = []
                for path in pairs.keys {
                    guard let spec = pairs[path]?.mapping else {
                        pairs[path]?.report("give bounds: gt, gte, lt, lte")
                        continue
                    }
                    let bounds = NumericRange(
                        above: spec["gt"]?.double,
                        atLeast: spec["gte"]?.double,
                        below: spec["lt"]?.double,
                        atMost: spec["lte"]?.double
                    )
                    spec.finish()
                    if bounds == NumericRange() { pairs[path]?.report("give at least one bound: gt, gte, lt, lte") }
                    ranges.append((FieldPath(path), bounds))
                }
                parts.append(.range(ranges))
            case "has_fields":
                parts.append(.hasFields((item.stringList() ?? []).map(FieldPath.init)))
            case "and", "or":
                let conditions = (item.sequence ?? []).compactMap { condition($0, transform: transform) }
                parts.append(key == "and" ? .and(conditions) : .or(conditions))
            case "not":
                if let inner = condition(item, transform: transform) { parts.append(.not(inner)) }
            default:
                break
            }
        }
        // Any other key was never read, so finish() reports it as unknown, listing the operators.
        for key in operators.sorted() { _ = mapping[key] }
        mapping.finish()
        return parts.count == 1 ? parts[0] : .and(parts)
    }
}
