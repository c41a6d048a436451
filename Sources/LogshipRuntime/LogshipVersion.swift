/// logship's version, printed by `logship --version` and exported as `logship_build_info`.
package enum LogshipVersion {
    package static let current = "0.1.0"
}
