package io.swarmsched.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Throughput of a consumer group (a Streams application) read from the outside: its committed
 * offsets on the input topics against their end offsets, polled until it has caught up. Rate is
 * measured from the first commit seen to catching up, so start-up and rebalancing are not counted
 * as processing time.
 */
public final class GroupProgress {
  private GroupProgress() {}

  /**
   * Records processed over seconds, and the total the group had to process. {@code includesStartup}
   * is true when the group's first commit already covered more than a fifth of the total: the rate
   * is then taken over every record since the wait began (start-up and rebalancing included, so it
   * understates), because a rate over the short remainder after the first commit would overstate
   * wildly.
   */
  public record Drain(
      long records, double seconds, long total, boolean caughtUp, boolean includesStartup) {
    public double perSec() {
      return seconds <= 0 ? 0 : records / seconds;
    }
  }

  /** Sum of end offsets of every partition of {@code topics}. */
  public static Map<TopicPartition, Long> endOffsets(BenchContext ctx, Collection<String> topics)
      throws Exception {
    Map<String, TopicDescription> described =
        ctx.admin().describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    described
        .values()
        .forEach(
            d ->
                d.partitions()
                    .forEach(
                        p ->
                            request.put(
                                new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> info =
        ctx.admin().listOffsets(request).all().get(30, TimeUnit.SECONDS);
    Map<TopicPartition, Long> out = new HashMap<>();
    info.forEach((tp, i) -> out.put(tp, i.offset()));
    return out;
  }

  /**
   * Drops every record currently in {@code topics}, so a fresh application starting from the
   * earliest sees only new ones.
   */
  public static void truncate(BenchContext ctx, Collection<String> topics) throws Exception {
    Map<TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> del = new HashMap<>();
    endOffsets(ctx, topics)
        .forEach(
            (tp, end) -> {
              if (end > 0) {
                del.put(tp, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(end));
              }
            });
    if (!del.isEmpty()) {
      ctx.admin().deleteRecords(del).all().get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until {@code group} has committed the end offsets of {@code topics} as they are now (new
   * records arriving later are not waited for), or until {@code timeout}.
   */
  public static Drain awaitCaughtUp(
      BenchContext ctx,
      String group,
      List<String> topics,
      Map<TopicPartition, Long> start,
      Duration timeout,
      String label)
      throws Exception {
    Map<TopicPartition, Long> end = endOffsets(ctx, topics);
    long total = 0;
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      total += e.getValue() - start.getOrDefault(e.getKey(), 0L);
    }
    long began = System.nanoTime();
    long deadline = began + timeout.toNanos();
    long firstAt = 0;
    long firstCount = 0;
    long lastPrint = System.nanoTime();
    long done = 0;
    while (System.nanoTime() < deadline) {
      done = committed(ctx, group, end, start);
      long now = System.nanoTime();
      if (done > 0 && firstAt == 0) {
        firstAt = now;
        firstCount = done;
      }
      if (done >= total) {
        break;
      }
      if (now - lastPrint > 5_000_000_000L) {
        ctx.progress("%s: %d of %d records processed", label, done, total);
        lastPrint = now;
      }
      Thread.sleep(100);
    }
    long stopped = System.nanoTime();
    if (firstAt != 0 && firstCount * 5 > total) {
      return new Drain(done, (stopped - began) / 1e9, total, done >= total, true);
    }
    double secs = firstAt == 0 ? 0 : (stopped - firstAt) / 1e9;
    return new Drain(done - firstCount, secs, total, done >= total, false);
  }

  private static long committed(
      BenchContext ctx,
      String group,
      Map<TopicPartition, Long> end,
      Map<TopicPartition, Long> start)
      throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        ctx.admin()
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
    long sum = 0;
    for (TopicPartition tp : end.keySet()) {
      OffsetAndMetadata o = offsets.get(tp);
      if (o != null) {
        sum += Math.min(end.get(tp), o.offset()) - start.getOrDefault(tp, 0L);
      }
    }
    return Math.max(0, sum);
  }
}
