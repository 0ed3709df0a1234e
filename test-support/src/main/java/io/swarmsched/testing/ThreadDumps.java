package io.swarmsched.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes every thread's stack of this JVM to a file when a test gives up waiting, so a hang that
 * shows only on a loaded CI machine leaves evidence of what was blocked (a timeout alone says
 * nothing about why).
 */
public final class ThreadDumps {
  private ThreadDumps() {}

  /**
   * Dumps all threads (with held locks) to {@code target/thread-dumps/} under the working
   * directory; returns the file's path, or a note when it could not be written.
   */
  public static String write(String why) {
    StringBuilder out = new StringBuilder("why: ").append(why).append('\n');
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      out.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
      if (t.getLockName() != null) out.append(" on ").append(t.getLockName());
      if (t.getLockOwnerName() != null) out.append(" owned by \"").append(t.getLockOwnerName());
      out.append('\n');
      for (StackTraceElement e : t.getStackTrace()) out.append("    at ").append(e).append('\n');
      out.append('\n');
    }
    try {
      Path dir = Path.of("target", "thread-dumps");
      Files.createDirectories(dir);
      Path file =
          dir.resolve(
              Instant.now().toString().replace(':', '-')
                  + "-"
                  + ProcessHandle.current().pid()
                  + ".txt");
      Files.writeString(file, out);
      return file.toAbsolutePath().toString();
    } catch (IOException | RuntimeException e) {
      return "(thread dump not written: " + e + ")";
    }
  }
}
