package io.swarmsched.cli;

import io.swarmsched.agent.AgentApp;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code swarmsched agent}: the agent daemon on this host. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Run the agent daemon: heartbeats, piece server, downloads and seeding for this host.",
    footer = {
      "",
      "Settings: --config FILE, SWARM_AGENT_* environment variables, --swarm.agent.key=value flags",
      "(host.id, type, idc, location, tags, upload.limit, upload.slots, data.dir, control.port, ...; see worker-agent/README.md)."
    })
final class AgentCommand extends ServiceCommand {
  @Override
  Map<String, String> serviceDefaults() {
    return Map.of();
  }

  @Override
  AutoCloseable start(Settings settings, PrintWriter out) throws Exception {
    AgentConfig config;
    try {
      config = AgentConfig.from(settings);
    } catch (ConfigException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    AgentApp app = AgentApp.start(config);
    out.printf(
        "agent %s up: pieces on %s, control API on http://127.0.0.1:%d%n",
        config.hostId(), app.agent().pieceServerAddress(), app.controlPort());
    return app;
  }
}
