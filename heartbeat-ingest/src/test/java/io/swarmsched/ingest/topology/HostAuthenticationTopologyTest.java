package io.swarmsched.ingest.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.PrincipalSeal;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostState;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18 in the ingest topology: bindings, forged, replayed and far-future heartbeats. */
class HostAuthenticationTopologyTest {
  private static final String SCOPE = "ingest-auth-test";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String REAL_ADDRESS = "10.0.0.7:65001";

  /** Ingest's secret (in a service: derived from its Kafka password), as its gateway seals. */
  private static final PrincipalSeal SEAL = PrincipalSeal.of("ingest-password");

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private Serde<HostHeartbeat> heartbeatSerde;
  private Serde<HostKey> keySerde;
  private TestInputTopic<String, byte[]> heartbeats;
  private TestInputTopic<String, byte[]> keysIn;
  private TestOutputTopic<String, HostKey> keysOut;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private final HostKeyPair agentKey = HostKeyPair.generate();
  private final HostKeyPair forgerKey = HostKeyPair.generate();
  private Instant now = T0;

  @BeforeEach
  void start() {
    IngestConfig config =
        IngestConfig.defaults(MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE).withPrincipalSeal(SEAL);
    heartbeatSerde = SpecificAvroSerde.of(HostHeartbeat.class, config.serdeConfig());
    keySerde = SpecificAvroSerde.of(HostKey.class, config.serdeConfig());
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, SCOPE);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(IngestTopology.build(config), props, T0);
    heartbeats =
        driver.createInputTopic(
            Topics.HOST_HEARTBEATS.name(), new StringSerializer(), new ByteArraySerializer());
    keysIn =
        driver.createInputTopic(
            Topics.HOST_KEYS.name(), new StringSerializer(), new ByteArraySerializer());
    keysOut =
        driver.createOutputTopic(
            Topics.HOST_KEYS.name(), new StringDeserializer(), keySerde.deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
    MockSchemaRegistry.dropScope(SCOPE);
  }

  // ------------------------------------------------------------------ helpers

