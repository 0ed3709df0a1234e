package io.swarmsched.agent.jobs;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How one attempt ended.
 *
 * @param status SUCCEEDED (exit code 0), FAILED (non-zero exit, timeout, could not start) or
 *     CANCELLED (killed because the job was cancelled)
 * @param resultRef for SUCCEEDED: {@code sha256:<hex>} of the command's stdout, kept in {@code
 *     output}
 * @param reason for FAILED and CANCELLED: why, in one line (e.g. {@code exit code 3: <last stderr
 *     line>}, {@code timeout after 5s})
 * @param exitCode the process's exit code, -1 when it was killed or never started
 * @param output the file holding the command's stdout (stderr is beside it)
 */
public record JobOutcome(
    Status status,
    String resultRef,
    String reason,
    int exitCode,
    boolean timedOut,
    Path output,
    long outputBytes,
    Duration elapsed) {

  public enum Status {
    SUCCEEDED,
    FAILED,
    CANCELLED
  }
}
