package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.swarm.LocalSwarm;
import io.swarmsched.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarmsched jobs} against the real dispatcher on the embedded cluster, with one real agent
 * whose command is {@code sh} (each job's payload is the script it runs): a job that succeeds, one
 * that fails, one killed at its timeout, a running one cancelled, and the list by state.
 */
class JobsCliSystemTest {
  @TempDir static Path dir;
  static LocalSwarm swarm;
  static Agent agent;

  @BeforeAll
  static void start() throws Exception {
    swarm = LocalSwarm.start(LocalSwarm.Options.ephemeral(dir.resolve("swarm")), line -> {});
    Map<String, String> m = new HashMap<>(swarm.commonSettings());
    m.put(AgentConfig.HOST_ID, "cli-worker");
    m.put(AgentConfig.DATA_DIR, dir.resolve("agent").toString());
    m.put(AgentConfig.HEARTBEAT_INTERVAL, "1s");
    m.put(AgentConfig.CONTROL_PORT, "-1");
    m.put(AgentConfig.TAGS, "cli");
    m.put(AgentConfig.JOBS_COMMAND, "sh");
    m.put(AgentConfig.MAX_TASKS, "2");
    agent = Agent.start(AgentConfig.from(Settings.of(m)));
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
    if (swarm != null) {
      swarm.close();
    }
  }

  private static CliRun jobs(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "jobs";
    System.arraycopy(args, 0, all, 1, args.length);
    all[args.length + 1] = "--dispatcher";
    all[args.length + 2] = swarm.dispatcherUrl();
    return CliRun.of(all);
  }

  @Test
  void submitWaitGetCancelAndListAgainstTheRealDispatcher() {
    CliRun ok =
        jobs("submit", "--id", "cli-ok", "--payload", "printf hello", "-t", "cli", "--wait");
    assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("cli-ok  SUCCEEDED  attempt 1/").contains("on cli-worker");
    assertThat(ok.out()).contains("result sha256:");

    CliRun bad =
        jobs("submit", "--id", "cli-bad", "--payload", "echo nope >&2; exit 3", "-t", "cli", "-w");
    assertThat(bad.exitCode()).as(bad.out() + bad.err()).isEqualTo(1);
    assertThat(bad.err()).contains("job cli-bad FAILED").contains("exit code 3: nope");

    // killed by the agent at its 1 s timeout; with one attempt allowed the job fails for good
    CliRun slow =
        jobs(
            "submit",
            "--id",
            "cli-slow",
            "--payload",
            "sleep 30",
            "-t",
            "cli",
            "--timeout",
            "1s",
            "--max-attempts",
            "1",
            "--wait");
    assertThat(slow.exitCode()).as(slow.out() + slow.err()).isEqualTo(1);
    assertThat(slow.err()).contains("job cli-slow FAILED").contains("TIMEOUT");

    CliRun started = jobs("submit", "--id", "cli-long", "--payload", "sleep 60", "-t", "cli");
    assertThat(started.exitCode()).as(started.err()).isZero();
    Await.until(
        Duration.ofSeconds(60),
        "cli-long to run",
        () -> jobs("get", "cli-long").out().startsWith("cli-long  RUNNING"));
    CliRun cancel = jobs("cancel", "cli-long");
    assertThat(cancel.exitCode()).as(cancel.out() + cancel.err()).isZero();
    assertThat(cancel.out()).contains("cli-long  CANCELLED");
    Await.until(
        Duration.ofSeconds(30), "the cancelled job's slot to free", () -> agent.runningJobs() == 0);

    CliRun get = jobs("get", "cli-long");
    assertThat(get.out()).contains("RUNNING").contains("CANCELLED");
    CliRun list = jobs("list", "--state", "succeeded");
    assertThat(list.exitCode()).isZero();
    assertThat(list.out()).contains("cli-ok  SUCCEEDED").doesNotContain("cli-bad");

    CliRun missing = jobs("get", "no-such-job");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("not found");
  }
}
