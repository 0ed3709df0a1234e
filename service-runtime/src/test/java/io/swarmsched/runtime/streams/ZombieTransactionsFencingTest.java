package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.LocalSettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.testing.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transaction that a killed instance left open on a task's changelog is aborted by the instance
 * that takes the task over, long before its own timeout; another application's open transaction on
 * the same partition is left alone. Real broker, real Streams under exactly-once.
 */
class ZombieTransactionsFencingTest {
  final EmbeddedKafka kafka = EmbeddedKafka.get();

  @TempDir Path stateDir;

  @Test
  void theNewOwnerOfATaskFencesTheTransactionItsKilledOwnerLeftOpen() throws Exception {
    String app = EmbeddedKafka.uniqueName("zombie");
    String input = app + "-in";
    String changelog = app + "-latest-changelog";
    kafka.createTopic(input, 1, Map.of());
    // as Streams would create it; here first, so the "killed owner" below can write to it
    kafka.createTopic(changelog, 1, Map.of("cleanup.policy", "compact"));

    // the killed owner: a transactional id as exactly-once v2 names it, a record on the task's
    // changelog, and no commit, with a timeout far beyond this test
    String killedId = app + "-" + UUID.randomUUID() + "-1";
    String otherAppsId = app + "x-" + UUID.randomUUID() + "-1";
    try (KafkaProducer<byte[], byte[]> killed = openTransaction(killedId, changelog);
        KafkaProducer<byte[], byte[]> other = openTransaction(otherAppsId, changelog)) {
      Thread.sleep(ZombieTransactions.MARGIN_MS + 500);

      StreamsBuilder builder = new StreamsBuilder();
      builder.table(
          input, Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("latest"));
      Settings settings =
          LocalSettings.of(
              kafka,
              stateDir,
              "survivor",
              "127.0.0.1:1",
              CommonKeys.PROCESSING_GUARANTEE,
              CommonKeys.EXACTLY_ONCE_V2,
              "swarm.streams.num.stream.threads",
              "1");
      try (StreamsService service =
          new StreamsService(builder.build(), StreamsProps.base(app, settings))) {
        service.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (service.zombieTransactionsFenced() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(service.zombieTransactionsFenced()).isEqualTo(1);
        assertThat(state(killedId)).isNotEqualTo(TransactionState.ONGOING);
        // the killed owner, were it to wake up, can no longer commit
        assertThatThrownBy(killed::commitTransaction).isInstanceOf(ProducerFencedException.class);
        // another application's transaction on the same partition is not this service's business
        assertThat(state(otherAppsId)).isEqualTo(TransactionState.ONGOING);
        // it holds back the changelog's restore, as the killed owner's did, until it ends
        other.abortTransaction();
        service.awaitRunning(Duration.ofSeconds(60));
      }
    }
  }

  private KafkaProducer<byte[], byte[]> openTransaction(String transactionalId, String topic)
      throws Exception {
    Map<String, Object> props = new HashMap<>(kafka.producerProps());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 300_000);
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(topic, 0, "k".getBytes(), "v".getBytes())).get();
    return producer;
  }

  private TransactionState state(String transactionalId) throws Exception {
    return kafka
        .admin()
        .describeTransactions(List.of(transactionalId))
        .description(transactionalId)
        .get()
        .state();
  }
}
