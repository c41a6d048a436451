package import LogshipCore

/// One label of a metric derived from events: its name and the fields its value comes from.
///
/// The first of `fields` that holds a string, number or boolean gives the value, rendered with
/// `FieldValue.labelText` (strings as they are, numbers and booleans in JSON spelling): the
/// JSON `service`, else the logger of the logging prefix, say. When none does (missing, null, an
/// array or an object), the label takes `default`; without a default the event does not update
/// the metric.
package struct LabelDefinition: Sendable, Equatable {
    /// The Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    package var name: String
    /// Where the label value is read, in order of preference; at least one.
    package var fields: [FieldPath]
    /// The value used when no field gives one.
    package var `default`: String?

    /// A label `name` read from `field`, with an optional fallback value.
    package init(name: String, field: FieldPath, default: String? = nil) {
        self.init(name: name, fields: [field], default: `default`)
    }

    /// A label `name` read from the first of `fields` that gives a value, else `default`.
    package init(name: String, fields: [FieldPath], default: String? = nil) {
        self.name = name
        self.fields = fields
        self.default = `default`
    }
}
