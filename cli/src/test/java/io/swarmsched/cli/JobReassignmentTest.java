package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.swarm.LocalSwarm;
import io.swarmsched.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's "a worker killed mid-job gets its job reassigned and completed elsewhere", the way it
 * happens in production: worker A runs as its own process ({@code swarmsched agent}), takes the
 * job, and is killed with SIGKILL (no goodbye, no FAILED report); its heartbeats stop, ingest marks
 * it OFFLINE, and the dispatcher's job pool reassigns the job after its backoff to worker B, which
 * completes it. The client sees each step in the job's history.
 */
class JobReassignmentTest {
  @TempDir static Path dir;

  private static final String TAG = "reassign";

  private static Map<String, String> agentSettings(LocalSwarm swarm, String host) {
    Map<String, String> m = new HashMap<>(swarm.commonSettings());
    m.put(AgentConfig.HOST_ID, host);
    m.put(AgentConfig.DATA_DIR, dir.resolve(host).toString());
    m.put(AgentConfig.HEARTBEAT_INTERVAL, "1s");
    m.put(AgentConfig.CONTROL_PORT, "-1");
    m.put(AgentConfig.TAGS, TAG);
    m.put(AgentConfig.JOBS_COMMAND, "sh"); // the payload is the script
    m.put(AgentConfig.MAX_TASKS, "1");
    return m;
  }

  private static Process agentProcess(Map<String, String> settings, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("agent");
    settings.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    ProcessBuilder b =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment().remove("JAVA_TOOL_OPTIONS");
    return b.start();
  }

  private static CliRun jobs(LocalSwarm swarm, String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "jobs";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--dispatcher";
    all[args.length + 2] = swarm.dispatcherUrl();
    return CliRun.of(all);
  }

  private static String liveness(LocalSwarm swarm, String host) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(swarm.ingestUrl() + "/api/v1/hosts/" + host))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (java.io.IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @Test
  void aWorkerKilledMidJobHasItsJobReassignedAndCompletedElsewhere() throws Exception {
    LocalSwarm.Options options =
        LocalSwarm.Options.ephemeral(dir.resolve("swarm"))
            .withOverrides(
                Map.of(
                    IngestSettings.SUSPICIOUS_AFTER, "2s",
                    IngestSettings.OFFLINE_AFTER, "4s",
                    IngestSettings.PATROL_INTERVAL, "1s"));
    Process workerA = null;
    Agent workerB = null;
    try (LocalSwarm swarm = LocalSwarm.start(options, line -> {})) {
      workerA = agentProcess(agentSettings(swarm, "worker-a"), dir.resolve("worker-a.log"));
      Process a = workerA;
      Await.until(
          Duration.ofSeconds(90),
          "worker-a (its own process) to be ONLINE",
          () -> {
            assertThat(a.isAlive())
                .as("worker-a exited; see " + dir.resolve("worker-a.log"))
                .isTrue();
            return liveness(swarm, "worker-a").contains("ONLINE");
          });

      CliRun submit =
          jobs(
              swarm,
              "submit",
              "--id",
              "survivor",
              "--payload",
              "sleep 6; echo done",
              "-t",
              TAG,
              "--max-attempts",
              "3");
      assertThat(submit.exitCode()).as(submit.out() + submit.err()).isZero();
      Await.until(
          Duration.ofSeconds(60),
          "the job to run on worker-a",
          () -> {
            String got = jobs(swarm, "get", "survivor").out();
            return got.startsWith("survivor  RUNNING") && got.contains("worker-a");
          });

      Map<String, String> b = agentSettings(swarm, "worker-b");
      workerB = Agent.start(AgentConfig.from(Settings.of(b)));
      workerA.destroyForcibly(); // SIGKILL: the job's process dies with it, nothing is reported
      workerA.waitFor();

      Await.until(
          Duration.ofSeconds(120),
          "the job to be reassigned to worker-b and succeed",
          () -> jobs(swarm, "get", "survivor").out().startsWith("survivor  SUCCEEDED"));
      String got = jobs(swarm, "get", "survivor").out();
      assertThat(got).contains("attempt 2/3").contains("on worker-b").contains("worker-a");
      assertThat(liveness(swarm, "worker-a")).contains("OFFLINE");
    } finally {
      if (workerA != null) {
        workerA.destroyForcibly();
      }
      if (workerB != null) {
        workerB.close();
      }
    }
  }
}
