package io.swarmsched.cli;

import io.swarmsched.agent.AgentApp;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code swarmsched agent}: the agent daemon on this host. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Run the agent daemon: heartbeats, piece server, downloads and seeding for this host, and"
            + " the jobs assigned to it when it has a jobs command.",
    footer = {
      "",
      "Settings: --config FILE, SWARM_AGENT_* environment variables, --swarm.agent.key=value flags",
      "(host.id, type, idc, location, tags, upload.limit, upload.slots, data.dir, control.port,",
      "jobs.command, max.tasks, ...; see worker-agent/README.md).",
      "",
      "Run jobs: swarmsched agent --swarm.agent.jobs.command='sha256sum' --max-tasks 4"
    })
final class AgentCommand extends ServiceCommand {
  @Option(
      names = "--max-tasks",
      paramLabel = "N",
      description =
          "Most jobs run at once, advertised to the dispatcher (same as --swarm.agent.max.tasks;"
              + " default: the CPU count with a jobs command, 0 without).")
  Integer maxTasks;

  @Override
  Settings settings() {
    if (maxTasks != null) {
      settingsArgs.add("--" + AgentConfig.MAX_TASKS + "=" + maxTasks);
    }
    return super.settings();
  }

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
    out.println(
        config.runsJobs()
            ? "runs jobs: up to "
                + config.maxTasks()
                + " at once through `"
                + config.jobsShell()
                + " -c "
                + config.jobsCommand()
                + "`"
            : "runs no jobs (no " + AgentConfig.JOBS_COMMAND + ")");
    return app;
  }
}
