package io.swarmsched.ingest.http;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroDeserializer;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
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
 * The whole of {@code swarm.host-keys.v1} in memory (one small record per host), for the HTTP
 * gateway to refuse, with a 403 at once, a heartbeat for a host bound to a key or to another
 * principal. The stream checks the same again; this view only makes the answer immediate (it may
 * lag a binding by a moment, and then the stream dead-letters what the gateway let through).
 */
public final class HostKeyView implements AutoCloseable, Function<String, Optional<HostKey>> {
  private static final Logger log = LoggerFactory.getLogger(HostKeyView.class);

  private final Consumer<byte[], byte[]> consumer;
  private final SpecificAvroDeserializer<HostKey> decoder;
  private final Map<String, HostKey> bindings = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  HostKeyView(Consumer<byte[], byte[]> consumer, SpecificAvroDeserializer<HostKey> decoder) {
    this.consumer = consumer;
    this.decoder = decoder;
    this.thread = new Thread(this::run, "host-key-view");
    this.thread.setDaemon(true);
  }

  public static HostKeyView start(Settings settings) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.string(CommonKeys.BOOTSTRAP_SERVERS));
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "host-key-view-" + CommonKeys.instanceId(settings));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    SpecificAvroDeserializer<HostKey> decoder = new SpecificAvroDeserializer<>(HostKey.class);
    decoder.configure(
        Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, settings.string(CommonKeys.SCHEMA_REGISTRY_URL)),
        false);
    HostKeyView view =
        new HostKeyView(
            new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            decoder);
    view.thread.start();
    return view;
  }

  @Override
  public Optional<HostKey> apply(String hostId) {
    return Optional.ofNullable(bindings.get(hostId));
  }

  private void run() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      while (running && partitions.isEmpty()) {
        List<PartitionInfo> infos =
            consumer.partitionsFor(Topics.HOST_KEYS.name(), Duration.ofSeconds(10));
        if (infos != null) {
          infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        if (partitions.isEmpty()) {
          Thread.sleep(1_000); // not provisioned yet
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          accept(r);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.error("host-key view stopped; the stream still checks every heartbeat", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null) {
      return;
    }
    String host = new String(r.key(), StandardCharsets.UTF_8);
    if (r.value() == null) {
      bindings.remove(host);
      return;
    }
    try {
      bindings.put(host, decoder.deserialize(r.topic(), r.value()));
    } catch (RuntimeException e) {
      // ingest's stream dead-letters it (stage host-key-deserialize); here it just binds nothing
      log.debug("undecodable binding for {} at offset {}", host, r.offset(), e);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
