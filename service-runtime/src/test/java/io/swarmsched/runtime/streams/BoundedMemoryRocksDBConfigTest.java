package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedMemoryRocksDBConfigTest {

  @Test
  void everyStoreGetsSmallMemtablesOfItsOwnAndTheSharedBlockCache() {
    RocksDB.loadLibrary();
    try (Options a = new Options();
        Options b = new Options()) {
      a.setTableFormatConfig(new BlockBasedTableConfig());
      b.setTableFormatConfig(new BlockBasedTableConfig());
      BoundedMemoryRocksDBConfig setter = new BoundedMemoryRocksDBConfig();
      setter.setConfig("store-a", a, Map.of());
      setter.setConfig("store-b", b, Map.of());
      for (Options o : new Options[] {a, b}) {
        assertThat(o.writeBufferSize()).isEqualTo(BoundedMemoryRocksDBConfig.MEMTABLE_SIZE);
        assertThat(o.maxWriteBufferNumber())
            .isEqualTo(BoundedMemoryRocksDBConfig.MEMTABLES_PER_STORE);
        BlockBasedTableConfig t = (BlockBasedTableConfig) o.tableFormatConfig();
        assertThat(t.cacheIndexAndFilterBlocks()).isTrue();
        assertThat(t.blockSize()).isEqualTo(BoundedMemoryRocksDBConfig.BLOCK_SIZE);
      }
      // at most 2 x 4 MiB of memtables per store, however many stores the process opens
      assertThat(
              BoundedMemoryRocksDBConfig.MEMTABLES_PER_STORE
                  * BoundedMemoryRocksDBConfig.MEMTABLE_SIZE)
          .isEqualTo(8L * 1024 * 1024);
      assertThat(BoundedMemoryRocksDBConfig.totalBytes()).isPositive();
    }
  }
}
