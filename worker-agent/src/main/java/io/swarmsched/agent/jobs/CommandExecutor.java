package io.swarmsched.agent.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a job attempt through the agent's configured command: {@code sh -c COMMAND}, the job's
 * payload on stdin, {@code SWARM_JOB_ID}, {@code SWARM_JOB_ATTEMPT} and {@code SWARM_JOB_DIR} (a
 * directory of its own) in the environment, stdout and stderr to files in that directory. At the
 * job's timeout, or when it is cancelled, the command and every process it started are killed.
 *
 * <p>stdin comes from a file rather than a pipe, so a command that never reads its input can
 * neither block the agent nor be blocked by it.
 */
public final class CommandExecutor {
  public static final String ENV_JOB_ID = "SWARM_JOB_ID";
  public static final String ENV_JOB_ATTEMPT = "SWARM_JOB_ATTEMPT";
  public static final String ENV_JOB_DIR = "SWARM_JOB_DIR";
  static final String PAYLOAD_FILE = "payload";
  static final String STDOUT_FILE = "stdout";
  static final String STDERR_FILE = "stderr";

  /** Longest reason text; a command's stderr can be anything. */
  static final int MAX_REASON = 300;

  private final String shell;
  private final String command;

  /**
   * @param shell the shell that interprets {@code command} ({@code sh})
   * @param command the command line, as a user would type it
   */
  public CommandExecutor(String shell, String command) {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("command must not be empty");
    }
    this.shell = shell;
    this.command = command;
  }

  public String command() {
    return command;
  }

  /**
   * A stoppable attempt: {@link #cancel} or {@link #abort} from any thread kills the process tree
   * and makes {@link CommandExecutor#run} return CANCELLED or FAILED with the reason given (also
   * when called before the process starts).
   */
  public static final class Handle {
    private volatile JobOutcome.Status stopStatus;
    private volatile String stopReason;
    private Process process;

    /** The job was cancelled: the attempt ends CANCELLED. */
    public void cancel(String reason) {
      stop(JobOutcome.Status.CANCELLED, reason);
    }

    /** The agent gives up the attempt (e.g. it is stopping): the attempt ends FAILED. */
    public void abort(String reason) {
      stop(JobOutcome.Status.FAILED, reason);
    }

    private void stop(JobOutcome.Status status, String reason) {
      Process p;
      synchronized (this) {
        if (stopStatus == null) {
          stopReason = reason;
          stopStatus = status;
        }
        p = process;
      }
      if (p != null) {
        killTree(p.toHandle());
      }
    }

    public boolean stopped() {
      return stopStatus != null;
    }

    void started(Process p) {
      boolean stop;
      synchronized (this) {
        process = p;
        stop = stopStatus != null;
      }
      if (stop) {
        killTree(p.toHandle());
      }
    }
  }

  /**
   * Runs one attempt in {@code dir} (created if missing) and waits for it; never throws for what
   * the command does, only reports it.
   */
  public JobOutcome run(JobSpec spec, Path dir, Handle handle) {
    long startNanos = System.nanoTime();
    Path stdout = dir.resolve(STDOUT_FILE);
    Path stderr = dir.resolve(STDERR_FILE);
    Process process;
    try {
      Files.createDirectories(dir);
      Path payload = dir.resolve(PAYLOAD_FILE);
      Files.write(payload, spec.payload());
      ProcessBuilder pb =
          new ProcessBuilder(shell, "-c", command)
              .redirectInput(payload.toFile())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile());
      Map<String, String> env = pb.environment();
      env.put(ENV_JOB_ID, spec.jobId());
      env.put(ENV_JOB_ATTEMPT, Integer.toString(spec.attempt()));
      env.put(ENV_JOB_DIR, dir.toAbsolutePath().toString());
      if (handle.stopped()) {
        return stopped(handle, stdout, startNanos);
      }
      process = pb.start();
    } catch (IOException e) {
      return new JobOutcome(
          JobOutcome.Status.FAILED,
          null,
          clip("cannot start '" + shell + " -c " + command + "': " + e.getMessage()),
          -1,
          false,
          stdout,
          0,
          elapsed(startNanos));
    }
    handle.started(process);
    boolean exited;
    try {
      exited = process.waitFor(spec.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      // the agent is closing: leave nothing running behind it
      killTree(process.toHandle());
      awaitQuietly(process);
      Thread.currentThread().interrupt();
      return new JobOutcome(
          JobOutcome.Status.FAILED,
          null,
          JobRunner.AGENT_STOPPED,
          -1,
          false,
          stdout,
          0,
          elapsed(startNanos));
    }
    if (!exited) {
      killTree(process.toHandle());
      awaitQuietly(process);
      if (handle.stopped()) {
        return stopped(handle, stdout, startNanos);
      }
      return new JobOutcome(
          JobOutcome.Status.FAILED,
          null,
          "timeout after " + human(spec.timeout()) + ": killed",
          -1,
          true,
          stdout,
          size(stdout),
          elapsed(startNanos));
    }
    // a stop that killed the process makes it exit; report the stop, not the signal's exit code
    if (handle.stopped()) {
      return stopped(handle, stdout, startNanos);
    }
    int code = process.exitValue();
    if (code != 0) {
      String last = lastLine(stderr);
      return new JobOutcome(
          JobOutcome.Status.FAILED,
          null,
          clip("exit code " + code + (last.isEmpty() ? "" : ": " + last)),
          code,
          false,
          stdout,
          size(stdout),
          elapsed(startNanos));
    }
    try {
      return new JobOutcome(
          JobOutcome.Status.SUCCEEDED,
          "sha256:" + sha256(stdout),
          null,
          0,
          false,
          stdout,
          size(stdout),
          elapsed(startNanos));
    } catch (IOException e) {
      return new JobOutcome(
          JobOutcome.Status.FAILED,
          null,
          clip("exit code 0 but its output could not be read: " + e.getMessage()),
          0,
          false,
          stdout,
          0,
          elapsed(startNanos));
    }
  }

  private static JobOutcome stopped(Handle handle, Path stdout, long startNanos) {
    String reason = handle.stopReason == null ? "cancelled" : handle.stopReason;
    return new JobOutcome(
        handle.stopStatus,
        null,
        clip(reason),
        -1,
        false,
        stdout,
        size(stdout),
        elapsed(startNanos));
  }

  /**
   * Kills a process and every process below it. Descendants are listed before anything is killed (a
   * child whose parent dies is re-parented and no longer found) and killed first, and the list is
   * taken again a few times for children forked meanwhile. A process that detached itself (double
   * fork, setsid) before this is out of reach.
   */
  static void killTree(ProcessHandle root) {
    for (int pass = 0; pass < 3; pass++) {
      List<ProcessHandle> below = new ArrayList<>(root.descendants().toList());
      if (below.isEmpty()) {
        break;
      }
      below.forEach(ProcessHandle::destroyForcibly);
    }
    root.destroyForcibly();
  }

  private static void awaitQuietly(Process p) {
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The last non-blank line of a file's last 4 KiB. */
  static String lastLine(Path file) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      int n = (int) Math.min(len, 4096);
      byte[] tail = new byte[n];
      f.seek(len - n);
      f.readFully(tail);
      String[] lines = new String(tail, StandardCharsets.UTF_8).split("\\R");
      for (int i = lines.length - 1; i >= 0; i--) {
        if (!lines[i].isBlank()) {
          return lines[i].strip();
        }
      }
    } catch (IOException e) {
      // no stderr file: nothing to add to the reason
    }
    return "";
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  static String clip(String s) {
    return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON - 1) + "…";
  }

  /** 5s, 1500ms, 2m: how a user wrote the timeout. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0 && ms >= 60_000) {
      return (ms / 60_000) + "m";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    return ms + "ms";
  }
}
