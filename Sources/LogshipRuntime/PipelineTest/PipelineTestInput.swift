/// The lines a case feeds to the pipeline.
package struct PipelineTestInput: Sendable {
    /// The bytes, as the file input would read them from a file. A last line without a newline
    /// counts as a line (the file is taken as finished).
    package var bytes: [UInt8]
    /// The pipeline input that reads them (its `id`); `nil` for the pipeline's only input.
    package var inputID: String?
    /// The `log.file.path` the events get; `nil` for the default (see `PipelineTestHarness`).
    package var path: String?
    /// The file name of `input.file`, for the default path; `nil` for inline lines.
    package var fileName: String?
    /// The YAML line of `lines` or `file`, for messages.
    package var line: Int?

    package init(bytes: [UInt8], inputID: String? = nil, path: String? = nil, fileName: String? = nil) {
        self.bytes = bytes
        self.inputID = inputID
        self.path = path
        self.fileName = fileName
    }
}
