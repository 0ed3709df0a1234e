package io.swarmsched.dispatcher.topology;

import io.swarmsched.schemas.ScheduleDecision;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * HTTP callers waiting for the decision of a request, completed by the stream thread that decides
 * it (a long-poll, as Confluent's OrdersService does): the schedule call waits on the instance that
 * owns the request's task, never by polling every instance.
 *
 * <p>One registry per application id in the JVM, so that the topology and the HTTP API of one
 * dispatcher find the same one without being wired to each other; instances of the same application
 * in one JVM (tests) share it, which is harmless: a request id has one decision, whichever
 * processor makes it. Thread-safe.
 */
public final class DecisionWaiters {
  private static final Map<String, DecisionWaiters> BY_APPLICATION = new ConcurrentHashMap<>();

  private final Map<String, CompletableFuture<ScheduleDecision>> waiting =
      new ConcurrentHashMap<>();

  /** The registry of the dispatcher application {@code applicationId} in this JVM. */
  public static DecisionWaiters of(String applicationId) {
    return BY_APPLICATION.computeIfAbsent(applicationId, id -> new DecisionWaiters());
  }

  /** A terminal decision was stored: wakes whoever waits for its request. */
  void decided(ScheduleDecision d) {
    CompletableFuture<ScheduleDecision> f = waiting.get(d.getRequestId());
    if (f != null) f.complete(d);
  }

  /**
   * Waits up to {@code wait} for the decision of {@code requestId}. {@code stored} reads it from
   * the local decision store; it is asked after the waiter is registered, so a decision made just
   * before is not missed either.
   */
  public Optional<ScheduleDecision> await(
      String requestId, Supplier<Optional<ScheduleDecision>> stored, Duration wait)
      throws InterruptedException {
    CompletableFuture<ScheduleDecision> mine = new CompletableFuture<>();
    CompletableFuture<ScheduleDecision> f = waiting.putIfAbsent(requestId, mine);
    if (f == null) f = mine;
    try {
      Optional<ScheduleDecision> already = stored.get();
      if (already.isPresent()) return already;
      return Optional.of(f.get(wait.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      if (f == mine) waiting.remove(requestId, mine);
    }
  }

  /** Callers waiting now. */
  public int waiting() {
    return waiting.size();
  }
}
