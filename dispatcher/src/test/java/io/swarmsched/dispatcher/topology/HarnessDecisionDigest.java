package io.swarmsched.dispatcher.topology;

import io.swarmsched.schemas.ScheduleDecision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Every decision of a {@link DispatcherLoadHarness} run, in order, so that two builds can be shown
 * to decide the same (same inputs, same digest).
 */
final class HarnessDecisionDigest {
  private final MessageDigest digest = sha256();

  private long count;

  /** {@code -Dharness.dump=FILE} writes every decision, one per line, to tell two runs apart. */
  private final java.io.PrintWriter dump = dumpFile();

  private static java.io.PrintWriter dumpFile() {
    String file = System.getProperty("harness.dump");
    if (file == null) return null;
    try {
      return new java.io.PrintWriter(
          java.nio.file.Files.newBufferedWriter(java.nio.file.Path.of(file)), true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every decision goes into the digest, in order. */
  void record(ScheduleDecision d) {
    digest.update(d.toString().getBytes(StandardCharsets.UTF_8));
    if (dump != null) dump.println(d);
    count++;
  }

  /** The digest of all decisions so far, in hex (once: it resets the digest), and their count. */
  String summary() {
    return String.format(
        "decisions digest: %s (%,d decisions)", HexFormat.of().formatHex(digest.digest()), count);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
