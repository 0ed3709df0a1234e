package io.swarmsched.registry.server;

import java.util.List;

/**
 * Where the registry's mutations go. An append returns once the records are applied to the state.
 */
interface RegistryLog extends AutoCloseable {

  /**
   * Appends the records in order and waits until this server has read them back and applied them to
   * its state, so an answer given after this call reflects the write.
   *
   * @throws RegistryError with code 50001 when the store cannot be written or read back in time
   */
  void append(List<RecordCodec.Entry> entries);

  @Override
  void close();

  /** Applies records straight to the state; for tests of the registry's rules without Kafka. */
  static RegistryLog inMemory(RegistryState state) {
    return new RegistryLog() {
      private long offset;

      @Override
      public synchronized void append(List<RecordCodec.Entry> entries) {
        for (RecordCodec.Entry entry : entries) {
          RecordCodec.apply(state, entry.key(), entry.value(), offset++);
        }
      }

      @Override
      public void close() {}
    };
  }
}
