package io.swarmsched.bench.ingest;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.GroupProgress;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.ProcessStats;
import io.swarmsched.bench.Records;
import io.swarmsched.bench.ServiceSettings;
import io.swarmsched.bench.baseline.BrokerBaseline;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Benchmark 2: heartbeats per second through heartbeat-ingest (decode, validate, order, fold into
 * the host store, publish the host state) with 10,000 and 100,000 distinct hosts, beside the plain
 * consume-and-produce rate of the same broker. The heartbeats are produced first; a fresh ingest
 * application (started in-process from {@link HeartbeatIngestApp}) then drains them.
 */
public final class HeartbeatIngestBench implements Benchmark {
  public static final String NAME = "heartbeat-ingest";

  /** Results the memory benchmark reads: RSS and state size at the largest host count. */
  public static final String RSS_KEY = "ingest.rss_mib";

  public static final String STATE_KEY = "ingest.state_mib";

  /**
   * {@code -Dbench.ingest.quick.hosts=100000}: the host count of {@code --quick}'s one ingest run
   * (10,000 unless set), so the 100,000-host figure can be measured in a run of a few
   * minutes.
   */
  static final String QUICK_HOSTS = "bench.ingest.quick.hosts";

  /**
   * {@code -Dbench.ingest.quick.drain.seconds=60}: how long {@code --quick} waits for a drain (15 s
   * unless set; the full run waits 60 s), for a quick run on a machine too busy to drain 100,000
   * hosts' heartbeats in 15 s.
   */
  static final String QUICK_DRAIN = "bench.ingest.quick.drain.seconds";

