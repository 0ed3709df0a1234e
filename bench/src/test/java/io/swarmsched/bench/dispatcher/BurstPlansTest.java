package io.swarmsched.bench.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BurstPlansTest {

  @Test
  void theQuickRunBurstsOnTenAndOnThousandPeerTasks() {
    List<DispatcherBench.Plan> plans = DispatcherBench.burstPlans(List.of(10, 1000), 1_000, 2);
    assertEquals(2, plans.size());
    assertEquals(10, plans.get(0).size());
    assertEquals(1_000, plans.get(0).count());
    assertEquals(1000, plans.get(1).size());
    assertEquals(1_000, plans.get(1).count());
    // no task grows past twice its size: 1,000 requests over 1,000-peer tasks need >= 2 tasks
    assertEquals(2, plans.get(1).tasks());
    assertEquals(Integer.MAX_VALUE, plans.get(1).rate());
  }

  @Test
  void theFullRunBurstsAFifthAsManyOnLargeTasks() {
    List<DispatcherBench.Plan> plans =
        DispatcherBench.burstPlans(List.of(10, 100, 1000), 10_000, 5);
    assertEquals(10_000, plans.get(0).count());
    assertEquals(2_000, plans.get(1).count());
    assertEquals(1000, plans.get(1).size());
  }

  @Test
  void theMeasurementNameKeepsItsForm() {
    assertEquals(
        "highest sustained rate (burst of 1000, 1000-peer tasks, 10,000 hosts)",
        DispatcherBench.burstName(1000, 1000, 10_000));
  }

  @Test
  void aRunIsNarrowedBySystemPropertiesAndABadValueSaysWhichKey() {
    String key = "bench.dispatcher.test-ints";
    try {
      assertEquals(List.of(7), DispatcherBench.ints(key, List.of(7)));
      System.setProperty(key, "10, 1000");
      assertEquals(List.of(10, 1000), DispatcherBench.ints(key, List.of(7)));
      System.setProperty(key, "10,x");
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> DispatcherBench.ints(key, List.of(7)));
      assertEquals(
          key + " must be positive integers separated by commas, was \"10,x\"", e.getMessage());
      System.setProperty(key, "0");
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> DispatcherBench.ints(key, List.of(7)));
    } finally {
      System.clearProperty(key);
    }
  }
}
