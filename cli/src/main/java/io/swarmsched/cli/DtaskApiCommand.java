package io.swarmsched.cli;

import io.swarmsched.dtask.DtaskApi;
import io.swarmsched.dtask.DtaskApiConfig;
import io.swarmsched.runtime.config.Settings;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code swarmsched dtask-api}: dtask-scheduler's API as its own process. */
@Command(
    name = "dtask-api",
    mixinStandardHelpOptions = true,
    description =
        "Run dtask-scheduler's HTTP API on one base URL (POST /api/v1/heartbeat, POST"
            + " /api/v1/schedule, GET /api/v1/workers) in front of heartbeat-ingest and the"
            + " dispatcher, so dtask's workers and clients work unchanged.",
    footer = {
      "",
      "Settings: --config FILE, SWARM_* environment variables, --swarm.key=value flags:",
      "swarm.dtask.ingest.url (http://127.0.0.1:8082), swarm.dtask.dispatcher.url",
      "(http://127.0.0.1:8084), swarm.dtask.schedule.wait (3.5s), swarm.dtask.job.timeout (10s),",
      "swarm.http.port (8085). See dtask-api/README.md."
    })
final class DtaskApiCommand extends ServiceCommand {
  @Override
  Map<String, String> serviceDefaults() {
    return DtaskApiConfig.SERVICE_DEFAULTS;
  }

  @Override
  AutoCloseable start(Settings settings, PrintWriter out) throws Exception {
    DtaskApiConfig config = DtaskApiConfig.from(settings);
    DtaskApi api = DtaskApi.start(config);
    out.println(
        "dtask API up: base URL "
            + api.url()
            + " (heartbeat-ingest "
            + config.ingestUrl()
            + ", dispatcher "
            + config.dispatcherUrl()
            + ")");
    return api;
  }
}
