package io.swarmsched.ingest.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code swarm.dead-letters.v1} (every service's dead letters) from this service:
 *
 * <ul>
 *   <li>{@code GET /api/v1/dead-letters?limit=N}: the latest N (default 20, at most {@value
 *       #KEEP}), newest first, with stage, reason, source topic/partition/offset and exception —
 *       from the headers only, never the payload;
 *   <li>{@code swarmsched_dead_letters_total{stage,reason}}: dead letters written since this
 *       instance started (the backlog shown at start is not counted). {@code reason} is the
 *       reason's category, the text before its first colon (e.g. {@code deserialization failed},
 *       {@code validation failed}, a field name), so the label set stays small.
 * </ul>
 *
 * It reads without a consumer group (every partition assigned), so each instance sees all dead
 * letters: with several ingest instances, read one instance's counter, not the sum.
 */
public final class DeadLetterTail implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterTail.class);
  public static final String PATH = "/api/v1/dead-letters";
  public static final String METRIC = "swarmsched.dead.letters";

  /** Dead letters kept for the API, and read back per partition at start. */
  static final int KEEP = 200;

  static final int DEFAULT_LIMIT = 20;

  private final Consumer<byte[], byte[]> consumer;
  private final MeterRegistry registry;
  private final Deque<Map<String, Object>> latest = new ArrayDeque<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> liveFrom = new ConcurrentHashMap<>();
  private final Thread thread;

  /**
   * Counted down by {@link #close}: the loop's stop flag, and what it waits on between lookups of a
   * topic not provisioned yet. Stopping never interrupts the thread: an interrupt that lands while
   * the consumer closes makes it log "Failed to close fetcher with a timeout" and throw {@code
   * InterruptException} out of the thread; {@link Consumer#wakeup()} ends a blocking call.
   */
  private final CountDownLatch stopping = new CountDownLatch(1);

  DeadLetterTail(Consumer<byte[], byte[]> consumer, MeterRegistry registry) {
    this.consumer = consumer;
    this.registry = registry;
    this.thread = new Thread(this::run, "dead-letter-tail");
    this.thread.setDaemon(true);
  }

  /** Starts following the topic and registers the route and the counter on {@code http}. */
  public static DeadLetterTail start(Settings settings, HttpApi http) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.string(CommonKeys.BOOTSTRAP_SERVERS));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "dead-letter-tail-" + CommonKeys.instanceId(settings));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    io.swarmsched.runtime.config.KafkaSecurity.apply(settings, p);
    DeadLetterTail tail =
        new DeadLetterTail(
            new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            http.meterRegistry());
    http.get(PATH, tail::list);
    return tail.follow();
  }

  /** Starts the thread that follows the topic. */
  DeadLetterTail follow() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      while (!stopped() && partitions.isEmpty()) {
        List<PartitionInfo> infos =
            consumer.partitionsFor(Topics.DEAD_LETTERS.name(), Duration.ofSeconds(10));
        if (infos != null) {
          infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        if (partitions.isEmpty()) {
          // the topic is not provisioned yet (topics create runs beside us): ask again shortly
          if (stopping.await(1, TimeUnit.SECONDS)) {
            return;
          }
        }
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> begins = consumer.beginningOffsets(partitions);
      for (TopicPartition tp : partitions) {
        long end = ends.getOrDefault(tp, 0L);
        liveFrom.put(tp, end);
        consumer.seek(tp, Math.max(begins.getOrDefault(tp, 0L), end - KEEP));
      }
      while (!stopped()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          accept(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      // nobody interrupts this thread; if something did, end here and close the consumer
    } catch (RuntimeException e) {
      if (!stopped()) {
        log.error("dead-letter tail stopped", e);
      }
    } finally {
      // closed here, by the only thread that used it (KafkaConsumer is single-threaded)
      consumer.close(Duration.ofSeconds(2));
    }
  }

  private boolean stopped() {
    return stopping.getCount() == 0;
  }

  /** Whether the thread has ended (after {@link #close}, it has, unless the close timed out). */
  boolean isStopped() {
    return !thread.isAlive();
  }

  Thread thread() {
    return thread;
  }

  void accept(ConsumerRecord<byte[], byte[]> r) {
    var h = r.headers();
    String stage = DeadLetterHeaders.lastValue(h, DeadLetterHeaders.STAGE).orElse("unknown");
    String reason = DeadLetterHeaders.lastValue(h, DeadLetterHeaders.REASON).orElse("");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "timestamp",
        DeadLetterHeaders.lastValue(h, DeadLetterHeaders.TIMESTAMP)
            .map(DeadLetterTail::number)
            .orElse(r.timestamp()));
    m.put("stage", stage);
    m.put("reason", reason);
    m.put(
        "source_topic",
        DeadLetterHeaders.lastValue(h, DeadLetterHeaders.SOURCE_TOPIC).orElse(null));
    m.put(
        "source_partition",
        DeadLetterHeaders.lastValue(h, DeadLetterHeaders.SOURCE_PARTITION)
            .map(DeadLetterTail::number)
            .orElse(null));
    m.put(
        "source_offset",
        DeadLetterHeaders.lastValue(h, DeadLetterHeaders.SOURCE_OFFSET)
            .map(DeadLetterTail::number)
            .orElse(null));
    m.put("exception", DeadLetterHeaders.lastValue(h, DeadLetterHeaders.EXCEPTION).orElse(null));
    m.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
    m.put("size_bytes", r.value() == null ? 0 : r.value().length);
    m.put("offset", r.offset());
    synchronized (latest) {
      latest.addFirst(m);
      while (latest.size() > KEEP) {
        latest.removeLast();
      }
    }
    Long from = liveFrom.get(new TopicPartition(r.topic(), r.partition()));
    if (from == null || r.offset() >= from) {
      String category = reasonCategory(reason);
      counters
          .computeIfAbsent(
              stage + '\0' + category,
              k ->
                  Counter.builder(METRIC)
                      .description(
                          "Dead letters written to swarm.dead-letters.v1 since this instance started, by stage and reason category")
                      .tag("stage", stage)
                      .tag("reason", category)
                      .register(registry))
          .increment();
    }
  }

  static String reasonCategory(String reason) {
    String r = reason == null ? "" : reason.strip();
    int colon = r.indexOf(':');
    String head = (colon < 0 ? r : r.substring(0, colon)).strip();
    if (head.isEmpty()) {
      return "unknown";
    }
    return head.length() > 48 ? head.substring(0, 48) : head;
  }

  private static Long number(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  Response list(Request request) {
    int limit = limit(request.query("limit"));
    List<Map<String, Object>> out;
    synchronized (latest) {
      out = latest.stream().limit(limit).toList();
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("count", out.size());
    body.put("dead_letters", out);
    return Response.ok(body);
  }

  static int limit(Optional<String> raw) {
    if (raw.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw.get().trim());
      if (limit >= 1 && limit <= KEEP) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest(
        "limit: must be an integer in [1, " + KEEP + "], was '" + raw.get() + "'");
  }

  @Override
  public void close() {
    stopping.countDown();
    consumer.wakeup(); // ends a poll, partitionsFor or offsets lookup under way, or the next one
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
