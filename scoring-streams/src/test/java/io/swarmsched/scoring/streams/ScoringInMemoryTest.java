package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.serde.SpecificAvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scorer that holds each host's horizon ({@link HorizonCache}) and a summary of its last
 * published score in memory publishes exactly what the scorer that reads its stores on every
 * evaluation publishes: the same random input (host states with and without load, served pieces in
 * and out of the grace period, tombstones, gaps longer than the horizon, clocks ahead) through
 * both, every output record compared. Some runs also make the in-memory scorer forget what it holds
 * in memory mid-stream, as a restore or a rebalance does, so that the horizons and the hosts the
 * punctuator re-scores are rebuilt from populated stores: it must still publish exactly what the
 * other one, which kept everything, publishes. Some send a host whose clock is far ahead, which
 * must turn the cache off and leave the scores those of the stores.
 */
class ScoringInMemoryTest {
  static final long T0 = 1_700_000_000_000L;

  @TempDir Path stateDir;

  /** One topology, its inputs and outputs, and the scorer Streams made for it. */
  private static final class Run implements AutoCloseable {
    final ScoringDriver driver;
    final TestInputTopic<String, byte[]> pieces;
    final TestInputTopic<String, byte[]> hosts;
    final TestOutputTopic<String, HostScore> scores;
    final TestOutputTopic<String, byte[]> deadLetters;
    final List<HostScorer> scorers = new ArrayList<>();

    Run(ScoringConfig config, Path dir, boolean inMemory) {
      driver =
          new ScoringDriver(
              ScoringTopology.build(
                  config,
                  c -> {
                    HostScorer s = new HostScorer(c, inMemory);
                    scorers.add(s);
                    return s;
                  }),
              config,
              dir,
              "scoring-cache-test",
              T0);
      pieces = driver.pieces;
      hosts = driver.hosts;
      scores = driver.scores;
      deadLetters = driver.deadLetters;
    }

    /** The one scorer Streams initialised (it makes others to check the topology). */
    HostScorer scorer() {
      List<HostScorer> running = scorers.stream().filter(HostScorer::initialized).toList();
      assertThat(running).hasSize(1);
      return running.get(0);
    }

    HorizonCache cache() {
      return scorer().cache();
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  private static PieceEvent piece(int seq, String parent, long at, long bytes) {
    return PieceEvent.newBuilder()
        .setEventId("e-" + seq)
        .setTaskId("task-" + (seq % 5))
        .setPeerId("peer-child")
        .setHostId("child-host")
        .setPieceNumber(seq)
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(PieceSource.PARENT)
        .setParentPeerId("peer-" + parent)
        .setParentHostId(parent)
        .setBytes(bytes)
        .setCostMillis(100)
        .setTimestamp(Instant.ofEpochMilli(at))
        .build();
  }

  /** One input record, as both runs get it. */
  private record Input(boolean isHost, String key, byte[] value, long at, boolean reinit) {}

  /**
   * A random stream of about 3,000 records over 8 hosts and several minutes of stream time. The
   * first host state at or after record {@code aheadAt} carries a clock far ahead (none if -1).
   */
  private static List<Input> inputs(long seed, ScoringConfig config, boolean reinit, int aheadAt) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Serde<PieceEvent> pieceSerde = SpecificAvroSerde.of(PieceEvent.class, config.serdeConfig());
    Serde<HostState> hostSerde = SpecificAvroSerde.of(HostState.class, config.serdeConfig());
    List<Input> out = new ArrayList<>();
    long now = T0;
    int hostsCount = 8;
    boolean aheadSent = false;
    boolean aheadJustSent = false;
    for (int i = 0; i < 3_000; i++) {
      // mostly small steps; now and then a gap longer than the horizon (hosts age out)
      int step = rnd.nextInt(100);
      now += step < 97 ? rnd.nextInt(400) : 70_000 + rnd.nextInt(60_000);
      String host = "host-" + rnd.nextInt(hostsCount);
      int kind = rnd.nextInt(100);
      // a rebuild now and then, and always just after the clock far ahead
      boolean re = reinit && (rnd.nextInt(100) == 0 || aheadJustSent);
      aheadJustSent = false;
      if (kind < 30) {
        // a host state: its report time is now give or take a few seconds, or far ahead
        long lastSeen = now + rnd.nextLong(-3_000, 3_000);
        if (aheadAt >= 0 && i >= aheadAt && !aheadSent) {
          lastSeen = now + Duration.ofDays(10).toMillis(); // stream time never gets there
          aheadSent = true;
          aheadJustSent = true;
        }
        long tx = rnd.nextInt(4) == 0 ? 0 : rnd.nextLong(1, 120_000_000);
        long maxTx = rnd.nextInt(20) == 0 ? 0 : 100_000_000;
        Liveness liveness = rnd.nextInt(15) == 0 ? Liveness.SUSPICIOUS : Liveness.ONLINE;
        HostState s =
            ScoringTopologyTest.hostState(host, lastSeen, tx, maxTx, rnd.nextInt(4), liveness);
        out.add(
            new Input(
                true, host, hostSerde.serializer().serialize(config.hostsTopic(), s), now, re));
      } else if (kind < 31) {
        out.add(new Input(true, host, null, now, re)); // a tombstone
      } else {
        // a served piece, mostly within grace, some late
        long at = now - (rnd.nextInt(10) == 0 ? rnd.nextLong(0, 45_000) : rnd.nextLong(0, 2_000));
        long bytes = rnd.nextInt(10) == 0 ? 0 : rnd.nextLong(1, 40_000_000);
        PieceEvent e = piece(i, host, at, bytes);
        out.add(
            new Input(
                false,
                e.getTaskId(),
                pieceSerde.serializer().serialize(config.pieceEventsTopic(), e),
                at,
                re));
      }
    }
    return out;
  }

