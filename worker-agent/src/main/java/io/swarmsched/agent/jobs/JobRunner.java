package io.swarmsched.agent.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's job slots: runs the attempts assigned to it through a {@link CommandExecutor}, never
 * more than {@code maxTasks} at once, each attempt at most once, and reports each step to a {@link
 * Lifecycle}.
 *
 * <ul>
 *   <li><b>At most once per attempt.</b> An attempt (job id + attempt number) is run the first time
 *       it is seen; a redelivered decision for it is a {@link Admission#DUPLICATE}. The attempt's
 *       directory under the jobs directory is the record, so this also holds across a restart.
 *   <li><b>Never over capacity.</b> The dispatcher promises not to assign more than {@code
 *       max_tasks}; should a decision arrive with every slot busy anyway, it is refused ({@link
 *       Admission#FULL}) rather than run or queued, so the slot count stays true and the job goes
 *       back to the dispatcher.
 *   <li><b>Slot freed before the news.</b> A finished attempt gives its slot back before {@link
 *       Lifecycle#finished} is called, so a job the dispatcher assigns on hearing of the end never
 *       finds the slot still taken.
 * </ul>
 */
public final class JobRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  /** What happens to an attempt handed to {@link #submit}. */
  public enum Admission {
    /** it runs now */
    STARTED,
    /** this attempt was run (or refused) before: a redelivery, ignored */
    DUPLICATE,
    /** every slot is busy: refused */
    FULL,
    /** the job was cancelled before its assignment arrived: not run */
    CANCELLED
  }

  /** Where the steps of each attempt go (the agent turns them into job events). */
  public interface Lifecycle {
    void started(JobSpec spec);

    void finished(JobSpec spec, JobOutcome outcome);
  }

  /**
   * Reason of an attempt killed because the agent stops; the dispatcher may retry it elsewhere (the
   * prefix is the machine-readable part).
   */
  public static final String AGENT_STOPPED = "AGENT_STOPPED: the agent stopped";

  private static final int REMEMBERED = 100_000;
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final CommandExecutor executor;
  private final int maxTasks;
  private final Path jobsDir;
  private final Lifecycle lifecycle;
  private final ExecutorService threads;
  private final Object slots = new Object();
  private int running;
  private final AtomicInteger peak = new AtomicInteger();

  /** job id -> attempt -> its handle, for the attempts running now */
  private final Map<String, Map<Integer, CommandExecutor.Handle>> handles =
      new ConcurrentHashMap<>();

  private final Set<String> seen = Collections.newSetFromMap(lru());
  private final Set<String> cancelled = Collections.newSetFromMap(lru());
  private volatile boolean closed;

  public JobRunner(CommandExecutor executor, int maxTasks, Path jobsDir, Lifecycle lifecycle) {
    if (maxTasks < 1) {
      throw new IllegalArgumentException("maxTasks must be at least 1, was " + maxTasks);
    }
    this.executor = executor;
    this.maxTasks = maxTasks;
    this.jobsDir = jobsDir;
    this.lifecycle = lifecycle;
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "agent-job");
              t.setDaemon(true);
              return t;
            });
  }

  public int maxTasks() {
    return maxTasks;
  }

  /** Attempts running now (what the heartbeat reports as running tasks). */
  public int running() {
    synchronized (slots) {
      return running;
    }
  }

  /** The most attempts that ever ran at once on this runner. */
  public int peakRunning() {
    return peak.get();
  }

  /** Admits an attempt and, when it is {@link Admission#STARTED}, runs it on its own thread. */
  public Admission submit(JobSpec spec) {
    CommandExecutor.Handle handle = new CommandExecutor.Handle();
    Path dir = attemptDir(spec);
    synchronized (slots) {
      if (closed) {
        return Admission.FULL;
      }
      if (!firstSight(spec, dir)) {
        return Admission.DUPLICATE;
      }
      if (cancelled.contains(spec.jobId()) || cancelled.contains(spec.key())) {
        return Admission.CANCELLED;
      }
      if (running >= maxTasks) {
        return Admission.FULL;
      }
      running++;
      peak.accumulateAndGet(running, Math::max);
      handles
          .computeIfAbsent(spec.jobId(), k -> new ConcurrentHashMap<>())
          .put(spec.attempt(), handle);
    }
    try {
      threads.execute(() -> run(spec, dir, handle));
    } catch (RuntimeException e) {
      release(spec, handle);
      throw e;
    }
    return Admission.STARTED;
  }

  private void run(JobSpec spec, Path dir, CommandExecutor.Handle handle) {
    JobOutcome outcome;
    try {
      lifecycle.started(spec);
      outcome = executor.run(spec, dir, handle);
    } catch (RuntimeException e) {
      log.error("Job {} attempt {} failed in the agent", spec.jobId(), spec.attempt(), e);
      outcome =
          new JobOutcome(
              JobOutcome.Status.FAILED,
              null,
              CommandExecutor.clip("agent error: " + e),
              -1,
              false,
              dir.resolve(CommandExecutor.STDOUT_FILE),
              0,
              java.time.Duration.ZERO);
    }
    release(spec, handle);
    try {
      lifecycle.finished(spec, outcome);
    } catch (RuntimeException e) {
      log.error("Reporting job {} attempt {} failed", spec.jobId(), spec.attempt(), e);
    }
  }

  private void release(JobSpec spec, CommandExecutor.Handle handle) {
    synchronized (slots) {
      running--;
      handles.computeIfPresent(
          spec.jobId(),
          (k, attempts) -> {
            attempts.remove(spec.attempt(), handle);
            return attempts.isEmpty() ? null : attempts;
          });
    }
  }

  /**
   * Cancels one attempt of a job, or every attempt when {@code attempt} is 0: the running ones are
   * killed (and end CANCELLED), and an assignment of it that arrives later is not run. Returns
   * whether an attempt was running.
   */
  public boolean cancel(String jobId, int attempt, String reason) {
    List<CommandExecutor.Handle> stopping = new ArrayList<>();
    synchronized (slots) {
      cancelled.add(attempt == 0 ? jobId : jobId + "#" + attempt);
      handles
          .getOrDefault(jobId, Map.of())
          .forEach(
              (a, h) -> {
                if (attempt == 0 || a == attempt) {
                  stopping.add(h);
                }
              });
    }
    stopping.forEach(h -> h.cancel(reason));
    return !stopping.isEmpty();
  }

  /**
   * True the first time an attempt is seen, here or (through its directory) by an earlier run of
   * this agent.
   */
  private boolean firstSight(JobSpec spec, Path dir) {
    if (!seen.add(spec.key())) {
      return false;
    }
    try {
      Files.createDirectories(dir.getParent());
      Files.createDirectory(dir);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // cannot keep the record on disk: still run it (the in-memory record stops redeliveries)
      log.warn("Cannot create {}: {}", dir, e.toString());
      return true;
    }
  }

  /** jobs/<job id, made file-safe>/<attempt> */
  Path attemptDir(JobSpec spec) {
    return attemptDir(spec.jobId(), spec.attempt());
  }

  private Path attemptDir(String jobId, int attempt) {
    return jobsDir.resolve(safeName(jobId)).resolve(Integer.toString(attempt));
  }

  /**
   * A job id as a directory name: itself when it is plainly safe, else its safe characters and a
   * hash of the whole id (so two ids never share a directory).
   */
  static String safeName(String id) {
    if (SAFE.matcher(id).matches() && !id.startsWith(".")) {
      return id;
    }
    String kept = id.replaceAll("[^A-Za-z0-9_-]", "_");
    if (kept.length() > 60) {
      kept = kept.substring(0, 60);
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return kept + "-" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes the directories (payload, stdout, stderr) of attempts that ended before {@code cutoff},
   * so a long-lived worker's disk does not fill with old outputs. Running attempts are kept.
   * Returns how many attempt directories were removed. A decision redelivered after its attempt's
   * directory is gone would run again; retention is meant to be far longer than any redelivery (a
   * day).
   */
  public int purgeEndedBefore(java.time.Instant cutoff) {
    int removed = 0;
    if (!Files.isDirectory(jobsDir)) {
      return 0;
    }
    Set<Path> live = new java.util.HashSet<>();
    synchronized (slots) {
      handles.forEach(
          (job, attempts) -> attempts.keySet().forEach(a -> live.add(attemptDir(job, a))));
    }
    try (var jobs = Files.list(jobsDir)) {
      for (Path job : (Iterable<Path>) jobs::iterator) {
        try (var attempts = Files.list(job)) {
          for (Path attempt : (Iterable<Path>) attempts::iterator) {
            if (!live.contains(attempt)
                && Files.getLastModifiedTime(attempt).toInstant().isBefore(cutoff)
                && newestIn(attempt).isBefore(cutoff)) {
              deleteTree(attempt);
              removed++;
            }
          }
        }
        try (var left = Files.list(job)) {
          if (left.findAny().isEmpty()) {
            Files.deleteIfExists(job);
          }
        }
      }
    } catch (IOException e) {
      log.warn("Purging old job outputs under {} failed: {}", jobsDir, e.toString());
    }
    return removed;
  }

  private static java.time.Instant newestIn(Path dir) throws IOException {
    java.time.Instant newest = Files.getLastModifiedTime(dir).toInstant();
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        java.time.Instant t = Files.getLastModifiedTime(f).toInstant();
        if (t.isAfter(newest)) {
          newest = t;
        }
      }
    }
    return newest;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Kills every running attempt (they end FAILED {@link #AGENT_STOPPED}) and stops. */
  @Override
  public void close() {
    List<CommandExecutor.Handle> all = new ArrayList<>();
    synchronized (slots) {
      closed = true;
      handles.values().forEach(attempts -> all.addAll(attempts.values()));
    }
    all.forEach(h -> h.abort(AGENT_STOPPED));
    threads.shutdownNow();
    try {
      threads.awaitTermination(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <K> Map<K, Boolean> lru() {
    return Collections.synchronizedMap(
        new LinkedHashMap<>(1024, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Boolean> e) {
            return size() > REMEMBERED;
          }
        });
  }
}
