package io.swarmsched.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * What an agent writes through its {@link SwarmClient} is signed over the exact bytes on the topic,
 * with the key kept in its data directory (issue 18).
 */
class SignedRecordsTest {
  @Test
  void everyRecordCarriesTheSignatureOfItsExactBytes() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.ALL);
    Path dataDir = Files.createTempDirectory("signed-agent");
    HostKeyPair key = HostKeyPair.loadOrCreate(dataDir);
    String taskId = "signed-" + UUID.randomUUID();
    try (SwarmClient client =
        new SwarmClient(kafka.bootstrapServers(), "mock://signed-records", "signer-1", key)) {
      client
          .send(
              Topics.PIECE_EVENTS,
              taskId,
              PieceEvent.newBuilder()
                  .setEventId(UUID.randomUUID().toString())
                  .setTaskId(taskId)
                  .setPeerId("p1")
                  .setHostId("signer-1")
                  .setPieceNumber(0)
                  .setOutcome(PieceOutcome.FINISHED)
                  .setSource(PieceSource.ORIGIN)
                  .setBytes(1)
                  .setCostMillis(1)
                  .setTimestamp(Instant.now())
                  .build())
          .get();
    }
    ConsumerRecord<String, byte[]> record =
        TopicReader.of(kafka)
            .readFirst(
                Topics.PIECE_EVENTS.name(),
                new StringDeserializer(),
                new ByteArrayDeserializer(),
                r -> taskId.equals(r.key()),
                Duration.ofSeconds(60));
    RecordSignatures.Verification v = RecordSignatures.verify(record.value(), record.headers());
    assertThat(v.validFor(key.publicKey())).isTrue();
    assertThat(HostKeyPair.loadOrCreate(dataDir).keyId()).isEqualTo(key.keyId());
  }
}
