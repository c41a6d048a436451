package import LogshipCore

/// One label of a metric derived from events: its name and the field its value comes from.
///
/// The field's value is rendered with `FieldValue.labelText` (strings as they are, numbers and
/// booleans in JSON spelling). A missing field, or one holding null, an array or an object,
/// takes `default`; without a default the event does not update the metric.
package struct LabelDefinition: Sendable, Equatable {
    /// The Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    package var name: String
    /// Where the label value is read.
    package var field: FieldPath
    /// The value used when the field gives none.
    package var `default`: String?

    /// A label `name` read from `field`, with an optional fallback value.
    package init(name: String, field: FieldPath, default: String? = nil) {
        self.name = name
        self.field = field
        self.default = `default`
    }
}
