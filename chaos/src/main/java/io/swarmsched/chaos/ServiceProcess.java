package io.swarmsched.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A swarmsched service ({@code ingest}, {@code score} or {@code dispatch}) in its own JVM, started
 * the way an operator starts it: {@code swarmsched <command> --swarm.key=value...}, i.e. the cli's
 * main class on this JVM's classpath. When the cli is not on the classpath (this module's own test:
 * the cli depends on this module, not the other way round) the service's own main class is used,
 * which loads the same settings through the same {@code Settings.load}. Used by the chaos harness
 * and by the cli's tests that kill a service as its own process.
 */
public final class ServiceProcess implements AutoCloseable {
  static final String CLI_MAIN = "io.swarmsched.cli.Main";

  /** The JVM options of a service process: a small heap, as a container would give it. */
  public static final List<String> JVM_OPTIONS =
      List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true");

  private static final Map<String, String> OWN_MAIN =
      Map.of(
          "ingest", "io.swarmsched.ingest.HeartbeatIngestApp",
          "score", "io.swarmsched.scoring.streams.ScoringApp",
          "dispatch", "io.swarmsched.dispatcher.DispatcherApp");

  public final String name;
  final String command;
  public final int httpPort;
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
   * {@link #JVM_OPTIONS} and a log configuration written to {@code work}: warnings, swarmsched's
   * own INFO and Streams' state changes, with milliseconds.
   */
  public static List<String> jvmOptions(Path work) throws IOException {
    List<String> options = new ArrayList<>(JVM_OPTIONS);
    options.add("-Dlog4j2.configurationFile=" + writeServiceLogging(work).toUri());
    return options;
  }

  /** System properties {@code chaos.log.<logger>=<LEVEL>} add a logger to every service's log. */
  static final String LOG_LEVEL_PREFIX = "chaos.log.";

  private static Path writeServiceLogging(Path work) throws IOException {
    Files.createDirectories(work);
    Path file = work.resolve("service-log4j2.xml");
    // -Dchaos.log.<logger>=<LEVEL> on the harness JVM: to read why a stall happened (e.g.
    // org.apache.kafka.streams.processor.internals.StreamThread=INFO) without rebuilding
    StringBuilder extra = new StringBuilder();
    for (String name : new java.util.TreeSet<>(System.getProperties().stringPropertyNames())) {
      if (name.startsWith(LOG_LEVEL_PREFIX)) {
        String logger = name.substring(LOG_LEVEL_PREFIX.length());
        String level = System.getProperty(name).trim().toUpperCase(java.util.Locale.ROOT);
        if (!logger.matches("[A-Za-z0-9_.$]+")
            || !level.matches("OFF|FATAL|ERROR|WARN|INFO|DEBUG|TRACE|ALL")) {
          throw new IllegalArgumentException(
              name + "=" + System.getProperty(name) + ": expected chaos.log.<logger>=<level>");
        }
        extra.append("    <Logger name=\"").append(logger).append("\" level=\"").append(level);
        extra.append("\"/>\n");
      }
    }
    Files.writeString(
        file,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- chaos run services: warnings, swarmsched's own INFO, and the Streams config they start with -->
        <Configuration status="WARN">
          <Appenders>
            <Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5p [%t] %c{1} %m%n"/></Console>
          </Appenders>
          <Loggers>
            <Logger name="io.swarmsched" level="INFO"/>
            <Logger name="org.apache.kafka.streams.StreamsConfig" level="INFO"/>
            <Logger name="org.apache.kafka.streams.KafkaStreams" level="INFO"/>
        """
            + extra
            + """
                <Root level="WARN"><AppenderRef ref="out"/></Root>
              </Loggers>
            </Configuration>
            """);
    return file;
  }

  /**
   * True when services run as {@code swarmsched <command>}, false when through their own main
   * classes.
   */
  public static boolean viaCli() {
    try {
      Class.forName(CLI_MAIN, false, ServiceProcess.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * {@code command} as instance {@code name}: HTTP on 127.0.0.1:{@code httpPort}, state in {@code
   * work/state/<name>} (so a restart under the same name finds its state, as a container restarted
   * on its volume does), output appended to {@code work/logs/<name>.log}; {@code settings} are the
   * rest of its {@code --swarm.key=value} flags.
   */
  public static ServiceProcess startInstance(
      String name,
      String command,
      int httpPort,
      Map<String, String> settings,
      List<String> jvmOptions,
      Path work) {
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.put("swarm.http.port", Integer.toString(httpPort));
    all.put("swarm.http.host", "127.0.0.1");
    all.put("swarm.instance.id", name);
    all.put("swarm.state.dir", work.resolve("state").resolve(name).toString());
    return start(name, command, httpPort, all, jvmOptions, work.resolve("logs"));
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

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /**
   * {@code kill -9}: the service gets no chance to commit, flush or leave its group.
   *
   * @return the exit status: 137 (128 + SIGKILL) on Linux when the signal killed it, or -1 if the
   *     process did not end within 30 s
   */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  /** Polls GET /health until it answers 200 (every check UP: Streams RUNNING or REBALANCING). */
  public void awaitHealthy(Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!isAlive()) {
        throw new IllegalStateException(name + " exited during start-up; see " + log);
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                    .timeout(Duration.ofSeconds(3))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        name + " was not healthy within " + timeout.toSeconds() + " s (" + last + "); see " + log);
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
