package io.swarmsched.cli;

import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.runtime.config.Settings;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code swarmsched dispatch}: the dispatcher as its own process. */
@Command(
    name = "dispatch",
    mixinStandardHelpOptions = true,
    description =
        "Run the dispatcher: schedule requests to decisions (task DAGs, stage-1 parent selection, back-to-source, seeds).",
    footer = {
      "",
      "Settings: --config FILE, SWARM_* environment variables, --swarm.key=value flags (see dispatcher/README.md)."
    })
final class DispatchCommand extends ServiceCommand {
  @Override
  Map<String, String> serviceDefaults() {
    return DispatcherConfig.SERVICE_DEFAULTS;
  }

  @Override
  AutoCloseable start(Settings settings, PrintWriter out) throws Exception {
    DispatcherApp app = DispatcherApp.start(settings);
    out.println("dispatcher up: HTTP API, /health and /metrics on " + app.url());
    return app;
  }
}
