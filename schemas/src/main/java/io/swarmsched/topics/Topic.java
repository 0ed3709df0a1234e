package io.swarmsched.topics;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * One topic of the swarm: its name, what its key is, the Avro schema of its values (empty for
 * raw-byte topics such as the dead letters), and how it is provisioned.
 *
 * @param name full topic name, {@code swarm.<name>.v1}
 * @param keyDoc what the plain UTF-8 string key holds
 * @param valueSchema Avro schema of the values; empty when values are opaque bytes
 * @param partitions default partition count
 * @param compacted cleanup.policy=compact when true, delete otherwise
 * @param retention retention.ms for delete topics; ignored for compacted ones
 */
public record Topic(
    String name,
    String keyDoc,
    Optional<Schema> valueSchema,
    int partitions,
    boolean compacted,
    Duration retention) {

  /** The topic-level configs a provisioner sets. */
  public Map<String, String> configs() {
    if (compacted) {
      return Map.of(
          "cleanup.policy", "compact", "min.compaction.lag.ms", "0", "segment.ms", "600000");
    }
    return Map.of("cleanup.policy", "delete", "retention.ms", Long.toString(retention.toMillis()));
  }

  /** The registry subject of the value schema under the default TopicNameStrategy. */
  public String valueSubject() {
    return name + "-value";
  }
}
