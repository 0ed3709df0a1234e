package io.swarmsched.ingest.topology;

import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The {@link HostTable} of each task of one topology, so that the two processors of a task that
 * read host states ({@link HostStateProcessor}, which owns the table, and {@link
 * DecodeAndValidate}, which checks replays against it) share one decoded copy. Tasks run on
 * different stream threads, hence the concurrent map; a table itself is used by its task's thread
 * only.
 */
final class HostTables {
  private final ConcurrentHashMap<TaskId, HostTable> byTask = new ConcurrentHashMap<>();

  /** Builds the task's table from its stores, replacing any earlier one of the same task. */
  HostTable load(TaskId task, KeyValueStore<String, StoredHost> hosts) {
    HostTable table = HostTable.load(hosts);
    byTask.put(task, table);
    return table;
  }

  /** The task's table, or null before its {@link HostStateProcessor} was initialised. */
  HostTable get(TaskId task) {
    return byTask.get(task);
  }

  /** Forgets the task's table, unless a newer one replaced it already. */
  void release(TaskId task, HostTable table) {
    byTask.remove(task, table);
  }
}
