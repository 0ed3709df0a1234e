package io.swarmsched.bench.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlameGraphTest {

  @Test
  void collapsedStacksMergeIntoATreeWhoseWidthsAreSampleShares() {
    Map<String, Long> stacks =
        FlameGraph.parseCollapsed("Main.run;A.a;B.b 3\nMain.run;A.a 1\nMain.run;C.c 4\n");
    FlameGraph.Node root = FlameGraph.tree(stacks);
    assertEquals(8, root.count);
    FlameGraph.Node main = root.children.get("Main.run");
    assertEquals(8, main.count);
    assertEquals(4, main.children.get("A.a").count);
    assertEquals(3, main.children.get("A.a").children.get("B.b").count);

    String top = FlameGraph.top(stacks, 5);
    assertTrue(top.contains("50.00%        4  C.c"), top); // self: C.c is on top in 4 of 8
    assertTrue(top.contains("37.50%        3  B.b"), top);
    assertTrue(top.contains("100.00%        8  Main.run"), top); // total

    String svg = FlameGraph.svg(stacks, "t");
    // the root spans the drawing width (1200 - 2 * 10); A.a half of it
    assertTrue(svg.contains("width=\"1180.0\""), svg);
    assertTrue(svg.contains("A.a (4 samples, 50.00%)"), svg);
  }

  @Test
  void aBadCollapsedLineIsRejectedWithTheLine() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> FlameGraph.parseCollapsed("nocount"));
    assertTrue(e.getMessage().contains("'nocount'"));
  }

  /** End to end on a real recording of this JVM: the burning method shows up, root first. */
  @Test
  void aJfrRecordingBecomesCollapsedStacksAndAnSvg(@TempDir Path dir) throws Exception {
    Path jfr = dir.resolve("r.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      r.start();
      Thread t = new Thread(FlameGraphTest::burn, "burner-thread");
      t.start();
      t.join();
      r.stop();
      r.dump(jfr);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        FlameGraph.run(
            new String[] {jfr.toString(), dir.resolve("p").toString(), "--threads", "burner"},
            new PrintStream(out),
            new PrintStream(new ByteArrayOutputStream()));
    assertEquals(0, code, out.toString());
    String collapsed = Files.readString(dir.resolve("p.collapsed"));
    assertTrue(collapsed.contains("FlameGraphTest.burn"), collapsed);
    for (String line : collapsed.split("\n")) {
      assertTrue(line.startsWith("Thread.run"), line); // root first
    }
    assertTrue(Files.readString(dir.resolve("p.svg")).startsWith("<?xml"));
    assertTrue(Files.readString(dir.resolve("p.top.txt")).contains("FlameGraphTest.burn"));
  }

  @Test
  void noSamplesOnTheChosenThreadsIsAnError(@TempDir Path dir) throws Exception {
    Path jfr = dir.resolve("r.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      r.start();
      r.stop();
      r.dump(jfr);
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        FlameGraph.run(
            new String[] {jfr.toString(), dir.resolve("p").toString(), "--threads", "nosuch"},
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err));
    assertEquals(1, code);
    assertTrue(err.toString().contains("no jdk.ExecutionSample events"), err.toString());
  }

  static volatile double sink;

  private static void burn() {
    long end = System.nanoTime() + 400_000_000L;
    double x = 0;
    while (System.nanoTime() < end) {
      for (int i = 1; i < 10_000; i++) {
        x += Math.sqrt(i) / i;
      }
    }
    sink = x;
  }
}
