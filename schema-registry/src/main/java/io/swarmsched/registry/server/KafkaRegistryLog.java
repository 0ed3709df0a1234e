package io.swarmsched.registry.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's state as a compacted, single-partition Kafka topic. A reader thread consumes the
 * topic from the beginning for the server's whole life and applies every record to the state;
 * {@link #open} returns only after the reader has caught up with the end offset seen at start-up. A
 * write is produced with acks=all and then waits until the reader has applied it, so every server
 * on the topic sees records in the same order and a server's answer reflects its own write.
 */
final class KafkaRegistryLog implements RegistryLog {

  private static final Logger log = LoggerFactory.getLogger(KafkaRegistryLog.class);

  private final RegistryState state;
  private final TopicPartition partition;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread reader;
  private final Duration timeout;
  private final Object progress = new Object();

  /** Next offset the reader will apply; everything below it is in the state. */
  private long nextOffset;

  private volatile boolean running = true;
  private volatile Throwable readerFailure;

  private KafkaRegistryLog(
      RegistryState state,
      String bootstrap,
      Map<String, Object> client,
      String topic,
      Duration timeout) {
    this.state = state;
    this.timeout = timeout;
    this.partition = new TopicPartition(topic, 0);
    Properties producerProps = new Properties();
    producerProps.putAll(client);
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "swarmsched-registry-writer");
    producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    producerProps.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
    this.producer =
        new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
    Properties consumerProps = new Properties();
    consumerProps.putAll(client);
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "swarmsched-registry-reader");
    this.consumer =
        new KafkaConsumer<>(
            consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.reader = new Thread(this::readLoop, "registry-log-reader-" + topic);
    this.reader.setDaemon(true);
  }

  /** Creates the topic when missing, reads it to its end, and keeps following it. */
  static KafkaRegistryLog open(
      RegistryState state,
      String bootstrap,
      Map<String, Object> client,
      String topic,
      Duration timeout) {
    ensureTopic(bootstrap, client, topic, timeout);
    KafkaRegistryLog store;
    try {
      store = new KafkaRegistryLog(state, bootstrap, client, topic, timeout);
    } catch (KafkaException e) {
      throw RegistryError.storeError(
          "cannot create Kafka clients for " + bootstrap + ": " + e.getMessage(), e);
    }
    try {
      store.consumer.assign(List.of(store.partition));
      store.consumer.seekToBeginning(List.of(store.partition));
      long end = store.consumer.endOffsets(List.of(store.partition), timeout).get(store.partition);
      store.reader.start();
      store.awaitApplied(end, "reading " + topic + " up to offset " + end + " at start-up");
      log.info("Schema registry state loaded from {} ({} records)", topic, end);
      return store;
    } catch (KafkaException e) {
      store.close();
      throw RegistryError.storeError("cannot read topic " + topic + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private static void ensureTopic(
      String bootstrap, Map<String, Object> client, String topic, Duration timeout) {
    Properties props = new Properties();
    props.putAll(client);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    int requestTimeout = (int) Math.min(timeout.toMillis(), 30_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
    props.put(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        (int) Math.max(requestTimeout, timeout.toMillis()));
    try (Admin admin = Admin.create(props)) {
      NewTopic newTopic =
          new NewTopic(topic, Optional.of(1), Optional.empty())
              .configs(
                  Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      log.info("Created schemas topic {}", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw RegistryError.storeError("cannot create topic " + topic + ": " + e.getCause(), e);
      }
    } catch (TimeoutException e) {
      throw RegistryError.storeError("timed out creating topic " + topic + " on " + bootstrap, e);
    } catch (KafkaException e) {
      throw RegistryError.storeError(
          "cannot reach Kafka at "
              + bootstrap
              + " to create topic "
              + topic
              + ": "
              + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryError.storeError("interrupted creating topic " + topic, e);
    }
  }

  private void readLoop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          RecordCodec.apply(state, record.key(), record.value(), record.offset());
        }
        long position = consumer.position(partition);
        synchronized (progress) {
          if (position != nextOffset) {
            nextOffset = position;
            progress.notifyAll();
          }
        }
      }
    } catch (WakeupException e) {
      if (running) {
        readerFailure = e;
      }
    } catch (RuntimeException e) {
      readerFailure = e;
      log.error("Schemas topic reader stopped", e);
    } finally {
      synchronized (progress) {
        progress.notifyAll();
      }
    }
  }

  private void awaitApplied(long offsetExclusive, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (nextOffset < offsetExclusive) {
        if (readerFailure != null) {
          throw RegistryError.storeError(
              "the schemas topic reader failed: " + readerFailure, readerFailure);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw RegistryError.storeError("timed out " + what, null);
        }
        try {
          progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw RegistryError.storeError("interrupted " + what, e);
        }
      }
    }
  }

  @Override
  public void append(List<RecordCodec.Entry> entries) {
    long last = -1;
    try {
      for (RecordCodec.Entry entry : entries) {
        RecordMetadata written =
            producer
                .send(
                    new ProducerRecord<>(
                        partition.topic(), partition.partition(), entry.key(), entry.value()))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        last = written.offset();
      }
    } catch (ExecutionException e) {
      throw RegistryError.storeError(
          "write to " + partition.topic() + " failed: " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw RegistryError.storeError("timed out writing to " + partition.topic(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RegistryError.storeError("interrupted writing to " + partition.topic(), e);
    }
    if (last >= 0) {
      awaitApplied(last + 1, "reading back offset " + last + " of " + partition.topic());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      if (reader.isAlive()) {
        reader.join(timeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!reader.isAlive()) {
      consumer.close(Duration.ofSeconds(5)); // single-threaded: close only once the reader is gone
    }
    producer.close(Duration.ofSeconds(5));
  }
}
