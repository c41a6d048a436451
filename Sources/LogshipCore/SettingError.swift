/// An error about one setting of a component, named by its configuration key path relative to
/// the component (`compression_level`, `hosts[1]`, `metrics[2].name`), so that the pipeline
/// loader can report it at that key's line instead of at the component's.
package protocol SettingError: Error, CustomStringConvertible {
    /// The key path of the offending setting; `nil` when the error is not about one setting.
    var setting: String? { get }
}
