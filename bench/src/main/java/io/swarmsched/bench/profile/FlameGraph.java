package io.swarmsched.bench.profile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Turns the execution samples of a JFR recording into collapsed stacks (Brendan Gregg's format:
 * {@code frame;frame;frame count}, root first), a self-contained flame graph SVG, and a table of
 * the methods with the most samples (self and total).
 *
 * <pre>
 * java -cp "bench/target/swarmsched-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *   io.swarmsched.bench.profile.FlameGraph REC.jfr OUT_PREFIX [--threads SUBSTRING] [--title TEXT]
 * </pre>
 *
 * writes {@code OUT_PREFIX.collapsed}, {@code OUT_PREFIX.svg} and {@code OUT_PREFIX.top.txt}.
 * {@code --threads} keeps the samples of threads whose name contains the text (e.g. {@code
 * StreamThread}), so a profile of the harness JVM shows the service and not the load generators.
 * Written here rather than downloaded so that the profiles in docs/bench/profiles/ can be redrawn
 * from the JDK alone.
 */
public final class FlameGraph {
  private FlameGraph() {}

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
    List<String> positional = new ArrayList<>();
    String threads = null;
    String title = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = valueAt(args, ++i, "--threads");
        case "--title" -> title = valueAt(args, ++i, "--title");
        default -> positional.add(args[i]);
      }
    }
    if (positional.size() != 2) {
      err.println(
          "usage: FlameGraph RECORDING.jfr OUT_PREFIX [--threads SUBSTRING] [--title TEXT]");
      return 2;
    }
    Path recording = Path.of(positional.get(0));
    if (!Files.isRegularFile(recording)) {
      err.println("flamegraph: no such recording: " + recording);
      return 2;
    }
    Path prefix = Path.of(positional.get(1));
    Map<String, Long> stacks = collapse(recording, threads);
    if (stacks.isEmpty()) {
      err.println(
          "flamegraph: no jdk.ExecutionSample events"
              + (threads == null ? "" : " on threads containing '" + threads + "'")
              + " in "
              + recording);
      return 1;
    }
    String name = prefix.getFileName().toString();
    Path parent = prefix.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Files.writeString(parent.resolve(name + ".collapsed"), collapsedText(stacks));
    Files.writeString(
        parent.resolve(name + ".svg"),
        svg(stacks, title != null ? title : recording.getFileName().toString()));
    Files.writeString(parent.resolve(name + ".top.txt"), top(stacks, 30));
    out.printf("%d samples -> %s.{collapsed,svg,top.txt}%n", total(stacks), parent.resolve(name));
    return 0;
  }

  /** Collapsed stacks (root first) and their sample counts, from every jdk.ExecutionSample. */
  public static Map<String, Long> collapse(Path recording, String threadFilter) throws IOException {
    Map<String, Long> stacks = new HashMap<>();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        if (threadFilter != null) {
          RecordedThread t = e.getThread("sampledThread");
          String name = t == null ? null : t.getJavaName();
          if (name == null || !name.contains(threadFilter)) {
            continue;
          }
        }
        RecordedStackTrace trace = e.getStackTrace();
        if (trace == null) {
          continue;
        }
        List<RecordedFrame> frames = trace.getFrames();
        List<String> names = new ArrayList<>(frames.size());
        for (int i = frames.size() - 1; i >= 0; i--) { // JFR lists the top frame first
          RecordedFrame f = frames.get(i);
          names.add(frameName(f.getMethod().getType().getName(), f.getMethod().getName()));
        }
        if (trace.isTruncated()) {
          names.add(0, "[truncated]");
        }
        stacks.merge(String.join(";", names), 1L, Long::sum);
      }
    }
    return stacks;
  }

  /** {@code pkg.Outer$Inner.method} without the package, so frames stay readable in the graph. */
  static String frameName(String className, String method) {
    int dot = className.lastIndexOf('.');
    String simple = dot < 0 ? className : className.substring(dot + 1);
    // ';' separates frames and ' ' the count in the collapsed format
    return (simple + "." + method).replace(';', ':').replace(' ', '_');
  }

  static String collapsedText(Map<String, Long> stacks) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(stacks).forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
    return sb.toString();
  }

  /** Parses collapsed text back (for redrawing a committed .collapsed file). */
  public static Map<String, Long> parseCollapsed(String text) {
    Map<String, Long> stacks = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space <= 0) {
        throw new IllegalArgumentException("not a collapsed stack line: '" + line + "'");
      }
      stacks.merge(line.substring(0, space), Long.parseLong(line.substring(space + 1)), Long::sum);
    }
    return stacks;
  }

  static long total(Map<String, Long> stacks) {
    return stacks.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The methods with the most samples: self (the frame on top) and total (the frame anywhere on the
   * stack, counted once per sample), as percentages of all samples.
   */
  public static String top(Map<String, Long> stacks, int n) {
    long all = total(stacks);
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    stacks.forEach(
        (stack, count) -> {
          String[] frames = stack.split(";");
          self.merge(frames[frames.length - 1], count, Long::sum);
          Set<String> seen = new HashSet<>();
          for (String f : frames) {
            if (seen.add(f)) {
              inclusive.merge(f, count, Long::sum);
            }
          }
        });
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%d samples%n%nself%n", all));
    appendTop(sb, self, all, n);
    sb.append(String.format(Locale.ROOT, "%ntotal (anywhere on the stack)%n"));
    appendTop(sb, inclusive, all, n);
    return sb.toString();
  }

  private static void appendTop(StringBuilder sb, Map<String, Long> counts, long all, int n) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .forEach(
            e ->
                sb.append(
                    String.format(
                        Locale.ROOT,
                        "%6.2f%% %8d  %s%n",
                        100.0 * e.getValue() / all,
                        e.getValue(),
                        e.getKey())));
  }

  /** One node of the merged call tree. */
  static final class Node {
    final String name;
    long count;
    final Map<String, Node> children = new LinkedHashMap<>();

    Node(String name) {
      this.name = name;
    }
  }

  static Node tree(Map<String, Long> stacks) {
    Node root = new Node("all");
    stacks.forEach(
        (stack, count) -> {
          root.count += count;
          Node n = root;
          for (String f : stack.split(";")) {
            n = n.children.computeIfAbsent(f, Node::new);
            n.count += count;
          }
        });
    return root;
  }

  private static final int WIDTH = 1200;
  private static final int FRAME_HEIGHT = 16;

  /**
   * A flame graph: root at the bottom, each frame as wide as its share of the samples, children
   * sorted by name (as flamegraph.pl does), hover for the frame's name, samples and share.
   */
  public static String svg(Map<String, Long> stacks, String title) {
    Node root = tree(stacks);
    int depth = depth(root);
    int height = (depth + 1) * FRAME_HEIGHT + 40;
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<?xml version=\"1.0\" standalone=\"no\"?>%n"
                + "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Verdana\" font-size=\"11\">%n"
                + "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f8\"/>%n"
                + "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">%s</text>%n",
            WIDTH,
            height,
            WIDTH,
            height,
            WIDTH,
            height,
            WIDTH / 2,
            escape(title + " (" + root.count + " samples)")));
    draw(sb, root, 10.0, (WIDTH - 20.0) / root.count, height - 10 - FRAME_HEIGHT, root.count);
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static void draw(StringBuilder sb, Node n, double x, double perSample, int y, long all) {
    double w = n.count * perSample;
    if (w < 0.3) {
      return; // invisible; its share is in its parent
    }
    String label =
        String.format(
            Locale.ROOT, "%s (%d samples, %.2f%%)", n.name, n.count, 100.0 * n.count / all);
    sb.append(
        String.format(
            Locale.ROOT,
            "<g><title>%s</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\""
                + " fill=\"%s\" rx=\"2\"/>",
            escape(label),
            x,
            y,
            w,
            FRAME_HEIGHT - 1,
            color(n.name)));
    int chars = (int) ((w - 6) / 7);
    if (chars >= 3) {
      String text = n.name.length() <= chars ? n.name : n.name.substring(0, chars - 2) + "..";
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\">%s</text>",
              x + 3,
              y + FRAME_HEIGHT - 4,
              escape(text)));
    }
    sb.append("</g>\n");
    double cx = x;
    List<Node> children = new ArrayList<>(n.children.values());
    children.sort(Comparator.comparing(c -> c.name));
    for (Node c : children) {
      draw(sb, c, cx, perSample, y - FRAME_HEIGHT, all);
      cx += c.count * perSample;
    }
  }

  private static int depth(Node n) {
    int d = 0;
    for (Node c : n.children.values()) {
      d = Math.max(d, depth(c));
    }
    return d + 1;
  }

  /**
   * Warm colours by a hash of the name, stable between runs; JDK/Kafka/RocksDB frames a hue each.
   */
  private static String color(String name) {
    int h = name.hashCode() & 0x7fffffff;
    if (name.startsWith("RocksDB") || name.contains("rocksdb")) {
      return String.format(Locale.ROOT, "rgb(%d,%d,%d)", 80 + h % 40, 160 + h % 60, 80 + h % 40);
    }
    return String.format(Locale.ROOT, "rgb(%d,%d,%d)", 205 + h % 50, 80 + h % 120, 40 + h % 40);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String valueAt(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }
}
