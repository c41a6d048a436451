package import LogshipCore
package import LogshipTail

extension ComponentRegistry {
    /// `type: file`.
    static func fileInput(_ mapping: ConfigMapping, id: String) -> FileInputConfiguration? {
        var configuration = FileInputConfiguration(id: id, paths: [])
        if let paths = mapping.required("paths")?.stringList() {
            configuration.paths = paths
            if paths.isEmpty { mapping["paths"]?.report("list at least one glob pattern") }
        }
        if let exclude = mapping["exclude"]?.stringList() { configuration.exclude = exclude }
        if let readFrom = mapping["read_from"]?.choice(["beginning", "end"]) {
            configuration.readFrom = readFrom == "end" ? .end : .beginning
        }
        if let size = mapping["max_line_bytes"]?.byteSize { configuration.maximumLineBytes = size.bytes }
        if let size = mapping["max_pending_bytes"]?.byteSize { configuration.maximumPendingBytes = size.bytes }
        if let size = mapping["read_buffer_bytes"]?.byteSize { configuration.readBufferBytes = size.bytes }
        if let interval = mapping["rescan_interval"]?.duration { configuration.rescanInterval = interval }
        if let count = mapping["max_batch_events"]?.int { configuration.maximumBatchEvents = count }
        if let duration = mapping["forget_after"]?.duration { configuration.forgetAfter = duration }
        if let count = mapping["max_open_files"]?.int { configuration.maximumOpenFiles = count }
        if let duration = mapping["close_inactive"]?.duration { configuration.closeInactive = duration }
        if let watch = mapping["watch"]?.choice(["inotify", "poll"]) {
            configuration.watch = watch == "poll" ? .poll : .inotify
        }
        if let duration = mapping["poll_interval"]?.duration { configuration.pollInterval = duration }
        if let duration = mapping["max_deleted_hold"]?.duration { configuration.maximumDeletedHold = duration }
        if let duration = mapping["partial_line_timeout"]?.duration { configuration.partialLineTimeout = duration }
        if let fields = mapping["fields"]?.mapping { configuration.fields = fields.fieldObject() }
        if let underRoot = mapping["fields_under_root"]?.bool { configuration.fieldsUnderRoot = underRoot }
        if let multiline = mapping["multiline"]?.mapping {
            let pattern = multiline.required("pattern")
            var settings = MultilineConfiguration(pattern: pattern?.string ?? "")
            if let negate = multiline["negate"]?.bool { settings.negate = negate }
            if let match = multiline["match"]?.choice(["after", "before"]) {
                settings.match = match == "before" ? .before : .after
            }
            if let lines = multiline["max_lines"]?.int { settings.maximumLines = lines }
            if let timeout = multiline["timeout"]?.duration { settings.timeout = timeout }
            multiline.finish()
            do {
                try settings.validate(inputID: id)
                configuration.multiline = settings
            } catch {
                (pattern ?? multiline.value).report("\(error)")
                return nil
            }
        }
        return validated(mapping) {
            try configuration.validate()
            return configuration
        }
    }
}
