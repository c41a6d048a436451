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
    /// `configuration.when`, prepared once.
    private let selection: PreparedCondition?

    /// Checks that there is something to add.
    package init(id: String = AddFields.typeName, configuration: Configuration) throws(TransformError) {
        guard !configuration.fields.isEmpty else {
            throw .missingSetting(transform: id, setting: "fields", reason: "list at least one field to add")
        }
        self.id = id
        self.configuration = configuration
        self.selection = configuration.when.map(PreparedCondition.init)
    }

    /// Merges the fields into every event that matches `when`. The values are written into the
    /// batch once; each event refers to them.
    package func apply(to batch: inout EventBatch, statistics: inout TransformStatistics) {
        var applied = 0
        let target = configuration.target.flatMap { $0.segments.isEmpty ? nil : batch.resolve($0) }
        let members = configuration.fields.entries.map { entry in
            (key: batch.key(entry.key), value: batch.store(entry.value))
        }
        let selected = selection?.matches(in: &batch)
        for event in 0..<batch.count where !batch.isDropped(event) {
            if let selected, !selected[event] { continue }
            applied += 1
            guard let target else {
                for member in members {
                    batch.mergeMember(
                        key: member.key,
                        value: member.value,
                        intoEvent: event,
                        overwrite: configuration.overwrite
                    )
                }
                continue
            }
            if let existing = batch.value(at: target.path, in: event), !existing.isObject {
                guard configuration.overwrite else { continue }
                batch.set(target, to: .emptyObject, in: event)
            } else if batch.value(at: target.path, in: event) == nil {
                batch.set(target, to: .emptyObject, in: event)
            }
            guard let object = batch.objectField(at: target, in: event) else { continue }
            for member in members {
                batch.mergeMember(
                    key: member.key,
                    value: member.value,
                    intoObject: object,
                    overwrite: configuration.overwrite
                )
            }
        }
        statistics.add(applied, transform: id, outcome: .success)
    }
}
