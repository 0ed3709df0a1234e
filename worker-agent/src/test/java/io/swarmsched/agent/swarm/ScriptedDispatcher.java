package io.swarmsched.agent.swarm;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroDeserializer;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the dispatcher in agent tests: answers each schedule request with whatever the test's
 * script for that task says, on the real decisions topic, keyed by the host that must act.
 */
final class ScriptedDispatcher implements AutoCloseable {
  private final Map<String, Function<ScheduleRequest, ScheduleDecision>> scripts =
      new ConcurrentHashMap<>();
  final List<ScheduleRequest> requests = new CopyOnWriteArrayList<>();
  private final KafkaConsumer<String, ScheduleRequest> consumer;
  private final KafkaProducer<String, ScheduleDecision> producer;
  private final Thread thread;
  private volatile boolean running = true;

  ScriptedDispatcher(String bootstrap, String registryUrl) {
    Map<String, Object> c = new HashMap<>();
    c.put("bootstrap.servers", bootstrap);
    c.put(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "scripted-dispatcher-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    SpecificAvroDeserializer<ScheduleRequest> d =
        new SpecificAvroDeserializer<>(ScheduleRequest.class);
    d.configure(c, false);
    consumer = new KafkaConsumer<>(c, new StringDeserializer(), d);
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", bootstrap);
    p.put(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
    SpecificAvroSerializer<ScheduleDecision> s = new SpecificAvroSerializer<>();
    s.configure(p, false);
    producer = new KafkaProducer<>(p, new StringSerializer(), s);
    consumer.subscribe(List.of(Topics.SCHEDULE_REQUESTS.name()));
    // Join the group and fix positions before any test publishes.
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(100));
    }
    consumer.assignment().forEach(tp -> consumer.position(tp));
    thread = new Thread(this::loop, "scripted-dispatcher");
    thread.setDaemon(true);
    thread.start();
  }

  void script(String taskId, Function<ScheduleRequest, ScheduleDecision> answer) {
    scripts.put(taskId, answer);
  }

  private void loop() {
    while (running) {
      for (ConsumerRecord<String, ScheduleRequest> r : consumer.poll(Duration.ofMillis(100))) {
        requests.add(r.value());
        Function<ScheduleRequest, ScheduleDecision> script = scripts.get(r.value().getTaskId());
        if (script != null) {
          ScheduleDecision decision = script.apply(r.value());
          if (decision != null) {
            producer.send(
                new ProducerRecord<>(
                    Topics.SCHEDULE_DECISIONS.name(), decision.getTargetHostId(), decision));
            producer.flush();
          }
        }
      }
    }
    consumer.close();
  }

  static ScheduleDecision.Builder answer(ScheduleRequest r, DecisionOutcome outcome) {
    return ScheduleDecision.newBuilder()
        .setDecisionId(UUID.randomUUID().toString())
        .setRequestId(r.getRequestId())
        .setTaskId(r.getTaskId())
        .setPeerId(r.getPeerId())
        .setTargetHostId(r.getHostId())
        .setRequesterHostId(r.getHostId())
        .setOutcome(outcome)
        .setUrl(r.getUrl())
        .setDigest(r.getDigest())
        .setPolicyId("scripted")
        .setDecidedAt(Instant.now());
  }

  static ScheduleDecision parents(ScheduleRequest r, List<ParentCandidate> parents) {
    return answer(r, DecisionOutcome.PARENTS).setParents(parents).build();
  }

  static ParentCandidate parent(String peerId, String hostId, String address) {
    return ParentCandidate.newBuilder()
        .setPeerId(peerId)
        .setHostId(hostId)
        .setPieceServerAddress(address)
        .setTotalScore(1)
        .setIdcAffinity(0)
        .setLocationAffinity(0)
        .setLoadQuality(1)
        .setHostTypeScore(0.5)
        .setPeakBandwidthUsage(1)
        .setBandwidthDurationRatio(1)
        .setConcurrentEfficiency(1)
        .build();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
    producer.close();
  }
}