  private byte[] bytes(HostHeartbeat hb) {
    return heartbeatSerde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), hb);
  }

  private void tick() {
    driver.advanceWallClockTime(Duration.ofSeconds(3));
    now = now.plusSeconds(3);
  }

  private void pipe(String host, byte[] value, Headers headers) {
    heartbeats.pipeInput(new TestRecord<>(host, value, headers, now));
  }

  private byte[] signedBy(HostKeyPair key, HostHeartbeat hb, Headers headers) {
    byte[] value = bytes(hb);
    RecordSignatures.sign(key, value, headers);
    return value;
  }

  private void sendSigned(HostKeyPair key, HostHeartbeat hb) {
    RecordHeaders headers = new RecordHeaders();
    pipe(hb.getHostId(), signedBy(key, hb, headers), headers);
  }

  /** As ingest's HTTP gateway writes it: the poster's principal, sealed. */
  private void sendFromPrincipal(String principal, HostHeartbeat hb) {
    RecordHeaders headers = new RecordHeaders();
    byte[] value = bytes(hb);
    SEAL.stamp(principal, value, headers);
    pipe(hb.getHostId(), value, headers);
  }

  /** As any Kafka client allowed to write heartbeats can: the principal header, unsealed. */
  private void sendWithBarePrincipalHeader(String principal, HostHeartbeat hb) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(RecordSignatures.PRINCIPAL, principal.getBytes(StandardCharsets.UTF_8));
    pipe(hb.getHostId(), bytes(hb), headers);
  }

  private HostHeartbeat hb(String host, long seq) {
    return Heartbeats.valid(host, seq, now).build();
  }

  private HostHeartbeat forgedHb(String host, long seq, Instant ts) {
    return Heartbeats.valid(host, seq, ts).setPieceServerAddress("6.6.6.6:1").build();
  }

  private KeyValueStore<String, StoredHost> hosts() {
    return driver.getKeyValueStore(IngestTopology.HOST_STORE);
  }

  /** The host's stored state, or null. */
  private HostState stored(String host) {
    StoredHost s = hosts().get(host);
    return s == null ? null : s.state();
  }

  private KeyValueStore<String, HostKey> bindings() {
    return driver.getKeyValueStore(IngestTopology.HOST_KEY_STORE);
  }

  private TestRecord<byte[], byte[]> onlyDeadLetter() {
    List<TestRecord<byte[], byte[]>> all = deadLetters.readRecordsToList();
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    return DeadLetterHeaders.lastValue(r.headers(), name).orElse(null);
  }

  private void assertRefused(String reasonPart, byte[] originalValue) {
    TestRecord<byte[], byte[]> dl = onlyDeadLetter();
    assertThat(header(dl, DeadLetterHeaders.STAGE)).isEqualTo(IngestTopology.STAGE_AUTHENTICATE);
    assertThat(header(dl, DeadLetterHeaders.REASON)).contains(reasonPart);
    assertThat(dl.value()).isEqualTo(originalValue);
    assertThat(stored("h1").getPieceServerAddress()).isEqualTo(REAL_ADDRESS);
  }

  /** The agent's first signed heartbeat binds h1 to its key. */
  private void bindAgent() {
    sendSigned(agentKey, hb("h1", 100));
    TestRecord<String, HostKey> bound = keysOut.readRecord();
    assertThat(bound.key()).isEqualTo("h1");
    assertThat(bound.value().getPublicKey()).isEqualTo(ByteBuffer.wrap(agentKey.publicKey()));
    assertThat(bound.value().getBoundBy()).isEqualTo("first-heartbeat");
    tick();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void theFirstSignedHeartbeatBindsTheHostAndLaterSignedOnesAreAccepted() {
    bindAgent();
    assertThat(bindings().get("h1").getPublicKey())
        .isEqualTo(ByteBuffer.wrap(agentKey.publicKey()));
    sendSigned(agentKey, hb("h1", 101));
    assertThat(stored("h1").getLastSequence()).isEqualTo(101);
    assertThat(deadLetters.isEmpty()).isTrue();
    assertThat(keysOut.isEmpty()).as("bound once").isTrue();
  }

  @Test
  void anUnsignedHeartbeatForABoundHostIsDeadLettered() {
    bindAgent();
    HostHeartbeat forged = forgedHb("h1", 1_000_000, now);
    byte[] value = bytes(forged);
    pipe("h1", value, new RecordHeaders());
    assertRefused("is bound to key " + agentKey.keyId() + "; the record is not signed", value);
  }

  @Test
  void aHeartbeatSignedByAnotherKeyIsDeadLettered() {
    bindAgent();
    RecordHeaders headers = new RecordHeaders();
    byte[] value = signedBy(forgerKey, forgedHb("h1", 1_000_000, now), headers);
    pipe("h1", value, headers);
    assertRefused("signed by another key, " + forgerKey.keyId(), value);
  }

  @Test
  void theRealSignatureOnOtherBytesIsDeadLettered() {
    bindAgent();
    RecordHeaders headers = new RecordHeaders();
    signedBy(agentKey, hb("h1", 101), headers);
    byte[] other = bytes(forgedHb("h1", 1_000_000, now));
    pipe("h1", other, headers);
    assertRefused("does not verify", other);
  }

  @Test
  void aReplayedHeartbeatIsDeadLettered() {
    RecordHeaders headers = new RecordHeaders();
    byte[] first = signedBy(agentKey, hb("h1", 100), headers);
    pipe("h1", first, headers);
    tick();
    sendSigned(agentKey, hb("h1", 101));
    tick();
    pipe("h1", first, headers); // the same bytes and signature again
    TestRecord<byte[], byte[]> dl = onlyDeadLetter();
    assertThat(header(dl, DeadLetterHeaders.REASON))
        .startsWith("replayed: sequence 100")
        .contains("last accepted sequence 101");
    assertThat(stored("h1").getLastSequence()).isEqualTo(101);
  }

  @Test
  void aFarFutureHeartbeatIsDeadLetteredEvenWhenSigned() {
    bindAgent();
    // issue 18's reproduction, signed by the real key: still refused by the clock rule
    RecordHeaders headers = new RecordHeaders();
    byte[] value = signedBy(agentKey, forgedHb("h1", 1_000_000, now.plusSeconds(50)), headers);
    pipe("h1", value, headers);
    TestRecord<byte[], byte[]> dl = onlyDeadLetter();
    assertThat(header(dl, DeadLetterHeaders.STAGE)).isEqualTo(IngestTopology.STAGE_VALIDATE);
    assertThat(header(dl, DeadLetterHeaders.REASON))
        .startsWith("timestamp: is 50000 ms in the future");
    assertThat(stored("h1").getPieceServerAddress()).isEqualTo(REAL_ADDRESS);
  }

  @Test
  void aSignatureThatDoesNotVerifyBindsNothing() {
    RecordHeaders headers = new RecordHeaders();
    signedBy(agentKey, hb("h1", 100), headers);
    byte[] other = bytes(hb("h1", 200));
    pipe("h1", other, headers);
    TestRecord<byte[], byte[]> dl = onlyDeadLetter();
    assertThat(header(dl, DeadLetterHeaders.REASON))
        .contains("is not bound")
        .contains("does not verify");
    assertThat(bindings().get("h1")).isNull();
    assertThat(keysOut.isEmpty()).isTrue();
  }

  @Test
  void anHttpClaimedHostIsBoundToItsPrincipal() {
    sendFromPrincipal("team-a", hb("w1", 1));
    TestRecord<String, HostKey> bound = keysOut.readRecord();
    assertThat(bound.value().getPrincipal()).isEqualTo("team-a");
    tick();
    sendFromPrincipal("team-b", forgedHb("w1", 2, now));
    TestRecord<byte[], byte[]> dl = onlyDeadLetter();
    assertThat(header(dl, DeadLetterHeaders.REASON))
        .isEqualTo(
            "host 'w1' is bound to principal 'team-a'; the record comes from principal 'team-b'");
    sendFromPrincipal("team-a", hb("w1", 3));
    assertThat(stored("w1").getLastSequence()).isEqualTo(3);
  }

  @Test
  void aPrincipalHeaderNotSealedByTheGatewayNeitherBindsNorSpeaksForABoundHost() {
    // an unbound host: accepted as an unsigned heartbeat, but bound to nothing
    sendWithBarePrincipalHeader("team-x", hb("w2", 1));
    assertThat(keysOut.readRecordsToList()).isEmpty();
    assertThat(bindings().get("w2")).isNull();
    assertThat(stored("w2")).isNotNull();

    // a host bound through the gateway: a heartbeat naming its principal without the seal
    sendFromPrincipal("team-a", hb("w1", 1));
    assertThat(keysOut.readRecord().value().getPrincipal()).isEqualTo("team-a");
    String address = stored("w1").getPieceServerAddress();
    tick();
    sendWithBarePrincipalHeader("team-a", forgedHb("w1", 2, now));
    assertThat(header(onlyDeadLetter(), DeadLetterHeaders.REASON))
        .isEqualTo(
            "host 'w1' is bound to principal 'team-a'; the record comes from no gateway (its"
                + " principal header is not sealed by the gateway)");
    assertThat(stored("w1").getPieceServerAddress()).isEqualTo(address);
    assertThat(stored("w1").getLastSequence()).isEqualTo(1);
  }

  @Test
  void anOperatorBindingRotatesTheKey() {
    bindAgent();
    HostKeyPair newKey = HostKeyPair.generate();
    HostKey rebinding =
        HostKey.newBuilder()
            .setHostId("h1")
            .setPublicKey(ByteBuffer.wrap(newKey.publicKey()))
            .setBoundAt(now)
            .setBoundBy("operator")
            .build();
    keysIn.pipeInput("h1", keySerde.serializer().serialize(Topics.HOST_KEYS.name(), rebinding));
    sendSigned(newKey, hb("h1", 101));
    assertThat(stored("h1").getLastSequence()).isEqualTo(101);
    tick();
    RecordHeaders headers = new RecordHeaders();
    byte[] old = signedBy(agentKey, hb("h1", 102), headers);
    pipe("h1", old, headers);
    assertRefused("signed by another key, " + agentKey.keyId(), old);
  }

  @Test
  void aBindingThatBindsNothingIsDeadLetteredAndChangesNothing() {
    bindAgent();
    HostKey empty =
        HostKey.newBuilder().setHostId("h1").setBoundAt(now).setBoundBy("operator").build();
    byte[] value = keySerde.serializer().serialize(Topics.HOST_KEYS.name(), empty);
    keysIn.pipeInput("h1", value);
    TestRecord<byte[], byte[]> dl = onlyDeadLetter();
    assertThat(header(dl, DeadLetterHeaders.STAGE))
        .isEqualTo(IngestTopology.STAGE_HOST_KEY_DESERIALIZE);
    assertThat(header(dl, DeadLetterHeaders.REASON)).contains("public_key or principal");
    assertThat(bindings().get("h1").getPublicKey())
        .isEqualTo(ByteBuffer.wrap(agentKey.publicKey()));
  }

  @Test
  void unsignedHeartbeatsOfUnboundHostsAreRefusedOnlyWhenSignaturesAreRequired() {
    pipe("u1", bytes(hb("u1", 1)), new RecordHeaders());
    assertThat(stored("u1")).isNotNull();
    assertThat(bindings().get("u1")).isNull();
    driver.close();

    IngestConfig strict =
        IngestConfig.defaults(MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE).withRequireSigned(true);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, SCOPE + "-strict");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("strict").toString());
    driver = new TopologyTestDriver(IngestTopology.build(strict), props, T0);
    heartbeats =
        driver.createInputTopic(
            Topics.HOST_HEARTBEATS.name(), new StringSerializer(), new ByteArraySerializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    pipe("u2", bytes(hb("u2", 1)), new RecordHeaders());
    assertThat(header(onlyDeadLetter(), DeadLetterHeaders.REASON))
        .contains("swarm.ingest.auth.require.signed");
    assertThat(stored("u2")).isNull();
  }
}
