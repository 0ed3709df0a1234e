package io.swarmsched.runtime.streams;

import io.swarmsched.runtime.config.CommonKeys;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the off-heap memory of every RocksDB store in the process: one LRU block cache shared by
 * all stores, with index/filter blocks cached in its high-priority pool, and small memtables per
 * store ({@value #MEMTABLES_PER_STORE} × {@value #MEMTABLE_SIZE} bytes at most, allocated as they
 * fill).
 *
 * <p>Memtables are deliberately not charged to the cache through a {@code WriteBufferManager} (the
 * other half of Kafka's "bounded memory" recipe): with one manager shared by many stores, the
 * memtables of stores that were loaded once and are then only read (global tables of 100,000 hosts)
 * keep the manager over its limit, and every write to any other store then switches and flushes
 * that store's memtable on the writing thread: tiny L0 files, compactions, and stream threads
 * blocked in {@code RocksDB.put} for most of their time (measured in the dispatcher: half the
 * stream thread's wall time under load). Bounded memtables per store do not have that coupling.
 *
 * <p>The cache is {@code swarm.rocksdb.memory.bytes} (default 64 MiB), read from the Streams
 * configuration the first time any store is opened (StreamsProps copies it there) or set earlier
 * with {@link #setTotalBytes(long)}. The cache is created once per process and never closed by a
 * store, because all stores share it. Set as {@code rocksdb.config.setter}.
 */
public class BoundedMemoryRocksDBConfig implements RocksDBConfigSetter {
  private static final Logger log = LoggerFactory.getLogger(BoundedMemoryRocksDBConfig.class);

  /** Share of the cache kept for index and filter blocks. */
  static final double INDEX_FILTER_SHARE = 0.1;

  static final long BLOCK_SIZE = 4096L * 4;
  static final int MEMTABLES_PER_STORE = 2;
  static final long MEMTABLE_SIZE = 4L * 1024 * 1024;

  private static Long configuredBytes;
  private static Shared shared;

  private record Shared(long totalBytes, Cache cache) {}

  /** Fixes the total before the first store opens; later calls have no effect once it has. */
  public static synchronized void setTotalBytes(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException(
          CommonKeys.ROCKSDB_MEMORY_BYTES + " must be positive, was " + bytes);
    }
    configuredBytes = bytes;
  }

  /** The total in effect, once a store has opened. */
  public static synchronized long totalBytes() {
    return shared != null
        ? shared.totalBytes
        : configuredBytes != null ? configuredBytes : CommonKeys.DEFAULT_ROCKSDB_MEMORY_BYTES;
  }

  private static synchronized Shared shared(Map<String, Object> configs) {
    if (shared == null) {
      long total = configuredBytes != null ? configuredBytes : fromConfigs(configs);
      Cache cache = new LRUCache(total, -1, false, INDEX_FILTER_SHARE);
      shared = new Shared(total, cache);
      log.info(
          "RocksDB stores share a {}-byte block cache; memtables up to {} bytes per store",
          total,
          MEMTABLES_PER_STORE * MEMTABLE_SIZE);
    }
    return shared;
  }

  private static long fromConfigs(Map<String, Object> configs) {
    Object value = configs == null ? null : configs.get(CommonKeys.ROCKSDB_MEMORY_BYTES);
    if (value == null) {
      return CommonKeys.DEFAULT_ROCKSDB_MEMORY_BYTES;
    }
    try {
      long bytes = Long.parseLong(value.toString().trim());
      if (bytes <= 0) {
        throw new NumberFormatException();
      }
      return bytes;
    } catch (NumberFormatException e) {
      throw new org.apache.kafka.common.config.ConfigException(
          CommonKeys.ROCKSDB_MEMORY_BYTES, value, "must be a positive number of bytes");
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Shared memory = shared(configs);
    BlockBasedTableConfig tableConfig = (BlockBasedTableConfig) options.tableFormatConfig();
    tableConfig.setBlockCache(memory.cache);
    tableConfig.setCacheIndexAndFilterBlocks(true);
    tableConfig.setCacheIndexAndFilterBlocksWithHighPriority(true);
    tableConfig.setPinTopLevelIndexAndFilter(true);
    tableConfig.setBlockSize(BLOCK_SIZE);
    options.setMaxWriteBufferNumber(MEMTABLES_PER_STORE);
    options.setWriteBufferSize(MEMTABLE_SIZE);
    options.setTableFormatConfig(tableConfig);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write buffer manager are shared by every store: never closed here.
  }
}
