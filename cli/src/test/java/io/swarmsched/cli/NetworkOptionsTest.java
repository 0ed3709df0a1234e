package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.swarm.LocalSwarm;
import org.junit.jupiter.api.Test;

/** Secure by default beyond loopback; plaintext there only with the explicit opt-out. */
class NetworkOptionsTest {
  private static LocalSwarm.Network parse(String... args) {
    UpCommand up =
        (UpCommand)
            Main.commandLine()
                .parseArgs(prepend("up", args))
                .subcommand()
                .commandSpec()
                .userObject();
    return up.network.network();
  }

  private static String[] prepend(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  @Test
  void loopbackByDefaultIsPlaintextAndBeyondLoopbackIsSecured() {
    LocalSwarm.Network local = parse();
    assertThat(local.bind()).isEqualTo("127.0.0.1");
    assertThat(local.secure()).isFalse();
    assertThat(local.advertised()).isEqualTo("localhost");

    LocalSwarm.Network everywhere = parse("--bind", "0.0.0.0", "--advertise", "sched.example");
    assertThat(everywhere.secure()).isTrue();
    assertThat(everywhere.advertised()).isEqualTo("sched.example");

    assertThat(parse("--secure").secure()).isTrue();
  }

  @Test
  void insecureIsTheExplicitOptOutAndContradictionsAreRefused() {
    LocalSwarm.Network open = parse("--bind", "0.0.0.0", "--insecure");
    assertThat(open.secure()).isFalse();
    assertThat(open.insecureOptOut()).isTrue();
    assertThatThrownBy(() -> parse("--secure", "--insecure"))
        .isInstanceOf(CommandFailure.class)
        .hasMessageContaining("contradict");
  }
}
