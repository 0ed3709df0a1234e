package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.JOBS_STORE;
import static io.swarmsched.dispatcher.topology.DispatcherTopology.JOB_DEAD_LETTERS_SINK;
import static io.swarmsched.dispatcher.topology.DispatcherTopology.JOB_DECISIONS_SINK;
import static io.swarmsched.dispatcher.topology.DispatcherTopology.JOB_EVENTS_SOURCE;
import static io.swarmsched.dispatcher.topology.DispatcherTopology.JOB_POOL_PROCESSOR;
import static io.swarmsched.dispatcher.topology.DispatcherTopology.JOB_SEEN_SIGNATURES_STORE;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.jobs.JobPoolProcessor;
import io.swarmsched.dispatcher.jobs.JobRecord;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.state.JsonSerde;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.topics.Topics;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * The job pool's own sub-topology (docs/design.md, "Worker pools"): the one partition of
 * swarm.job-events.v1 in, the pool's decisions and dead letters out, its stores. It shares no sink
 * with the dispatch processor, so it stays one task for the whole application.
 */
final class JobPoolTopology {
  private JobPoolTopology() {}

  static void addTo(
      Topology topology,
      DispatcherConfig config,
      HostIndex index,
      Serde<JobEvent> jobEvents,
      Serde<ScheduleDecision> decisions,
      String out,
      boolean mem) {
    topology.addSource(
        JOB_EVENTS_SOURCE,
        Serdes.String().deserializer(),
        jobEvents.deserializer(),
        Topics.JOB_EVENTS.name());
    topology.addProcessor(
        JOB_POOL_PROCESSOR,
        () ->
            new JobPoolProcessor(
                config.jobs(),
                index,
                JOBS_STORE,
                JOB_DECISIONS_SINK,
                JOB_DEAD_LETTERS_SINK,
                jobEvents.serializer(),
                config.signedReplayWindow(),
                config.principalSeal()),
        JOB_EVENTS_SOURCE);
    topology.addStateStore(
        DispatchStores.store(JOBS_STORE, mem, new JsonSerde<>(JobRecord.class)),
        JOB_POOL_PROCESSOR);
    topology.addStateStore(
        DispatchStores.store(JOB_SEEN_SIGNATURES_STORE, mem, Serdes.Long()), JOB_POOL_PROCESSOR);
    topology.addSink(
        JOB_DECISIONS_SINK,
        out + Topics.SCHEDULE_DECISIONS.name(),
        Serdes.String().serializer(),
        decisions.serializer(),
        JOB_POOL_PROCESSOR);
    topology.addSink(
        JOB_DEAD_LETTERS_SINK,
        out + Topics.DEAD_LETTERS.name(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        JOB_POOL_PROCESSOR);
  }
}
