package io.swarmsched.bench.baseline;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.Latencies;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.Pacer;
import io.swarmsched.bench.ProcessStats;
import io.swarmsched.bench.Records;
import io.swarmsched.bench.ServiceSettings;
import io.swarmsched.serde.SpecificAvroSerializer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Benchmark 1: what the broker itself does on this machine, with the project's real records. Every
 * other figure of the run is read against these baselines:
 *
 * <ul>
 *   <li>{@code broker.produce.<Type>} / {@code broker.consume.<Type>}: records/s of pre-serialized
 *       HostHeartbeat, PieceEvent and ScheduleRequest values (Avro, Confluent wire format);
 *   <li>{@code broker.pipe.HostHeartbeat}: a plain consume-and-produce loop (no processing);
 *   <li>{@code broker.e2e.p50_ms}, {@code p99_ms}, {@code p999_ms}: one-hop produce-to-consume
 *       latency at a light fixed rate, linger 0.
 * </ul>
 */
public final class BrokerBaseline implements Benchmark {
  public static final String NAME = "broker-baseline";
  public static final String PRODUCE = "broker.produce.";
  public static final String CONSUME = "broker.consume.";
  public static final String PIPE = "broker.pipe.HostHeartbeat";
  public static final String E2E_P50 = "broker.e2e.p50_ms";
  public static final String E2E_P99 = "broker.e2e.p99_ms";
  public static final String E2E_P999 = "broker.e2e.p999_ms";
  public static final String SERIALIZE = "serialize.";

  /**
   * The exactly-once hop's p50 / p99 at 1,000 records/s, committing every {@code <ms>} ms: keys
   * {@code broker.eos.<ms>ms.p50_ms} and {@code .p99_ms} ({@link #eosKey}).
   */
  public static final String EOS_PREFIX = "broker.eos.";

  /** The rate of the exactly-once hop. */
  public static final int EOS_RATE = 1_000;

  private static final int PARTITIONS = 3;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "Kafka's own producer/consumer throughput with the project's records, and one-hop latency";
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    int pool = ctx.pick(2_000, 20_000);
    long count = ctx.pick(150_000L, 1_000_000L);
    Duration limit =
        ctx.pick(Duration.ofSeconds(5), Duration.ofSeconds(20)); // each produce/consume/pipe loop
    Instant now = Instant.now();
    SplittableRandom rnd = new SplittableRandom(42);

    Map<String, IntFunction<SpecificRecord>> types = new LinkedHashMap<>();
    types.put("HostHeartbeat", i -> Records.heartbeat(i, i, now, rnd));
    types.put("PieceEvent", i -> Records.pieceEvent(i, i % 500, i, (i + 1) % pool, now, rnd));
    types.put("ScheduleRequest", i -> Records.scheduleRequest("req-" + i, i % 500, i, i, now));

    List<String> categories = new ArrayList<>();
    List<Double> produced = new ArrayList<>();
    List<Double> consumed = new ArrayList<>();
    String heartbeatTopic = null;
    long heartbeatsWritten = 0;
    for (Map.Entry<String, IntFunction<SpecificRecord>> type : types.entrySet()) {
      String name = type.getKey();
      String topic = ctx.newTopic("baseline-" + name, PARTITIONS);
      Pool values = serialize(ctx, topic, pool, type.getValue());
      ctx.progress(
          "%s: %.0f bytes/record serialized, %.0f serializations/s",
          name, values.avgBytes, values.serializePerSec);
      result.add(
          Measurement.of(
              "serialize " + name + " (project serializer, registry cached)",
              values.serializePerSec,
              "records/s"));
      result.add(Measurement.of(name + " serialized size", values.avgBytes, "bytes"));
      ctx.putBaseline(SERIALIZE + name, values.serializePerSec);

      Rate p = produce(ctx, topic, values, count, limit);
      ctx.progress(
          "%s: produced %d in %.2f s = %.0f records/s (%.1f MiB/s)",
          name, p.records, p.seconds, p.perSec(), p.perSec() * values.avgBytes / Records.MIB);
      Rate c = consume(ctx, topic, p.records, limit.multipliedBy(2));
      ctx.progress(
          "%s: consumed %d in %.2f s = %.0f records/s", name, c.records, c.seconds, c.perSec());
      ctx.putBaseline(PRODUCE + name, p.perSec());
      ctx.putBaseline(CONSUME + name, c.perSec());
      result.add(Measurement.of("produce " + name, p.perSec(), "records/s"));
      result.add(
          Measurement.of("produce " + name, p.perSec() * values.avgBytes / Records.MIB, "MiB/s"));
      result.add(Measurement.of("consume " + name, c.perSec(), "records/s"));
      categories.add(name);
      produced.add(p.perSec());
      consumed.add(c.perSec());
      if (heartbeatTopic == null) {
        heartbeatTopic = topic;
        heartbeatsWritten = p.records;
      }
    }

