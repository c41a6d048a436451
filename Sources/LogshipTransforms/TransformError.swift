package import LogshipCore

/// A transform configuration that cannot be used, found when the transform is built (before
/// anything runs).
///
/// Every case names the transform id and the offending setting as a key path relative to the
/// transform's configuration (`pattern`, `metrics[1].labels[0].name`), so that the runtime can
/// prefix the YAML file, line and the transform's own key path.
package enum TransformError: SettingError, Sendable, Equatable {
    /// A required setting is absent.
    case missingSetting(transform: String, setting: String, reason: String)
    /// A setting has a value the transform cannot use.
    case invalidSetting(transform: String, setting: String, reason: String)
    /// A regular expression does not compile or its groups cannot be mapped to fields.
    case invalidPattern(transform: String, setting: String, pattern: String, reason: String)
    /// A name that must be unique (a metric name, a label name) appears twice.
    case duplicateName(transform: String, setting: String, name: String)

    /// The transform id the error is about.
    package var transform: String {
        switch self {
        case .missingSetting(let transform, _, _), .invalidSetting(let transform, _, _),
            .invalidPattern(let transform, _, _, _), .duplicateName(let transform, _, _):
            return transform
        }
    }

    /// The setting's key path relative to the transform's configuration.
    package var settingPath: String {
        switch self {
        case .missingSetting(_, let setting, _), .invalidSetting(_, let setting, _),
            .invalidPattern(_, let setting, _, _), .duplicateName(_, let setting, _):
            return setting
        }
    }

    /// `transform '<id>': <what> '<setting>': <reason>`.
    package var description: String {
        switch self {
        case .missingSetting(let transform, let setting, let reason):
            return "transform '\(transform)': missing setting '\(setting)': \(reason)"
        case .invalidSetting(let transform, let setting, let reason):
            return "transform '\(transform)': invalid setting '\(setting)': \(reason)"
        case .invalidPattern(let transform, let setting, let pattern, let reason):
            return "transform '\(transform)': invalid regular expression in '\(setting)' (\(pattern)): \(reason)"
        case .duplicateName(let transform, let setting, let name):
            return "transform '\(transform)': '\(name)' appears more than once in '\(setting)'"
        }
    }

    /// `SettingError`: the setting, so the pipeline loader can point at its line.
    package var setting: String? { settingPath }
}
