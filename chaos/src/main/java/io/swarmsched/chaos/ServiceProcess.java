package io.swarmsched.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A swarmsched service ({@code ingest}, {@code score} or {@code dispatch}) in its own JVM, started
 * the way an operator starts it: {@code swarmsched <command> --swarm.key=value...}, i.e. the cli's
 * main class on this JVM's classpath. When the cli is not on the classpath (this module's own test:
 * the cli depends on this module, not the other way round) the service's own main class is used,
 * which loads the same settings through the same {@code Settings.load}.
 */
final class ServiceProcess implements AutoCloseable {
  static final String CLI_MAIN = "io.swarmsched.cli.Main";
  private static final Map<String, String> OWN_MAIN =
      Map.of(
          "ingest", "io.swarmsched.ingest.HeartbeatIngestApp",
          "score", "io.swarmsched.scoring.streams.ScoringApp",
          "dispatch", "io.swarmsched.dispatcher.DispatcherApp");

  final String name;
  final String command;
  final int httpPort;
  private final Process process;
  private final Path log;

  private ServiceProcess(String name, String command, int httpPort, Process process, Path log) {
    this.name = name;
    this.command = command;
    this.httpPort = httpPort;
    this.process = process;
    this.log = log;
  }

  /**
   * True when services run as {@code swarmsched <command>}, false when through their own main
   * classes.
   */
  static boolean viaCli() {
    try {
      Class.forName(CLI_MAIN, false, ServiceProcess.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static ServiceProcess start(
      String name,
      String command,
      int httpPort,
      Map<String, String> settings,
      List<String> jvmOptions,
      Path logDir) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChildMain.class.getName());
    if (viaCli()) {
      cmd.add(CLI_MAIN);
      cmd.add(command);
    } else {
      cmd.add(
          Optional.ofNullable(OWN_MAIN.get(command))
              .orElseThrow(
                  () -> new IllegalArgumentException("unknown service command " + command)));
    }
    settings.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    Path log = logDir.resolve(name + ".log");
    try {
      Files.createDirectories(logDir);
      ProcessBuilder builder =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().remove("JAVA_TOOL_OPTIONS");
      // the services' SWARM_* environment would override the harness's flags' defaults; drop it
      builder.environment().keySet().removeIf(k -> k.startsWith("SWARM_"));
      return new ServiceProcess(name, command, httpPort, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** {@code kill -9}: the service gets no chance to commit, flush or leave its group. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
