import LogshipOutputs

/// What a SIGHUP does with the pipeline file it loaded: pure, so that each case is tested without
/// signals or processes (`ReloadPlanTests`). `PipelineSupervisor` carries it out.
package enum ReloadPlan: Equatable, Sendable {
    /// Keep the running pipeline; log `reason` as an error.
    case refuse(reason: String)
    /// Stop the running pipeline gracefully and start the loaded one, with `/metrics` as said.
    case apply(metrics: MetricsChange)

    /// What happens to the `/metrics` server.
    package enum MetricsChange: Equatable, Sendable {
        /// Same address: the server stays, answering for the new pipeline (scrapes go on).
        case keep
        /// Bind this address (before the running pipeline stops: a busy port refuses the reload).
        case bind(String)
        /// The new pipeline has no prometheus output: the server closes.
        case close
    }

    /// The plan for replacing `running` with `loaded` (already validated).
    package static func plan(running: PipelineConfiguration, loaded: PipelineConfiguration) -> ReloadPlan {
        guard running.dataDirectory == loaded.dataDirectory else {
            return .refuse(
                reason:
                    "data_dir changed from \(running.dataDirectory) to \(loaded.dataDirectory): checkpoints and metric state live there, so moving it needs a restart; the running pipeline is kept"
            )
        }
        let buffer = running.elasticsearch?.diskBufferPath
        if let buffer, buffer != loaded.elasticsearch?.diskBufferPath {
            return .refuse(
                reason:
                    "the disk buffer \(buffer) would no longer be read (disk_buffer_max_bytes, disk_buffer_path or the output's id changed): what it holds would never be sent; restart once Elasticsearch has taken it (logship_output_disk_buffer_documents 0); the running pipeline is kept"
            )
        }
        switch (running.prometheus?.listen, loaded.prometheus?.listen) {
        case (let old?, let new?) where old == new: return .apply(metrics: .keep)
        case (_, let new?): return .apply(metrics: .bind(new))
        case (_, nil): return .apply(metrics: .close)
        }
    }
}
