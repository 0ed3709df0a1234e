package io.swarmsched.replay;

import io.swarmsched.registry.client.SchemaRegistryClient;
import io.swarmsched.registry.client.SchemaRegistryClients;
import io.swarmsched.serde.WireFormat;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code swarmsched record}: exports a time range of the dispatcher's inputs (schedule requests,
 * peer and piece events, hosts, host scores, task metadata) and its recorded decisions from a
 * cluster into one {@link RecordingFile}.
 *
 * <p>Event topics are read from the first offset at or after {@code from} ({@code
 * offsetsForTimes}); records dated in {@code [from, to)} are kept. The tables (hosts, scores, task
 * metadata) are compacted state the range starts from, so they are read from their beginning: the
 * latest record of each key dated before {@code from} is kept as the starting state, and every
 * record in the range after it. Decisions are kept {@link #DECISION_SLACK} past {@code to}, so a
 * request made just before {@code to} keeps its decision. It reads {@code read_committed}, assigns
 * partitions itself and commits nothing: it joins no consumer group.
 */
public final class Recorder {
  private Recorder() {}

  /** How long after {@code to} decisions are still recorded (retries end well within it). */
  public static final Duration DECISION_SLACK = Duration.ofSeconds(90);

  /** Give up when no partition moves for this long. */
  public static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

  /** The event topics recorded by range. */
  public static final List<String> EVENT_TOPICS =
      List.of(
          Topics.SCHEDULE_REQUESTS.name(),
          Topics.PEER_EVENTS.name(),
          Topics.PIECE_EVENTS.name(),
          Topics.SCHEDULE_DECISIONS.name());

  /** The tables recorded with their state at {@code from}. */
  public static final List<String> TABLE_TOPICS =
      List.of(Topics.HOSTS.name(), Topics.HOST_SCORES.name(), Topics.TASK_METADATA.name());

  /** Where to record from and what. */
  public record Options(
      String bootstrapServers,
      String registryUrl,
      Instant from,
      Instant to,
      Map<String, String> clientProperties) {
    public Options {
      if (!from.isBefore(to)) {
        throw new ReplayException("empty time range: --from " + from + " is not before --to " + to);
      }
      clientProperties = Map.copyOf(clientProperties);
    }
  }

  /** What was written. */
  public record Summary(Path file, Map<String, Long> recordsByTopic, long bytes) {
    public long total() {
      return recordsByTopic.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Records the range into {@code file}.
   *
   * @throws ReplayException when the cluster cannot be read or the range holds no request and no
   *     decision
   */
  public static Summary record(Options o, Path file, Consumer<String> say) {
    Map<String, Object> props = new HashMap<>(o.clientProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "swarmsched-record");
    long from = o.from().toEpochMilli();
    long to = o.to().toEpochMilli();
    long decisionsTo = to + DECISION_SLACK.toMillis();
    List<RecordedRecord> kept = new ArrayList<>();
    Map<String, RecordedRecord> tableStart = new LinkedHashMap<>();
    Map<String, Long> counts = new TreeMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      Map<TopicPartition, Long> start = new HashMap<>();
      Map<TopicPartition, Long> end = new HashMap<>();
      Map<String, List<PartitionInfo>> all;
      try {
        all = consumer.listTopics(Duration.ofSeconds(30));
      } catch (KafkaException e) {
        throw new ReplayException(
            "cannot reach Kafka at " + o.bootstrapServers() + ": " + e.getMessage(), e);
      }
      if (!all.containsKey(Topics.SCHEDULE_REQUESTS.name())) {
        throw new ReplayException(
            "no swarmsched topics on "
                + o.bootstrapServers()
                + " ("
                + Topics.SCHEDULE_REQUESTS.name()
                + " is missing)");
      }
      List<TopicPartition> events = partitions(all, EVENT_TOPICS);
      List<TopicPartition> tables = partitions(all, TABLE_TOPICS);
      Map<TopicPartition, Long> endOffsets =
          consumer.endOffsets(concat(events, tables), Duration.ofSeconds(30));
      Map<TopicPartition, Long> fromQuery = new HashMap<>();
      Map<TopicPartition, Long> toQuery = new HashMap<>();
      for (TopicPartition tp : events) {
        fromQuery.put(tp, from);
        toQuery.put(
            tp,
            (tp.topic().equals(Topics.SCHEDULE_DECISIONS.name()) ? decisionsTo : to)
                + DECISION_SLACK.toMillis()); // producers' clocks differ: read a little past
      }
      for (TopicPartition tp : tables) {
        toQuery.put(tp, to + DECISION_SLACK.toMillis());
      }
      Map<TopicPartition, OffsetAndTimestamp> fromOffsets =
          consumer.offsetsForTimes(fromQuery, Duration.ofSeconds(30));
      Map<TopicPartition, OffsetAndTimestamp> toOffsets =
          consumer.offsetsForTimes(toQuery, Duration.ofSeconds(30));
      Map<TopicPartition, Long> beginnings =
          consumer.beginningOffsets(tables, Duration.ofSeconds(30));
      for (TopicPartition tp : concat(events, tables)) {
        long e = endOffsets.getOrDefault(tp, 0L);
        OffsetAndTimestamp t = toOffsets.get(tp);
        long stop = t == null ? e : Math.min(e, t.offset());
        long begin;
        if (fromQuery.containsKey(tp)) {
          OffsetAndTimestamp f = fromOffsets.get(tp);
          begin = f == null ? e : f.offset();
        } else {
          begin = beginnings.getOrDefault(tp, 0L);
        }
        if (begin < stop) {
          start.put(tp, begin);
          end.put(tp, stop);
        }
      }
      consumer.assign(start.keySet());
      start.forEach(consumer::seek);
      say.accept(
          "reading "
              + start.size()
              + " partitions of "
              + (EVENT_TOPICS.size() + TABLE_TOPICS.size())
              + " topics from "
              + o.bootstrapServers());
      long lastMove = System.nanoTime();
      while (!end.isEmpty()) {
        var batch = consumer.poll(Duration.ofMillis(500));
        if (!batch.isEmpty()) lastMove = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          Long stop = end.get(tp);
          if (stop == null || r.offset() >= stop) continue;
          long ts = r.timestamp();
          RecordedRecord rec =
              new RecordedRecord(
                  r.topic(),
                  r.partition(),
                  r.offset(),
                  ts,
                  r.key(),
                  r.value(),
                  schemaId(r.value()));
          if (TABLE_TOPICS.contains(r.topic())) {
            if (ts < from) {
              // the table's state at `from`: the latest record of each key before it
              tableStart.put(
                  r.topic() + "\u0000" + Arrays.toString(r.key() == null ? new byte[0] : r.key()),
                  rec);
            } else if (ts < to) {
              kept.add(rec);
            }
          } else {
            long until = r.topic().equals(Topics.SCHEDULE_DECISIONS.name()) ? decisionsTo : to;
            if (ts >= from && ts < until) kept.add(rec);
          }
        }
        for (TopicPartition tp : new ArrayList<>(end.keySet())) {
          if (consumer.position(tp) >= end.get(tp)) {
            end.remove(tp);
            consumer.pause(List.of(tp));
          }
        }
        if (!end.isEmpty() && System.nanoTime() - lastMove > STALL_TIMEOUT.toNanos()) {
          throw new ReplayException(
              "recording stalled: no record from "
                  + end.keySet()
                  + " for "
                  + STALL_TIMEOUT.toSeconds()
                  + " s");
        }
      }
    } catch (KafkaException e) {
      throw new ReplayException(
          "cannot read from Kafka at " + o.bootstrapServers() + ": " + e.getMessage(), e);
    }
    List<RecordedRecord> out = new ArrayList<>(tableStart.values());
    out.addAll(kept);
    long requests =
        out.stream().filter(r -> r.topic().equals(Topics.SCHEDULE_REQUESTS.name())).count();
    long decisions =
        out.stream().filter(r -> r.topic().equals(Topics.SCHEDULE_DECISIONS.name())).count();
    if (requests == 0 && decisions == 0) {
      throw new ReplayException(
          "no schedule requests and no decisions between "
              + o.from()
              + " and "
              + o.to()
              + " on "
              + o.bootstrapServers());
    }
    SchemaRegistryClient registry =
        SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", o.registryUrl()));
    Map<Integer, String> texts = new HashMap<>();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(RecordingFile.META_FROM, o.from().toString());
    meta.put(RecordingFile.META_TO, o.to().toString());
    meta.put(RecordingFile.META_SOURCE, o.bootstrapServers());
    meta.put(RecordingFile.META_CREATED, Instant.now().toString());
    try (RecordingFile.Writer w =
        new RecordingFile.Writer(
            file,
            meta,
            id ->
                texts.computeIfAbsent(
                    id,
                    i -> {
                      try {
                        return registry.getById(i).toString();
                      } catch (RuntimeException e) {
                        // the records of this id will be counted as undecodable by a replay
                        say.accept("warning: schema id " + i + " not found in " + o.registryUrl());
                        return null;
                      }
                    }))) {
      for (RecordedRecord r : out) {
        w.append(r);
        counts.merge(r.topic(), 1L, Long::sum);
      }
    }
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (java.io.IOException e) {
      bytes = -1;
    }
    return new Summary(file, counts, bytes);
  }

  /** The writer schema id of a Confluent wire-format value, or -1. */
  static int schemaId(byte[] value) {
    if (value == null
        || value.length < WireFormat.HEADER_SIZE
        || value[0] != WireFormat.MAGIC_BYTE) {
      return -1;
    }
    return ByteBuffer.wrap(value, 1, 4).getInt();
  }

  private static List<TopicPartition> partitions(
      Map<String, List<PartitionInfo>> all, List<String> topics) {
    List<TopicPartition> out = new ArrayList<>();
    for (String t : topics) {
      for (PartitionInfo p : all.getOrDefault(t, List.of())) {
        out.add(new TopicPartition(t, p.partition()));
      }
    }
    return out;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
