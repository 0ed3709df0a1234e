package io.swarmsched.bench;

import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A reader of the dispatcher's decisions as an agent reads them, for latency measurements. */
public final class DecisionConsumer {
  private DecisionConsumer() {}

  /**
   * A consumer of {@code swarm.decisions.v1} with {@code read_committed} (a decision counts when
   * its transaction commits, as an agent sees it), no group, positioned at the topic's current end,
   * so that only decisions made from now on are read.
   */
  public static KafkaConsumer<String, ScheduleDecision> fromEnd(BenchContext ctx) throws Exception {
    Map<String, Object> props = ctx.consumerProps("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    SpecificAvroSerde<ScheduleDecision> serde =
        SpecificAvroSerde.of(
            ScheduleDecision.class, Map.of("schema.registry.url", ctx.registryUrl()));
    KafkaConsumer<String, ScheduleDecision> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), serde.deserializer());
    Map<TopicPartition, Long> end =
        GroupProgress.endOffsets(ctx, List.of(Topics.SCHEDULE_DECISIONS.name()));
    consumer.assign(end.keySet());
    end.forEach(consumer::seek);
    return consumer;
  }
}
