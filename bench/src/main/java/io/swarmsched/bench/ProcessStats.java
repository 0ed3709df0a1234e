package io.swarmsched.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Resident memory of processes (from {@code /proc/<pid>/status}) and sizes of directories on disk.
 */
public final class ProcessStats {
  private ProcessStats() {}

  /** VmRSS of {@code pid} in bytes, empty where /proc is not available. */
  public static OptionalLong rssBytes(long pid) {
    return statusField(pid, "VmRSS:");
  }

  /** VmHWM (peak resident set) of {@code pid} in bytes. */
  public static OptionalLong peakRssBytes(long pid) {
    return statusField(pid, "VmHWM:");
  }

  /**
   * User + system CPU seconds {@code pid} has used (fields 14 and 15 of {@code /proc/<pid>/stat},
   * in clock ticks of 1/100 s, the value of USER_HZ on every Linux this runs on), empty where /proc
   * is not available.
   */
  public static java.util.OptionalDouble cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return java.util.OptionalDouble.of(cpuSecondsFromStat(stat));
    } catch (IOException | RuntimeException e) {
      return java.util.OptionalDouble.empty();
    }
  }

  /** utime + stime of a {@code /proc/<pid>/stat} line, in seconds. */
  static double cpuSecondsFromStat(String stat) {
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  public static long selfPid() {
    return ProcessHandle.current().pid();
  }

  private static OptionalLong statusField(long pid, String field) {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    try {
      List<String> lines = Files.readAllLines(status);
      for (String line : lines) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          long kb = Long.parseLong(parts[0]);
          return OptionalLong.of(kb * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return OptionalLong.empty();
  }

  /** Total size of the regular files under {@code dir} (0 when it does not exist). */
  public static long directorySize(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return 0;
    }
    AtomicLong total = new AtomicLong();
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              total.addAndGet(attrs.size());
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              return FileVisitResult.CONTINUE; // files come and go while services run
            }
          });
    } catch (IOException e) {
      // partial size is still informative
    }
    return total.get();
  }

  public static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort: it is a temporary directory
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