    Rate pipe =
        pipe(
            ctx,
            heartbeatTopic,
            PARTITIONS,
            Math.min(heartbeatsWritten, ctx.pick(60_000L, 500_000L)),
            limit);
    ctx.progress(
        "consume-and-produce HostHeartbeat: %d in %.2f s = %.0f records/s",
        pipe.records, pipe.seconds, pipe.perSec());
    ctx.putBaseline(PIPE, pipe.perSec());
    result.add(
        Measurement.of(
            "consume-and-produce HostHeartbeat (plain loop, no processing)",
            pipe.perSec(),
            "records/s"));

    Map<String, Latencies> curves = new LinkedHashMap<>();
    List<Integer> rates = ctx.pick(List.of(1_000, 5_000), List.of(1_000, 5_000, 20_000));
    Duration each = ctx.pick(Duration.ofSeconds(4), Duration.ofSeconds(15));
    Pool heartbeats = serialize(ctx, heartbeatTopic, 1000, types.get("HostHeartbeat"));
    for (int rate : rates) {
      Latencies lat =
          endToEnd(
              ctx,
              heartbeats,
              rate,
              each,
              ctx.pick(Duration.ofSeconds(10), Duration.ofSeconds(30)));
      curves.put(rate + " records/s", lat);
      ctx.progress(
          "one-hop latency at %d/s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d samples)",
          rate, lat.millisAt(0.5), lat.millisAt(0.99), lat.millisAt(0.999), lat.count());
      result.add(
          Measurement.of("one-hop produce→consume p50 @ " + rate + "/s", lat.millisAt(0.5), "ms"));
      result.add(
          Measurement.of("one-hop produce→consume p99 @ " + rate + "/s", lat.millisAt(0.99), "ms"));
      result.add(
          Measurement.of(
              "one-hop produce→consume p99.9 @ " + rate + "/s", lat.millisAt(0.999), "ms"));
      result.data("e2e_" + rate, lat.summary());
      if (rate == rates.get(0)) {
        ctx.putBaseline(E2E_P50, lat.millisAt(0.5));
        ctx.putBaseline(E2E_P99, lat.millisAt(0.99));
        ctx.putBaseline(E2E_P999, lat.millisAt(0.999));
      }
    }
    for (long commitMs : eosIntervals()) {
      Latencies lat =
          exactlyOnceHop(
              ctx,
              heartbeats,
              EOS_RATE,
              commitMs,
              each,
              ctx.pick(Duration.ofSeconds(10), Duration.ofSeconds(30)));
      String label = "exactly-once hop, " + commitMs + " ms commits";
      curves.put(EOS_RATE + " records/s, " + label, lat);
      ctx.progress(
          "%s at %d/s: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms (%d samples)",
          label, EOS_RATE, lat.millisAt(0.5), lat.millisAt(0.99), lat.millisAt(0.999), lat.count());
      result.add(Measurement.of(label + " p50 @ " + EOS_RATE + "/s", lat.millisAt(0.5), "ms"));
      result.add(Measurement.of(label + " p99 @ " + EOS_RATE + "/s", lat.millisAt(0.99), "ms"));
      result.data("eos_" + commitMs + "ms", lat.summary());
      ctx.putBaseline(eosKey(commitMs, "p50"), lat.millisAt(0.5));
      ctx.putBaseline(eosKey(commitMs, "p99"), lat.millisAt(0.99));
    }
    result.chart(
        Charts.latencyDistribution(
            ctx, "broker-e2e-latency", "Kafka one-hop produce→consume latency", curves));
    result.chart(
        Charts.bars(
            ctx,
            "broker-throughput",
            "Kafka throughput with the project's records",
            "records/s",
            categories,
            Map.of("produce", produced, "consume", consumed)));

