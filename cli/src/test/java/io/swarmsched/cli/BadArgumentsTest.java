package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command refuses what is wrong with exit code 2 and a message naming it, before starting
 * anything.
 */
class BadArgumentsTest {
  @TempDir Path dir;

  @Test
  void hostsBindRefusesABadKeyFileAndAReservedHostId() throws Exception {
    Path bad = dir.resolve("bad.pub");
    java.nio.file.Files.writeString(bad, "not a key");
    CliRun garbage = CliRun.of("hosts", "bind", "h1", bad.toString());
    assertThat(garbage.exitCode()).isEqualTo(2);
    assertThat(garbage.err()).contains("PUBKEYFILE " + bad).contains("Ed25519 public key");
    CliRun missing = CliRun.of("hosts", "bind", "h1", dir.resolve("absent.pub").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read it");
    CliRun reserved = CliRun.of("hosts", "unbind", "service:dispatcher:x");
    assertThat(reserved.exitCode()).isEqualTo(2);
    assertThat(reserved.err()).contains("is reserved");
  }

  @Test
  void aServiceSettingOutOfRangeNamesItsKey() {
    CliRun run = CliRun.of("ingest", "--swarm.http.port=70000");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("swarm.http.port").contains("70000");
  }

  @Test
  void anUnknownArgumentToAServiceIsRefused() {
    CliRun run = CliRun.of("score", "bogus");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("unknown arguments [bogus]");
  }

  @Test
  void anUnknownDispatcherPolicyIsRefused() {
    CliRun run = CliRun.of("dispatch", "--swarm.dispatcher.policy=fastest");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("swarm.dispatcher.policy");
  }

  @Test
  void aBadAgentSizeNamesItsKey() {
    CliRun run = CliRun.of("agent", "--swarm.agent.upload.limit=lots");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("swarm.agent.upload.limit");
  }

  @Test
  void getRefusesAnUnknownSchemeAndAMissingOutput() {
    CliRun ftp = CliRun.of("get", "ftp://example.org/x", "-O", dir.resolve("x").toString());
    assertThat(ftp.exitCode()).isEqualTo(2);
    assertThat(ftp.err()).contains("unsupported URL scheme 'ftp'");
    CliRun noOutput = CliRun.of("get", "http://example.org/x");
    assertThat(noOutput.exitCode()).isEqualTo(2);
    assertThat(noOutput.err()).contains("Missing required option: '--output=FILE'");
  }

  @Test
  void demoRefusesTooFewAgentsAndBadSizes() {
    CliRun one = CliRun.of("demo", "--agents", "1", "--data-dir", dir.toString());
    assertThat(one.exitCode()).isEqualTo(2);
    assertThat(one.err()).contains("--agents must be at least 2");
    CliRun size = CliRun.of("demo", "--size", "huge");
    assertThat(size.exitCode()).isEqualTo(2);
    assertThat(size.err()).contains("'huge' is not a size");
    CliRun policy = CliRun.of("demo", "--policy", "fastest", "--data-dir", dir.toString());
    assertThat(policy.exitCode()).isEqualTo(2);
    assertThat(policy.err()).contains("--policy must be one of load-aware, random");
    CliRun leaves = CliRun.of("demo", "--seed-leaves-after", "-1", "--data-dir", dir.toString());
    assertThat(leaves.exitCode()).isEqualTo(2);
    assertThat(leaves.err()).contains("--seed-leaves-after must be between 0 and 86400 seconds");
    CliRun notANumber =
        CliRun.of("demo", "--seed-leaves-after", "NaN", "--data-dir", dir.toString());
    assertThat(notANumber.exitCode()).isEqualTo(2);
  }

  @Test
  void chaosRefusesTooFewRequestsAndDispatchersAndNonSwarmSettings() {
    CliRun few = CliRun.of("chaos", "--requests", "5", "--out", dir.resolve("a").toString());
    assertThat(few.exitCode()).isEqualTo(2);
    assertThat(few.err()).contains("--requests must be at least 100");
    CliRun one = CliRun.of("chaos", "--dispatchers", "1", "--out", dir.resolve("b").toString());
    assertThat(one.exitCode()).isEqualTo(2);
    assertThat(one.err()).contains("--dispatchers must be 2 to 5");
    CliRun setting =
        CliRun.of("chaos", "--set", "num.standby.replicas=1", "--out", dir.resolve("c").toString());
    assertThat(setting.exitCode()).isEqualTo(2);
    assertThat(setting.err()).contains("swarm.* keys");
  }
}
