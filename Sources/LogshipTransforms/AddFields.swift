package import LogshipCore

/// `add_fields`: merges fixed fields into every event, at the root or into the object at
/// `target` (created when absent).
///
/// Existing keys are replaced only with `overwrite`; without it, a non-object value already at
/// `target` is left alone too. The merge is shallow. Every event it applies to counts as
/// `success`.
package struct AddFields: EventTransform {
    /// The YAML type name.
    package static let typeName = "add_fields"

    /// The settings of `add_fields`.
    package struct Configuration: Sendable {
        /// The fields to add; must not be empty.
        package var fields: FieldObject
        /// Where to add them; nil or empty: the root.
        package var target: FieldPath?
        /// Whether they replace fields already in the event.
        package var overwrite: Bool
        /// Only events matching this condition get the fields; others are not counted.
        package var when: Condition?

        /// Settings with Filebeat's defaults: at the root, overwriting.
        package init(fields: FieldObject, target: FieldPath? = nil, overwrite: Bool = true, when: Condition? = nil) {
            self.fields = fields
            self.target = target
            self.overwrite = overwrite
            self.when = when
        }
    }

    /// The component id, used in errors and as the `transform` label of statistics.
    package let id: String
    /// The settings, as validated by `init`.
    package let configuration: Configuration

    /// Checks that there is something to add.
    package init(id: String = AddFields.typeName, configuration: Configuration) throws(TransformError) {
        guard !configuration.fields.isEmpty else {
            throw .missingSetting(transform: id, setting: "fields", reason: "list at least one field to add")
        }
        self.id = id
        self.configuration = configuration
    }

    /// Merges the fields into every event that matches `when`.
    package func apply(to events: inout [Event], statistics: inout TransformStatistics) {
        var applied = 0
        for index in events.indices {
            if let when = configuration.when, !when.matches(events[index]) { continue }
            events[index].fields.merge(
                configuration.fields,
                at: configuration.target,
                overwrite: configuration.overwrite
            )
            applied += 1
        }
        statistics.add(applied, transform: id, outcome: .success)
    }
}
