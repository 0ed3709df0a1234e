package io.swarmsched.cli;

import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.Settings;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code swarmsched ingest}: heartbeat-ingest as its own process. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Run heartbeat-ingest: validated host table, liveness, dead letters, HTTP heartbeat gateway and host queries.",
    footer = {
      "",
      "Settings: --config FILE, SWARM_* environment variables, --swarm.key=value flags (see heartbeat-ingest/README.md)."
    })
final class IngestCommand extends ServiceCommand {
  @Override
  Map<String, String> serviceDefaults() {
    return IngestSettings.SERVICE_DEFAULTS;
  }

  @Override
  AutoCloseable start(Settings settings, PrintWriter out) throws Exception {
    HeartbeatIngestApp app = HeartbeatIngestApp.start(settings);
    out.println("heartbeat-ingest up: HTTP API, /health and /metrics on " + app.url());
    return app;
  }
}