  /**
   * Pipes the inputs; at each record marked so, the scorer with its horizon in memory forgets what
   * it holds in memory, as {@code init()} makes it after a restore, and rebuilds it from the stores
   * (the store-reading scorer does not: the two must still publish the same).
   */
  private static void pipe(Run run, List<Input> inputs) {
    for (Input in : inputs) {
      if (in.reinit() && run.cache() != null) {
        // an aborted transaction: the cache saw a write the restored stores no longer have
        run.cache().putServed("host-0", Math.floorDiv(in.at(), 1000), 90_000_000L, in.at());
        run.scorer().forgetMemory();
      }
      (in.isHost() ? run.hosts : run.pieces).pipeInput(in.key(), in.value(), in.at());
    }
  }

  private void compare(long seed, boolean reinit, int aheadAt, boolean expectOff) {
    ScoringConfig config =
        ScoringConfig.forMockRegistry("scoring-cache-" + UUID.randomUUID())
            .withMinPublishInterval(Duration.ofMillis(500));
    List<Input> inputs = inputs(seed, config, reinit, aheadAt);
    try (Run stores = new Run(config, stateDir.resolve("stores-" + seed), false);
        Run cached = new Run(config, stateDir.resolve("cached-" + seed), true)) {
      pipe(stores, inputs);
      pipe(cached, inputs);
      List<TestRecord<String, HostScore>> expected = stores.scores.readRecordsToList();
      List<TestRecord<String, HostScore>> actual = cached.scores.readRecordsToList();
      assertThat(expected).hasSizeGreaterThan(200);
      // record by record first, so that a failure names the first difference
      for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
        TestRecord<String, HostScore> e = expected.get(i);
        TestRecord<String, HostScore> a = actual.get(i);
        assertThat(a.key()).as("record %d", i).isEqualTo(e.key());
        assertThat(a.timestamp()).as("record %d", i).isEqualTo(e.timestamp());
        assertThat(a.value()).as("record %d of %s", i, e.key()).isEqualTo(e.value());
      }
      assertThat(actual).hasSameSizeAs(expected);
      // the scores moved: some host was scored loaded, not every score is the idle one
      assertThat(expected)
          .anySatisfy(r -> assertThat(r.value()).isNotNull())
          .anySatisfy(
              r -> {
                assertThat(r.value()).isNotNull();
                assertThat(r.value().getLoadQuality()).isBetween(0.01, 0.99);
              });
      assertThat(cached.deadLetters.readRecordsToList())
          .hasSameSizeAs(stores.deadLetters.readRecordsToList());
      HorizonCache cache = cached.cache();
      assertThat(cache.off()).as("cache off").isEqualTo(expectOff);
      if (!expectOff) {
        assertThat(cached.scorer().fromMemory()).isTrue();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4})
  void theCachedScorerPublishesExactlyWhatTheStoreReadingScorerPublishes(long seed) {
    compare(seed, false, -1, false);
  }

  @ParameterizedTest
  @ValueSource(longs = {5, 6, 7})
  void soDoesACacheRebuiltFromTheStoresMidStream(long seed) {
    compare(seed, true, -1, false);
  }

  @ParameterizedTest
  @ValueSource(longs = {8, 9})
  void aClockFarAheadTurnsTheCacheOffAndTheScoresStayThoseOfTheStores(long seed) {
    compare(seed, false, 1_500, true);
  }

  @ParameterizedTest
  @ValueSource(longs = {10})
  void aRebuildThatFindsABucketFarAheadLeavesTheCacheOff(long seed) {
    compare(seed, true, 600, true);
  }
}
