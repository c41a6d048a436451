package import LogshipCore
package import LogshipOutputs
package import LogshipTail
package import LogshipTransforms

/// The one registry from YAML type names to components: inputs and outputs are nouns (`file`,
/// `elasticsearch`, `prometheus`), transforms are verbs (`parse_json`, `log_to_metric`).
///
/// A decoder reads its keys from the mapping, reports every problem to the reader (with line and
/// key path) and returns `nil` when the component cannot be built.
package struct ComponentRegistry: Sendable {
    package typealias InputDecoder = @Sendable (ConfigMapping, String) -> FileInputConfiguration?
    package typealias TransformDecoder = @Sendable (ConfigMapping, String) -> PipelineConfiguration.Step?

    package var inputs: [String: InputDecoder]
    package var transforms: [String: TransformDecoder]

    /// Every component logship ships with.
    package static let standard = ComponentRegistry(
        inputs: ["file": fileInput],
        transforms: [
            "parse_json": parseJSON,
            "parse_regex": parseRegex,
            "parse_timestamp": parseTimestamp,
            "add_fields": addFields,
            "filter": filter,
            "log_to_metric": logToMetric,
        ]
    )

    /// The message for a type name nobody registered.
    package static func unknownType(_ type: String, kind: String, known: some Sequence<String>) -> String {
        "unknown \(kind) type '\(type)'; known types: \(known.sorted().joined(separator: ", "))"
    }

    /// Runs a component's own validation and reports its error at the key it names (a
    /// `SettingError`), or at the component. Skipped when a key of the mapping was already
    /// reported, so that one typo gives one error, not two.
    static func validated<T>(_ mapping: ConfigMapping, _ make: () throws -> T) -> T? {
        guard !mapping.hasErrors else { return nil }
        do {
            return try make()
        } catch {
            let setting = (error as? any SettingError)?.setting
            (setting.flatMap(mapping.value(at:)) ?? mapping.value).report("\(error)")
            return nil
        }
    }
}