    long brokerRss = ProcessStats.rssBytes(ctx.brokerPid()).orElse(0);
    long onDisk = ProcessStats.directorySize(ctx.brokerDataDir());
    result.add(Measurement.of("broker RSS", ProcessStats.mib(brokerRss), "MiB"));
    result.add(Measurement.of("broker log size on disk", ProcessStats.mib(onDisk), "MiB"));
    result.note(
        "Records are pre-serialized, so produce/consume figures are the broker and client, not Avro; "
            + "serialization is listed separately. "
            + PARTITIONS
            + " partitions, acks=all, idempotent producer, "
            + "linger 5 ms, batch 64 KiB; latency runs use linger 0 and one partition. The "
            + "exactly-once hop is a plain read-process-write loop under a transaction: a "
            + "transactional producer (linger 100 ms, as Kafka Streams sets it) forwards what a "
            + "read_committed consumer reads and commits its offsets in the transaction every N "
            + "ms; a read_committed reader records send-to-read, the floor of any exactly-once "
            + "service at that commit interval (one input and one output partition).");
    return result;
  }

  /** Serialized values of one record type, cycled by the producer. */
  public record Pool(
      List<String> keys, List<byte[]> values, double avgBytes, double serializePerSec) {}

  private static Pool serialize(
      BenchContext ctx, String topic, int n, IntFunction<SpecificRecord> make) {
    SpecificAvroSerializer<SpecificRecord> serializer = ctx.serializer();
    List<SpecificRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      records.add(make.apply(i));
    }
    serializer.serialize(topic, records.get(0)); // registers the schema once
    List<String> keys = new ArrayList<>(n);
    List<byte[]> values = new ArrayList<>(n);
    for (SpecificRecord r : records) { // first pass warms the JIT; the second is timed
      serializer.serialize(topic, r);
    }
    long bytes = 0;
    long t0 = System.nanoTime();
    for (SpecificRecord r : records) {
      byte[] v = serializer.serialize(topic, r);
      values.add(v);
      bytes += v.length;
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    for (SpecificRecord r : records) {
      keys.add(String.valueOf(r.get(r.getSchema().getFields().get(0).pos())));
    }
    serializer.close();
    return new Pool(keys, values, (double) bytes / n, n / secs);
  }

  /** Records moved and the seconds they took. */
  public record Rate(long records, double seconds) {
    public double perSec() {
      return seconds <= 0 ? 0 : records / seconds;
    }
  }

  private static Rate produce(
      BenchContext ctx, String topic, Pool pool, long count, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    AtomicLong acked = new AtomicLong();
    long sent = 0;
    long t0 = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      int n = pool.values().size();
      while (sent < count && (sent % 1000 != 0 || System.nanoTime() < deadline)) {
        int i = (int) (sent % n);
        producer.send(
            new ProducerRecord<>(topic, pool.keys().get(i), pool.values().get(i)),
            (md, e) -> {
              if (e == null) {
                acked.incrementAndGet();
              }
            });
        sent++;
      }
      producer.flush();
    }
    return new Rate(acked.get(), (System.nanoTime() - t0) / 1e9);
  }

  private static Rate consume(BenchContext ctx, String topic, long expected, Duration limit) {
    Map<String, Object> props = ctx.consumerProps("baseline-consume-" + topic);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    long deadline = System.nanoTime() + limit.toNanos();
    long read = 0;
    long first = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      while (read < expected && System.nanoTime() < deadline) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty() && first == 0) {
          first = System.nanoTime(); // from the first record: group join is not throughput
        }
        read += records.count();
      }
    }
    return new Rate(read, first == 0 ? 0 : (System.nanoTime() - first) / 1e9);
  }

  /**
   * A plain consume-and-produce loop: what any read-process-write service gets at best on this
   * broker. Reads {@code from} (all of it, from the earliest offset) into a new topic of {@code
   * partitions} partitions; other benchmarks run it on their own records beside their figures.
   */
  public static Rate pipe(
      BenchContext ctx, String from, int partitions, long count, Duration limit) {
    String to = ctx.newTopic("baseline-pipe", partitions);
    Map<String, Object> cprops = ctx.consumerProps("baseline-pipe-" + from);
    cprops.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    long deadline = System.nanoTime() + limit.toNanos();
    AtomicLong acked = new AtomicLong();
    long read = 0;
    long first = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cprops);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      consumer.subscribe(List.of(from));
      while (read < count && System.nanoTime() < deadline) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty() && first == 0) {
          first = System.nanoTime();
        }
        for (ConsumerRecord<String, byte[]> r : records) {
          producer.send(
              new ProducerRecord<>(to, r.key(), r.value()),
              (md, e) -> {
                if (e == null) {
                  acked.incrementAndGet();
                }
              });
          read++;
        }
        producer.flush();
        consumer.commitSync();
      }
    }
    return new Rate(acked.get(), first == 0 ? 0 : (System.nanoTime() - first) / 1e9);
  }

  /**
   * One-hop latency: send at {@code rate} with a nanoTime header, a consumer in this JVM records
   * arrival − send.
   */
  public static Latencies endToEnd(
      BenchContext ctx, Pool pool, int rate, Duration duration, Duration drain) throws Exception {
    String topic = ctx.newTopic("baseline-e2e", 1);
    Latencies lat = new Latencies();
    long total = (long) (rate * (duration.toNanos() / 1e9));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong received = new AtomicLong();
    AtomicBoolean warmedUp = new AtomicBoolean();
    Map<String, Object> cprops = ctx.consumerProps("baseline-e2e-" + topic);
    cprops.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    cprops.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    Thread consumerThread =
        timedReader(cprops, topic, lat, received, warmedUp, stop, "bench-e2e-consumer");
    Map<String, Object> pprops = ctx.producerProps();
    pprops.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pprops)) {
      // warm-up: wait until the consumer has joined and reads, so group join is not in the figures
      producer.send(new ProducerRecord<>(topic, "warmup", new byte[1])).get();
      long joinDeadline = System.nanoTime() + drain.multipliedBy(2).toNanos();
      while (!warmedUp.get() && System.nanoTime() < joinDeadline) {
        Thread.sleep(10);
      }
      lat.reset();
      sendTimed(producer, topic, pool, rate, total);
    }
    long deadline = System.nanoTime() + drain.toNanos();
    while (received.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    stop.set(true);
    consumerThread.join(10_000);
    return lat;
  }

  /**
   * Starts a daemon thread that reads {@code topic} until {@code stop} and records, for each record
   * with a {@code sent-nanos} header, arrival − send; a record keyed {@code warmup} sets {@code
   * warmedUp}.
   */
  private static Thread timedReader(
      Map<String, Object> props,
      String topic,
      Latencies lat,
      AtomicLong received,
      AtomicBoolean warmedUp,
      AtomicBoolean stop,
      String name) {
    Thread thread =
        new Thread(
            () -> {
              try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(List.of(topic));
                while (!stop.get()) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    if ("warmup".equals(r.key())) {
                      warmedUp.set(true);
                    }
                    Header h = r.headers().lastHeader("sent-nanos");
                    if (h != null) {
                      lat.recordNanos(now - ByteBuffer.wrap(h.value()).getLong());
                      received.incrementAndGet();
                    }
                  }
                }
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Sends {@code total} records of the pool to {@code topic} at {@code rate}, each timed. */
  private static void sendTimed(
      KafkaProducer<String, byte[]> producer, String topic, Pool pool, int rate, long total) {
    Pacer pacer = new Pacer(rate);
    int n = pool.values().size();
    for (long i = 0; i < total; i++) {
      pacer.awaitTurn(i);
      int k = (int) (i % n);
      ProducerRecord<String, byte[]> rec =
          new ProducerRecord<>(topic, pool.keys().get(k), pool.values().get(k));
      rec.headers().add("sent-nanos", ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
      producer.send(rec);
    }
    producer.flush();
  }

  /** The baseline key of the exactly-once hop's {@code stat} (p50 or p99) at {@code commitMs}. */
  public static String eosKey(long commitMs, String stat) {
    return EOS_PREFIX + commitMs + "ms." + stat + "_ms";
  }

  /**
   * The commit intervals the exactly-once hop runs at: 10 ms, and the services' own interval of
   * this run (100 ms unless {@code -Dbench.set.swarm.streams.commit.interval.ms} says otherwise).
   */
  public static List<Long> eosIntervals() {
    long services = ServiceSettings.commitIntervalMs();
    return services == 10 ? List.of(10L) : List.of(10L, services);
  }

  /**
   * An exactly-once hop: records sent at {@code rate} (non-transactional, linger 0, a nanoTime
   * header) to an input topic; a loop reads them (read_committed) and forwards them to an output
   * topic in a transaction that it commits, with its input offsets, every {@code commitMs}; a
   * read_committed reader records arrival − send. What remains of a service's latency beside it is
   * the service's own work and its framework's.
   */
  public static Latencies exactlyOnceHop(
      BenchContext ctx, Pool pool, int rate, long commitMs, Duration duration, Duration drain)
      throws Exception {
    String in = ctx.newTopic("baseline-eos-in", 1);
    String out = ctx.newTopic("baseline-eos-out", 1);
    Latencies lat = new Latencies();
    long total = (long) (rate * (duration.toNanos() / 1e9));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong received = new AtomicLong();
    AtomicBoolean warmedUp = new AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Exception> failed =
        new java.util.concurrent.atomic.AtomicReference<>();

    Map<String, Object> relayIn = ctx.consumerProps("baseline-eos-" + in);
    relayIn.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    relayIn.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
    Map<String, Object> relayOut = ctx.producerProps();
    relayOut.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "baseline-eos-" + out);
    relayOut.put(ProducerConfig.LINGER_MS_CONFIG, 100);
    relayOut.put(ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024);
    Thread relay =
        new Thread(
            () -> {
              try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(relayIn);
                  KafkaProducer<String, byte[]> producer = new KafkaProducer<>(relayOut)) {
                consumer.subscribe(List.of(in));
                producer.initTransactions();
                boolean open = false;
                long lastCommit = System.nanoTime();
                while (!stop.get()) {
                  ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(5));
                  for (ConsumerRecord<String, byte[]> r : records) {
                    if (!open) {
                      producer.beginTransaction();
                      open = true;
                    }
                    producer.send(new ProducerRecord<>(out, null, r.key(), r.value(), r.headers()));
                  }
                  if (open && System.nanoTime() - lastCommit >= commitMs * 1_000_000L) {
                    Map<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> offsets =
                        new LinkedHashMap<>();
                    for (org.apache.kafka.common.TopicPartition tp : consumer.assignment()) {
                      offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    open = false;
                    lastCommit = System.nanoTime();
                  }
                }
              } catch (Exception e) {
                failed.set(e);
              }
            },
            "bench-eos-relay");
    relay.setDaemon(true);
    relay.start();

    Map<String, Object> cprops = ctx.consumerProps("baseline-eos-reader-" + out);
    cprops.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cprops.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50); // as the dispatcher bench reads
    Thread reader = timedReader(cprops, out, lat, received, warmedUp, stop, "bench-eos-reader");

    Map<String, Object> pprops = ctx.producerProps();
    pprops.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pprops)) {
      // warm-up: until a record has made the whole hop (both groups joined, the transaction on)
      long joinDeadline = System.nanoTime() + drain.multipliedBy(2).toNanos();
      while (!warmedUp.get() && failed.get() == null && System.nanoTime() < joinDeadline) {
        producer.send(new ProducerRecord<>(in, "warmup", new byte[1])).get();
        Thread.sleep(100);
      }
      if (!warmedUp.get()) {
        stop.set(true);
        throw new IllegalStateException(
            "the exactly-once hop carried no record within "
                + drain.multipliedBy(2).toSeconds()
                + " s"
                + (failed.get() == null ? "" : ": " + failed.get()),
            failed.get());
      }
      lat.reset();
      sendTimed(producer, in, pool, rate, total);
    }
    long deadline = System.nanoTime() + drain.toNanos();
    while (received.get() < total && failed.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    stop.set(true);
    relay.join(10_000);
    reader.join(10_000);
    if (failed.get() != null) {
      throw new IllegalStateException(
          "the exactly-once hop failed: " + failed.get().getMessage(), failed.get());
    }
    return lat;
  }

  /** Serialized heartbeats for other benchmarks' own latency probes. */
  public static Pool heartbeatPool(BenchContext ctx, String topic, int n) {
    SplittableRandom rnd = new SplittableRandom(7);
    Instant now = Instant.now();
    return serialize(ctx, topic, n, i -> Records.heartbeat(i, i, now, rnd));
  }
}
