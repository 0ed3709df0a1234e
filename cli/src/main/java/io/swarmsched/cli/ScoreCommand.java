package io.swarmsched.cli;

import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scoring.streams.ScoringApp;
import io.swarmsched.scoring.streams.ScoringSettings;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code swarmsched score}: scoring-streams as its own process. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description =
        "Run scoring-streams: windowed load state in RocksDB and the LoadQualityScore of every host.",
    footer = {
      "",
      "Settings: --config FILE, SWARM_* environment variables, --swarm.key=value flags (see scoring-streams/README.md)."
    })
final class ScoreCommand extends ServiceCommand {
  @Override
  Map<String, String> serviceDefaults() {
    return ScoringSettings.SERVICE_DEFAULTS;
  }

  @Override
  AutoCloseable start(Settings settings, PrintWriter out) throws Exception {
    ScoringApp app = ScoringApp.start(settings);
    out.println(
        "scoring-streams up: HTTP API, /health and /metrics on http://127.0.0.1:" + app.httpPort());
    return app;
  }
}
