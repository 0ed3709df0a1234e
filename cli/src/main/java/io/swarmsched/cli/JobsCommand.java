package io.swarmsched.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code swarmsched jobs ...}: the dispatcher's jobs API (submit, get, cancel, list) for people who
 * do not want curl. Every subcommand exits 0 when it did what was asked, 1 with a one-line reason
 * when it could not (unknown job, dispatcher unreachable, a job that failed under {@code --wait}),
 * 2 on bad arguments.
 */
@Command(
    name = "jobs",
    mixinStandardHelpOptions = true,
    description = "Submit, inspect, cancel and list compute jobs on the worker pool.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      JobsCommand.Submit.class,
      JobsCommand.Get.class,
      JobsCommand.Cancel.class,
      JobsCommand.ListJobs.class
    })
public final class JobsCommand implements Runnable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  static final List<String> STATES =
      List.of(
          "SUBMITTED",
          "QUEUED",
          "ASSIGNED",
          "RUNNING",
          "RETRY_WAIT",
          "SUCCEEDED",
          "FAILED",
          "CANCELLED");

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing command: jobs submit|get|cancel|list");
  }

  /** What every jobs subcommand shares: where the dispatcher is, and how to print. */
  static final class Target {
    @Option(
        names = "--dispatcher",
        paramLabel = "URL",
        defaultValue = "${env:SWARM_DISPATCHER_URL:-http://127.0.0.1:8084}",
        description =
            "The dispatcher's HTTP API (default: $SWARM_DISPATCHER_URL or ${DEFAULT-VALUE}).")
    String dispatcher;

    @Option(names = "--json", description = "Print the job view(s) as JSON.")
    boolean json;

    private final HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    String base() {
      String b = dispatcher.strip();
      while (b.endsWith("/")) {
        b = b.substring(0, b.length() - 1);
      }
      if (!b.startsWith("http://") && !b.startsWith("https://")) {
        throw new CommandFailure("--dispatcher: not an http(s) URL: '" + dispatcher + "'", 2, null);
      }
      return b;
    }

    /** Sends a request; a non-2xx answer is a failure naming the dispatcher's reason. */
    JsonNode call(String method, String pathAndQuery, byte[] body, Duration timeout) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).timeout(timeout);
      b =
          body == null
              ? b.method(method, HttpRequest.BodyPublishers.noBody())
              : b.header("Content-Type", "application/json")
                  .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<String> r;
      try {
        r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (ConnectException e) {
        throw new CommandFailure(
            "cannot reach the dispatcher at " + base() + " (is it running? --dispatcher URL)", e);
      } catch (IOException e) {
        throw new CommandFailure("dispatcher at " + base() + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommandFailure("interrupted", e);
      }
      JsonNode answer;
      try {
        answer = JSON.readTree(r.body());
      } catch (IOException e) {
        answer = null;
      }
      if (r.statusCode() / 100 != 2) {
        String why =
            answer == null
                ? r.body()
                : answer.hasNonNull("message")
                    ? answer.get("message").asText()
                    : answer.hasNonNull("error") ? answer.get("error").asText() : r.body();
        throw new CommandFailure(
            (r.statusCode() == 404 ? "not found: " : "dispatcher answered " + r.statusCode() + ": ")
                + why);
      }
      if (answer == null) {
        throw new CommandFailure("dispatcher answered something that is not JSON: " + r.body());
      }
      return answer;
    }

    JsonNode job(String id, Duration wait) {
      String q = wait == null ? "" : "?wait=" + wait.toMillis() + "ms";
      return call("GET", "/api/v1/jobs/" + segment(id) + q, null, timeout(wait));
    }

    void print(PrintWriter out, JsonNode view) {
      if (json) {
        out.println(view.toString());
      } else {
        out.println(line(view));
      }
      out.flush();
    }
  }

  /** One line per job: id, state, attempt, worker, and the reason or result. */
  static String line(JsonNode v) {
    StringBuilder s = new StringBuilder();
    s.append(v.path("job_id").asText()).append("  ").append(v.path("state").asText());
    int attempt = v.path("attempt").asInt(0);
    if (attempt > 0) {
      s.append("  attempt ")
          .append(attempt)
          .append('/')
          .append(v.path("max_attempts").asInt(attempt));
    }
    if (v.hasNonNull("worker_host_id")) {
      s.append("  on ").append(v.path("worker_host_id").asText());
    }
    if (v.hasNonNull("result_ref")) {
      s.append("  result ").append(v.path("result_ref").asText());
    }
    if (v.hasNonNull("reason")) {
      s.append("  (").append(v.path("reason").asText()).append(')');
    }
    return s.toString();
  }

  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static Duration timeout(Duration wait) {
    return (wait == null ? Duration.ZERO : wait).plusSeconds(30);
  }

  /** "500ms", "30s", "5m", "1h" (the settings' own duration syntax). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration d = Settings.of(Map.of("d", value)).duration("d", null);
        if (d.isZero()) {
          throw new CommandLine.TypeConversionException("must be more than 0: '" + value + "'");
        }
        return d;
      } catch (ConfigException e) {
        throw new CommandLine.TypeConversionException(
            "not a duration (use e.g. 500ms, 30s, 5m, 1h): '" + value + "'");
      }
    }
  }

  /**
   * Follows a job until it ends, printing each state it passes through; exit 0 when it SUCCEEDED.
   */
  static int follow(Target t, PrintWriter out, JsonNode view, Duration limit) {
    String id = view.path("job_id").asText();
    long deadline = System.nanoTime() + limit.toNanos();
    String last = view.path("state").asText() + "#" + view.path("attempt").asInt();
    while (!FINAL.contains(view.path("state").asText())) {
      if (System.nanoTime() > deadline) {
        throw new CommandFailure(
            "job "
                + id
                + " still "
                + view.path("state").asText()
                + " after "
                + limit.toSeconds()
                + " s (it goes on; `swarmsched jobs get "
                + id
                + "`)");
      }
      JsonNode next = t.job(id, null);
      String now = next.path("state").asText() + "#" + next.path("attempt").asInt();
      if (!now.equals(last)) {
        t.print(out, next);
        last = now;
      }
      view = next;
      if (!FINAL.contains(view.path("state").asText())) {
        try {
          Thread.sleep(250); // a person waiting at a terminal: four looks a second are plenty
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CommandFailure("interrupted", e);
        }
      }
    }
    if (!"SUCCEEDED".equals(view.path("state").asText())) {
      throw new CommandFailure(
          "job "
              + id
              + " "
              + view.path("state").asText()
              + (view.hasNonNull("reason") ? ": " + view.path("reason").asText() : ""));
    }
    return 0;
  }

  @Command(
      name = "submit",
      mixinStandardHelpOptions = true,
      description =
          "Submit a job: its payload goes to the worker's command on stdin. Prints the job id and"
              + " its state; with --wait, every step until it ends (exit 0 only if it SUCCEEDED).")
  static final class Submit implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target = new Target();

    @Option(
        names = {"--payload-file", "-f"},
        paramLabel = "FILE",
        description = "The payload: a file, or - for stdin.")
    String payloadFile;

    @Option(names = "--payload", paramLabel = "TEXT", description = "The payload as text.")
    String payload;

    @Option(
        names = {"--tag", "-t"},
        paramLabel = "TAG",
        split = ",",
        description = "A tag the worker must have (repeat, or comma-separated).")
    List<String> tags = new ArrayList<>();

    @Option(
        names = {"--priority", "-p"},
        paramLabel = "N",
        description = "Higher runs first when the pool is full (default: 0).")
    int priority;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Run time allowed per attempt, e.g. 30s, 5m (default: the dispatcher's).")
    Duration timeout;

    @Option(
        names = "--deadline",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Fail the job if it is not placed within this long.")
    Duration deadline;

    @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts before it fails.")
    Integer maxAttempts;

    @Option(names = "--id", paramLabel = "JOB_ID", description = "The job id (default: a UUID).")
    String id;

    @Option(names = "--memory", paramLabel = "BYTES", description = "Minimum worker memory.")
    Long minMemory;

    @Option(names = "--cpus", paramLabel = "N", description = "Minimum worker CPU cores.")
    Integer minCpus;

    @Option(
        names = "--no-queue",
        description = "Place now or fail with NO_CAPACITY instead of waiting in the queue.")
    boolean noQueue;

    @Option(
        names = {"--wait", "-w"},
        description = "Wait until the job ends, printing each step; exit 0 only if it SUCCEEDED.")
    boolean waitForEnd;

    @Option(
        names = "--wait-limit",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        defaultValue = "1h",
        description = "How long --wait waits at most (default: ${DEFAULT-VALUE}).")
    Duration waitLimit;

    @Override
    public Integer call() {
      if (payload != null && payloadFile != null) {
        throw new CommandFailure("give either --payload or --payload-file, not both", 2, null);
      }
      if (priority < 0) {
        throw new CommandFailure("--priority: must be 0 or more, was " + priority, 2, null);
      }
      if (maxAttempts != null && maxAttempts < 1) {
        throw new CommandFailure("--max-attempts: must be 1 or more, was " + maxAttempts, 2, null);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      if (id != null) {
        if (id.isBlank()) {
          throw new CommandFailure("--id: must not be empty", 2, null);
        }
        body.put("job_id", id);
      }
      body.put("payload_base64", Base64.getEncoder().encodeToString(payloadBytes()));
      body.put(
          "required_tags", tags.stream().map(String::strip).filter(s -> !s.isEmpty()).toList());
      body.put("priority", priority);
      if (timeout != null) {
        body.put("timeout_ms", timeout.toMillis());
      }
      if (deadline != null) {
        body.put("deadline", Instant.now().plus(deadline).toEpochMilli());
      }
      if (maxAttempts != null) {
        body.put("max_attempts", maxAttempts);
      }
      if (minMemory != null) {
        body.put("min_memory_bytes", minMemory);
      }
      if (minCpus != null) {
        body.put("min_cpu_cores", minCpus);
      }
      body.put("no_queue", noQueue);
      body.put("requester_host_id", "cli");
      byte[] json;
      try {
        json = JSON.writeValueAsBytes(body);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      // wait a moment for placement, so the first line already says where it runs (or that it
      // is queued)
      Duration placement = Duration.ofSeconds(2);
      JsonNode view =
          target.call(
              "POST", "/api/v1/jobs?wait=" + placement.toMillis() + "ms", json, timeout(placement));
      PrintWriter out = spec.commandLine().getOut();
      target.print(out, view);
      return waitForEnd ? follow(target, out, view, waitLimit) : 0;
    }

    private byte[] payloadBytes() {
      if (payload != null) {
        return payload.getBytes(StandardCharsets.UTF_8);
      }
      if (payloadFile == null) {
        return new byte[0];
      }
      try {
        if (payloadFile.equals("-")) {
          InputStream in = System.in;
          return in.readAllBytes();
        }
        return Files.readAllBytes(Path.of(payloadFile));
      } catch (NoSuchFileException e) {
        throw new CommandFailure("--payload-file: no such file: " + payloadFile, 2, e);
      } catch (IOException e) {
        throw new CommandFailure("--payload-file: cannot read " + payloadFile + ": " + e, 2, e);
      }
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Show a job: state, attempt, worker, result or reason, and its history.")
  static final class Get implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target = new Target();

    @Parameters(paramLabel = "JOB_ID", description = "The job's id.")
    String id;

    @Option(
        names = {"--wait", "-w"},
        description = "Wait until the job ends, printing each step; exit 0 only if it SUCCEEDED.")
    boolean waitForEnd;

    @Override
    public Integer call() {
      JsonNode view = target.job(id, null);
      PrintWriter out = spec.commandLine().getOut();
      target.print(out, view);
      if (!target.json) {
        for (JsonNode h : view.path("history")) {
          out.printf(
              "  %s  %-10s attempt %d%s%s%n",
              Instant.ofEpochMilli(h.path("at").asLong()),
              h.path("state").asText(),
              h.path("attempt").asInt(),
              h.hasNonNull("worker_host_id") ? "  on " + h.path("worker_host_id").asText() : "",
              h.hasNonNull("reason") ? "  (" + h.path("reason").asText() + ")" : "");
        }
        out.flush();
      }
      return waitForEnd ? follow(target, out, view, Duration.ofHours(1)) : 0;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description =
          "Cancel a job at any stage (queued, placed or running: the worker kills it). Waits until"
              + " the job is CANCELLED or had already ended.")
  static final class Cancel implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target = new Target();

    @Parameters(paramLabel = "JOB_ID", description = "The job's id.")
    String id;

    @Override
    public Integer call() {
      Duration wait = Duration.ofSeconds(10);
      JsonNode view =
          target.call(
              "DELETE",
              "/api/v1/jobs/" + segment(id) + "?wait=" + wait.toMillis() + "ms",
              null,
              timeout(wait));
      target.print(spec.commandLine().getOut(), view);
      String state = view.path("state").asText();
      if (!FINAL.contains(state)) {
        throw new CommandFailure(
            "job "
                + id
                + " not yet CANCELLED after "
                + wait.toSeconds()
                + " s (state "
                + state
                + ")");
      }
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
  static final class ListJobs implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Target target = new Target();

    @Option(
        names = {"--state", "-s"},
        paramLabel = "STATE",
        description = "Only jobs in this state: ${COMPLETION-CANDIDATES}.",
        completionCandidates = States.class)
    String state;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "100",
        description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    static final class States extends ArrayList<String> {
      States() {
        super(STATES);
      }
    }

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new CommandFailure("--limit: must be 1 or more, was " + limit, 2, null);
      }
      StringBuilder q = new StringBuilder("?limit=").append(limit);
      if (state != null) {
        String s = state.strip().toUpperCase(java.util.Locale.ROOT);
        if (!STATES.contains(s)) {
          throw new CommandFailure(
              "--state: '" + state + "' is not one of " + String.join(", ", STATES), 2, null);
        }
        q.append("&state=").append(s);
      }
      JsonNode answer = target.call("GET", "/api/v1/jobs" + q, null, timeout(null));
      PrintWriter out = spec.commandLine().getOut();
      if (target.json) {
        out.println(answer.toString());
      } else {
        for (JsonNode v : answer.path("jobs")) {
          out.println(line(v));
        }
        if (answer.path("jobs").isEmpty()) {
          out.println(state == null ? "no jobs" : "no jobs in state " + state.toUpperCase());
        }
      }
      out.flush();
      return 0;
    }
  }
}