  /** {@code -Dbench.ingest.signed=false}: leave out the signed runs (on by default). */
  static final String SIGNED = "bench.ingest.signed";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "heartbeat-ingest throughput with 10,000 and 100,000 hosts, beside plain consume-and-produce";
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    String topic = Topics.HOST_HEARTBEATS.name();
    List<String> categories = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> baseline = new ArrayList<>();
    for (String guarantee : List.of("exactly_once_v2", "at_least_once")) {
      int quickHosts = Integer.getInteger(QUICK_HOSTS, 10_000);
      for (int hosts : ctx.quick() ? List.of(quickHosts) : List.of(10_000, 100_000)) {
        if (ctx.quick() && guarantee.equals("at_least_once")) {
          continue; // the quick run keeps one host count under the service's default guarantee
        }
        // signed (issue 18): every host signs with its own Ed25519 key, so ingest verifies each
        // heartbeat and binds each host on its first; measured beside unsigned, same run, EOS only
        for (boolean signed :
            guarantee.equals("exactly_once_v2")
                    && Boolean.parseBoolean(System.getProperty(SIGNED, "true"))
                ? List.of(false, true)
                : List.of(false)) {
          int rounds = hosts == 10_000 ? ctx.pick(2, 10) : 2;
          GroupProgress.truncate(ctx, List.of(topic));
          Map<TopicPartition, Long> start = GroupProgress.endOffsets(ctx, List.of(topic));
          long produced = produceHeartbeats(ctx, topic, hosts, rounds, signed);
          ctx.progress(
              "%d %sheartbeats of %d hosts produced; starting ingest (%s)",
              produced, signed ? "signed " : "", hosts, guarantee);
          String appId =
              "bench-ingest-"
                  + guarantee.replace('_', '-')
                  + "-"
                  + hosts
                  + (signed ? "-signed" : "");
          Path state = ctx.newDir("ingest-state");
          Map<String, String> values = new LinkedHashMap<>();
          values.put(IngestSettings.APPLICATION_ID, appId);
          values.put(CommonKeys.PROCESSING_GUARANTEE, guarantee);
          try (HeartbeatIngestApp app =
              HeartbeatIngestApp.start(
                  ServiceSettings.of(ctx, state, IngestSettings.SERVICE_DEFAULTS, values))) {
            GroupProgress.Drain d =
                GroupProgress.awaitCaughtUp(
                    ctx,
                    appId,
                    List.of(topic),
                    start,
                    ctx.pick(
                        Duration.ofSeconds(Integer.getInteger(QUICK_DRAIN, 15)),
                        Duration.ofSeconds(60)),
                    "ingest " + hosts + " hosts");
            long rss = ProcessStats.rssBytes(ProcessStats.selfPid()).orElse(0);
            long stateBytes = ProcessStats.directorySize(state);
            String label =
                String.format("%,d hosts, %s%s", hosts, guarantee, signed ? ", signed" : "");
            ctx.progress(
                "%s: %.0f heartbeats/s (%d of %d%s), RSS %.0f MiB, state %.1f MiB",
                label,
                d.perSec(),
                d.records(),
                d.total(),
                d.caughtUp() ? "" : ", NOT caught up",
                ProcessStats.mib(rss),
                ProcessStats.mib(stateBytes));
            result.add(
                ctx.against(
                    "ingest heartbeats/s, " + label, d.perSec(), "records/s", BrokerBaseline.PIPE));
            result.add(
                Measurement.of(
                    "harness JVM RSS during ingest, " + label, ProcessStats.mib(rss), "MiB"));
            result.add(
                Measurement.of(
                    "ingest state on disk (RocksDB), " + label,
                    ProcessStats.mib(stateBytes),
                    "MiB"));
            if (d.includesStartup()) {
              result.note(
                  label
                      + ": the first commit already covered over a fifth of the records, so this rate "
                      + "includes start-up (it understates)");
            }
            if (!d.caughtUp()) {
              result.note(
                  label
                      + ": did not catch up within the time limit; rate is over what it processed");
            }
            if (hosts == 100_000 && guarantee.equals("exactly_once_v2") && !signed) {
              ctx.putBaseline(RSS_KEY, ProcessStats.mib(rss));
              ctx.putBaseline(STATE_KEY, ProcessStats.mib(stateBytes));
            }
            categories.add(
                String.format(
                    "%dk hosts %s%s",
                    hosts / 1000,
                    guarantee.equals("at_least_once") ? "ALOS" : "EOS",
                    signed ? " signed" : ""));
            rates.add(d.perSec());
            baseline.add(ctx.baseline(BrokerBaseline.PIPE).orElse(0.0));
          }
        }
      }
    }
    // the cost of signature checks, free of the broker and of other load on the machine
    int cpuHosts = ctx.pick(2_000, 10_000);
    ctx.progress("in-process CPU cost per heartbeat, %d hosts x 2, unsigned then signed", cpuHosts);
    IngestSignatureCost.Cost cost =
        IngestSignatureCost.measure(ctx.newDir("ingest-signature-cost"), cpuHosts, 2);
    ctx.progress(
        "ingest topology CPU per heartbeat: unsigned %.1f us, signed %.1f us",
        cost.unsignedMicros(), cost.signedMicros());
    result.add(
        Measurement.of(
            "ingest topology CPU per heartbeat, unsigned (in-process, " + cpuHosts + " hosts)",
            cost.unsignedMicros(),
            "us"));
    result.add(
        Measurement.of(
            "ingest topology CPU per heartbeat, signed (in-process, " + cpuHosts + " hosts)",
            cost.signedMicros(),
            "us"));
    result.chart(
        Charts.bars(
            ctx,
            "ingest-throughput",
            "heartbeat-ingest vs plain consume-and-produce",
            "records/s",
            categories,
            Map.of("heartbeat-ingest", rates, "plain consume-and-produce (same run)", baseline)));
    result.note(
        "Signed: each host signs with its own Ed25519 key; ingest verifies every heartbeat and binds each host on its "
            + "first (a store write and a record on swarm.host-keys.v1), beside the unsigned run of the same size. ");
    result.note(
        "Rate from the first commit seen to the group's catching up (commit.interval.ms=100), so "
            + "start-up and rebalancing are excluded. The ingest runs in the harness JVM: RSS is the harness's whole "
            + "process (the broker is a separate JVM).");
    return result;
  }

  private static long produceHeartbeats(
      BenchContext ctx, String topic, int hosts, int rounds, boolean signed) {
    SpecificAvroSerializer<HostHeartbeat> serializer = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(hosts);
    // a signed run binds its hosts on swarm.host-keys.v1, which outlives the run: its host ids get
    // a suffix of their own so that no later run meets bindings to keys it does not hold
    HostKeyPair[] keys = signed ? new HostKeyPair[hosts] : null;
    long count = 0;
    Instant base = Instant.now().minusSeconds(rounds * 3L);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (int round = 0; round < rounds; round++) {
        Instant at = base.plusSeconds(round * 3L);
        for (int h = 0; h < hosts; h++) {
          HostHeartbeat hb = Records.heartbeat(h, round + 1, at, rnd);
          if (!signed) {
            producer.send(
                new ProducerRecord<>(topic, hb.getHostId(), serializer.serialize(topic, hb)));
          } else {
            hb.setHostId(hb.getHostId() + "-signed-" + hosts);
            if (keys[h] == null) {
              keys[h] = HostKeyPair.generate();
            }
            byte[] value = serializer.serialize(topic, hb);
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, hb.getHostId(), value);
            RecordSignatures.sign(keys[h], value, r.headers());
            producer.send(r);
          }
          count++;
        }
      }
      producer.flush();
    }
    return count;
  }
}
