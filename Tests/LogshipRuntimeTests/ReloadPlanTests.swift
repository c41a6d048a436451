import LogshipOutputs
import LogshipRuntime
import Testing

/// What a SIGHUP does with the file it loaded (`ReloadPlan`), case by case.
struct ReloadPlanTests {
    func pipeline(
        dataDir: String = "/var/lib/logship",
        listen: String? = "127.0.0.1:9464"
    ) throws -> PipelineConfiguration {
        var text = """
            data_dir: \(dataDir)
            inputs: [{type: file, paths: [/tmp/*.log]}]
            outputs:
              - type: elasticsearch
                hosts: http://localhost:9200
            """
        if let listen { text += "\n  - type: prometheus\n    listen: \(listen)" }
        return try PipelineLoader.parse(text, file: "test.yml", environment: [:])
    }

    @Test func theMetricsServerStaysMovesOrCloses() throws {
        let running = try pipeline()
        #expect(ReloadPlan.plan(running: running, loaded: try pipeline()) == .apply(metrics: .keep))
        #expect(
            ReloadPlan.plan(running: running, loaded: try pipeline(listen: "0.0.0.0:9464"))
                == .apply(metrics: .bind("0.0.0.0:9464"))
        )
        #expect(ReloadPlan.plan(running: running, loaded: try pipeline(listen: nil)) == .apply(metrics: .close))
        #expect(
            ReloadPlan.plan(running: try pipeline(listen: nil), loaded: running)
                == .apply(metrics: .bind("127.0.0.1:9464"))
        )
    }

    @Test func aDiskBufferLeftBehindIsRefused() throws {
        var running = try pipeline()
        running.elasticsearch?.diskBufferPath = "/var/lib/logship/buffer-elasticsearch"
        var loaded = running
        #expect(ReloadPlan.plan(running: running, loaded: loaded) == .apply(metrics: .keep))
        loaded.elasticsearch?.diskBufferPath = nil
        guard case .refuse(let reason) = ReloadPlan.plan(running: running, loaded: loaded) else {
            Issue.record("not refused")
            return
        }
        #expect(reason.hasPrefix("the disk buffer /var/lib/logship/buffer-elasticsearch would no longer be read"))
        // Turning one on is fine.
        #expect(ReloadPlan.plan(running: loaded, loaded: running) == .apply(metrics: .keep))
    }

    /// A server bound before its pipeline is built (at start, or on a new address in a reload)
    /// is alive but not ready, and serves no metrics yet.
    @Test func aServerWithoutItsPipelineIsNotReady() {
        let starting = PipelineRunner.startingEndpoints
        #expect(starting.health().healthy && !starting.ready().healthy)
        #expect(starting.render(.text).isEmpty && !starting.status().delivering)
    }

    @Test func anotherDataDirectoryIsRefused() throws {
        let plan = ReloadPlan.plan(running: try pipeline(), loaded: try pipeline(dataDir: "/srv/logship"))
        guard case .refuse(let reason) = plan else {
            Issue.record("not refused: \(plan)")
            return
        }
        #expect(reason.hasPrefix("data_dir changed from /var/lib/logship to /srv/logship"))
        #expect(reason.contains("needs a restart"))
    }
}
