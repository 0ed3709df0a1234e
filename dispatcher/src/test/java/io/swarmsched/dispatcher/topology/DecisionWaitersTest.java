package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecisionWaitersTest {
  private static ScheduleDecision decision(String requestId) {
    return ScheduleDecision.newBuilder()
        .setDecisionId("d-" + requestId)
        .setRequestId(requestId)
        .setTaskId("t")
        .setPeerId("p")
        .setTargetHostId("h")
        .setRequesterHostId("h")
        .setOutcome(DecisionOutcome.BACK_TO_SOURCE)
        .setUrl("u")
        .setAttempt(1)
        .setPolicyId("x")
        .setDecidedAt(java.time.Instant.ofEpochMilli(T0))
        .build();
  }

  private static DecisionWaiters fresh() {
    return DecisionWaiters.of("waiters-test-" + UUID.randomUUID());
  }

  @Test
  void aWaiterIsWokenByTheDecisionAndThenForgotten() throws Exception {
    DecisionWaiters w = fresh();
    CompletableFuture<Optional<ScheduleDecision>> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return w.await("r1", Optional::empty, Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (w.waiting() == 0 && System.nanoTime() < deadline) Thread.onSpinWait();
    w.decided(decision("other"));
    assertThat(waiting).isNotDone();
    w.decided(decision("r1"));
    assertThat(waiting.get(10, TimeUnit.SECONDS))
        .map(ScheduleDecision::getRequestId)
        .contains("r1");
    assertThat(w.waiting()).isZero();
  }

  @Test
  void aDecisionStoredBeforeTheWaitIsFoundInTheStore() throws Exception {
    DecisionWaiters w = fresh();
    assertThat(w.await("r1", () -> Optional.of(decision("r1")), Duration.ofSeconds(30)))
        .isPresent();
    assertThat(w.waiting()).isZero();
  }

  @Test
  void noDecisionWithinTheWaitIsEmpty() throws Exception {
    DecisionWaiters w = fresh();
    assertThat(w.await("r1", Optional::empty, Duration.ofMillis(20))).isEmpty();
    assertThat(w.await("r1", Optional::empty, Duration.ZERO)).isEmpty();
    assertThat(w.waiting()).isZero();
  }

  @Test
  void theStreamThreadThatDecidesARequestWakesItsWaiter() throws Exception {
    try (DispatcherFixture f = new DispatcherFixture()) {
      f.host("h1", HostType.NORMAL, Liveness.ONLINE);
      DecisionWaiters w = DecisionWaiters.of(f.config.applicationId());
      String id = "wake-" + UUID.randomUUID();
      CompletableFuture<Optional<ScheduleDecision>> waiting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return w.await(id, Optional::empty, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (w.waiting() == 0 && System.nanoTime() < deadline) Thread.onSpinWait();
      f.send(request(id, "t1", "p1", "h1", T0).build());
      Optional<ScheduleDecision> d = waiting.get(10, TimeUnit.SECONDS);
      assertThat(d).map(ScheduleDecision::getOutcome).contains(DecisionOutcome.BACK_TO_SOURCE);
      assertThat(f.readDecisions())
          .extracting(ScheduleDecision::getDecisionId)
          .containsExactly(d.get().getDecisionId());
    }
  }
}
