package io.swarmsched.dispatcher.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.swarmsched.schemas.ScheduleDecision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dispatcher's decision metrics, fed by {@link ObservedDispatch} from what the dispatch
 * processor forwards to the decisions topic:
 *
 * <ul>
 *   <li>{@code swarmsched_decisions_total{outcome,reason,policy}}: decisions sent, SEED_TRIGGER
 *       included;
 *   <li>{@code swarmsched_decision_latency_seconds} (histogram): from the request's own {@code
 *       timestamp} (set by the requester) to the wall-clock moment its terminal decision is
 *       forwarded, retries included. Decisions with no request behind them (a seed trigger, a
 *       re-decision after a parent was lost) are not timed.
 *   <li>{@code swarmsched_dispatch_inputs_total{topic,order}}: input records (requests, peer and
 *       piece events) the dispatch processor took, {@code order="in_order"} when the record's
 *       timestamp was the task's stream time (no later record processed before it), {@code
 *       order="behind"} when a later-stamped record of the task had been processed first; and
 *       {@code swarmsched_dispatch_input_behind_milliseconds} (count, sum, max) by how far behind.
 *       This is what {@code max.task.idle.ms} trades: Streams waiting for every input partition of
 *       a task keeps records in timestamp order across them; not waiting processes sooner.
 * </ul>
 *
 * Labels stay few: {@code reason} is the decision's reason code (the part before a colon when it is
 * an upper-case code, {@code INVALID} for the free-text reasons of REJECTED, {@code NONE} when
 * absent) and {@code policy} is the policy's name without its parameters.
 */
public final class DecisionMetrics {
  /**
   * The key under which the dispatcher passes an instance to its processors (through the Streams
   * config).
   */
  public static final String CONFIG_KEY = "swarmsched.decision.metrics";

  public static final String DECISIONS = "swarmsched.decisions";
  public static final String LATENCY = "swarmsched.decision.latency";
  public static final String INPUTS = "swarmsched.dispatch.inputs";
  public static final String INPUT_BEHIND = "swarmsched.dispatch.input.behind";

  private static final Pattern CODE = Pattern.compile("[A-Z][A-Z0-9_]*");

  /**
   * Bucket bounds of the latency histogram: a decision takes milliseconds, a retried one seconds.
   */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private final MeterRegistry registry;
  private final Timer latency;
  private final Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Counter[]> inputCounters =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final io.micrometer.core.instrument.DistributionSummary behindBy;

  public DecisionMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.latency =
        Timer.builder(LATENCY)
            .description("Schedule request timestamp to its terminal decision being sent")
            .serviceLevelObjectives(BUCKETS)
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    this.behindBy =
        io.micrometer.core.instrument.DistributionSummary.builder(INPUT_BEHIND)
            .description("How far behind the task's stream time a record behind it was")
            .baseUnit("milliseconds")
            .register(registry);
  }

  /**
   * Counts one input record from {@code topic}, {@code behindMs} behind its task's stream time (0
   * or less: in order).
   */
  public void input(String topic, long behindMs) {
    boolean late = behindMs > 0;
    // per record: one map lookup by topic, no key built
    inputCounters.computeIfAbsent(topic, this::inputCountersOf)[late ? 1 : 0].increment();
    if (late) {
      behindBy.record(behindMs);
    }
  }

  /** {@code topic}'s two counters: [0] in order, [1] behind. */
  private Counter[] inputCountersOf(String topic) {
    Counter[] pair = new Counter[2];
    String[] orders = {"in_order", "behind"};
    for (int i = 0; i < 2; i++) {
      pair[i] =
          Counter.builder(INPUTS)
              .description(
                  "Input records the dispatch processor took, by timestamp order within the task")
              .tag("topic", topic)
              .tag("order", orders[i])
              .register(registry);
    }
    return pair;
  }

  /** For tests and logs: input records taken in order and behind the stream time, all topics. */
  public long[] inputOrder() {
    long[] out = new long[2];
    registry
        .find(INPUTS)
        .counters()
        .forEach(c -> out["behind".equals(c.getId().getTag("order")) ? 1 : 0] += (long) c.count());
    return out;
  }

  /** Counts one decision sent. */
  public void decided(ScheduleDecision d) {
    String outcome = d.getOutcome().name();
    String reason = reasonLabel(d.getReason(), outcome);
    String policy = policyLabel(d.getPolicyId());
    counters
        .computeIfAbsent(
            outcome + '\0' + reason + '\0' + policy,
            k ->
                Counter.builder(DECISIONS)
                    .description("Schedule decisions sent, by outcome, reason code and policy")
                    .tag("outcome", outcome)
                    .tag("reason", reason)
                    .tag("policy", policy)
                    .register(registry))
        .increment();
  }

  /**
   * Times a terminal decision of a request stamped {@code requestTimestampMs}, decided at {@code
   * nowMs} (wall clock).
   */
  public void timed(long requestTimestampMs, long nowMs) {
    latency.record(Duration.ofMillis(Math.max(0, nowMs - requestTimestampMs)));
  }

  static String reasonLabel(CharSequence reason, String outcome) {
    if (reason == null || reason.length() == 0) {
      return "NONE";
    }
    String r = reason.toString();
    int colon = r.indexOf(':');
    String head = colon < 0 ? r : r.substring(0, colon);
    if (CODE.matcher(head).matches()) {
      return head;
    }
    return "REJECTED".equals(outcome) ? "INVALID" : "OTHER";
  }

  static String policyLabel(CharSequence policyId) {
    if (policyId == null || policyId.length() == 0) {
      return "none";
    }
    String p = policyId.toString();
    int cut = p.length();
    for (char c : new char[] {'[', '/'}) {
      int i = p.indexOf(c);
      if (i >= 0) {
        cut = Math.min(cut, i);
      }
    }
    return p.substring(0, cut);
  }

  /** For tests and logs: the counts by outcome. */
  public Map<String, Double> countsByOutcome() {
    Map<String, Double> out = new LinkedHashMap<>();
    registry
        .find(DECISIONS)
        .counters()
        .forEach(c -> out.merge(c.getId().getTag("outcome"), c.count(), Double::sum));
    return out;
  }
}
