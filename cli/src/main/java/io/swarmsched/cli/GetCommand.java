package io.swarmsched.cli;

import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.get.SwarmGet;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code swarmsched get URL -O FILE}: download through the swarm. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description =
        "Download a URL through the swarm, with a progress bar; exits non-zero with a one-line reason on failure.",
    footer = {
      "",
      "Uses the local agent daemon when one answers on its control port, else runs an agent in this process.",
      "Exit codes: 0 done, 1 the download failed, 2 bad arguments."
    })
final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "URL", description = "http or https URL of the content.")
  String url;

  @Option(
      names = {"-O", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "Where to write the content.")
  Path output;

  @Option(
      names = "--digest",
      paramLabel = "sha256:HEX",
      description = "Expected digest of the whole content, checked at the end.")
  String digest;

  @Option(
      names = "--tag",
      paramLabel = "TAG",
      description = "Distinguishes tasks of the same URL (default: none).")
  String tag = "";

  @Option(
      names = "--daemon-port",
      paramLabel = "PORT",
      description = "Control port of a local agent daemon (default: ${DEFAULT-VALUE}).")
  int daemonPort = AgentConfig.DEFAULT_CONTROL_PORT;

  @Option(names = "--no-daemon", description = "Always run an agent in this process.")
  boolean noDaemon;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Unmatched List<String> settingsArgs = new ArrayList<>();

  @Override
  public Integer call() {
    Settings settings;
    try {
      settings = Settings.load(settingsArgs.toArray(String[]::new), System.getenv(), Map.of());
    } catch (ConfigException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    if (!settings.unparsedArguments().isEmpty()) {
      throw new CommandFailure("unknown arguments " + settings.unparsedArguments(), 2, null);
    }
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true);
    PrintStream err = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true);
    return SwarmGet.run(
        new SwarmGet.Options(
            url, output, Optional.ofNullable(digest), tag, settings, daemonPort, !noDaemon, !quiet),
        out,
        err);
  }
}
