package io.swarmsched.cli;

import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.swarm.LocalSwarm;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --bind}, {@code --advertise}, {@code --secure} and {@code --insecure} of {@code up} and
 * {@code cluster}: where Kafka and the HTTP APIs listen, what they advertise, and whether they are
 * secured.
 *
 * <p>Secure by default wherever something listens beyond loopback (docs/design.md, security): a
 * non-loopback {@code --bind} turns on TLS, SCRAM, ACLs and HTTP tokens unless {@code --insecure}
 * says otherwise (logged as a warning). On loopback (the default) the cluster stays plaintext, so
 * the demo and a developer's {@code up} need no credentials; {@code --secure} secures it there too.
 */
final class NetworkOptions {
  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description =
          "Interface Kafka, the schema registry and the HTTP APIs listen on (default: 127.0.0.1;"
              + " 0.0.0.0 for every interface). Beyond loopback it is secured unless --insecure.")
  String bind = "127.0.0.1";

  @Option(
      names = "--advertise",
      paramLabel = "HOST",
      description =
          "Host name or address agents on other machines use (default: the --bind address, or"
              + " this machine's first non-loopback address for 0.0.0.0).")
  String advertise;

  @Option(
      names = "--secure",
      description =
          "TLS + SASL/SCRAM + ACLs on Kafka and bearer tokens on HTTP writes, also on loopback.")
  boolean secure;

  @Option(
      names = "--insecure",
      description =
          "Explicit opt-out: plaintext, unauthenticated Kafka and open HTTP even beyond loopback"
              + " (development on a trusted network only).")
  boolean insecure;

  /** The network the options describe; bad combinations exit 2. */
  LocalSwarm.Network network() {
    if (secure && insecure) {
      throw new CommandFailure("--secure and --insecure contradict each other", 2, null);
    }
    boolean loopback = HttpApi.isLoopback(bind);
    boolean on = secure || (!loopback && !insecure);
    return new LocalSwarm.Network(bind, advertised(), on, insecure);
  }

  String advertised() {
    if (advertise != null && !advertise.isBlank()) {
      return advertise;
    }
    if (HttpApi.isLoopback(bind)) {
      return "localhost";
    }
    if (bind.equals("0.0.0.0") || bind.equals("::")) {
      return firstNonLoopbackAddress().orElseGet(NetworkOptions::hostName);
    }
    return bind;
  }

  /** A site-local IPv4 address when there is one, else any non-loopback IPv4 address. */
  static Optional<String> firstNonLoopbackAddress() {
    String any = null;
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            if (a.isSiteLocalAddress()) {
              return Optional.of(a.getHostAddress());
            }
            any = any == null ? a.getHostAddress() : any;
          }
        }
      }
    } catch (SocketException e) {
      // fall back to the host name
    }
    return Optional.ofNullable(any);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "localhost";
    }
  }
}
