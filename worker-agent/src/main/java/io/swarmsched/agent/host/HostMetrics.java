package io.swarmsched.agent.host;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * The host's real metrics, read with OSHI: CPU cores and usage, memory, the disk under the agent's
 * data directory, and network bytes sent/received (as rates between two samples).
 */
public final class HostMetrics {
  private final HardwareAbstractionLayer hal;
  private final CentralProcessor cpu;
  private final Path dataDir;
  private long[] previousTicks;
  private long previousSent;
  private long previousReceived;
  private long previousNanos;

  /** One sample of the host's metrics. */
  public record Sample(
      int cpuCores,
      double cpuUsage,
      long memoryBytes,
      long memoryUsedBytes,
      long diskBytes,
      long diskUsedBytes,
      long netTxBytesPerSec,
      long netRxBytesPerSec) {}

  public HostMetrics(Path dataDir) {
    this.hal = new SystemInfo().getHardware();
    this.cpu = hal.getProcessor();
    this.dataDir = dataDir;
    this.previousTicks = cpu.getSystemCpuLoadTicks();
    long[] net = networkTotals();
    this.previousSent = net[0];
    this.previousReceived = net[1];
    this.previousNanos = System.nanoTime();
  }

  public synchronized Sample sample() {
    double usage = Math.max(0, Math.min(1, cpu.getSystemCpuLoadBetweenTicks(previousTicks)));
    previousTicks = cpu.getSystemCpuLoadTicks();
    GlobalMemory memory = hal.getMemory();
    long total = memory.getTotal();
    long used = Math.max(0, total - memory.getAvailable());
    long diskTotal = 0;
    long diskUsed = 0;
    try {
      Files.createDirectories(dataDir);
      FileStore store = Files.getFileStore(dataDir);
      diskTotal = store.getTotalSpace();
      diskUsed = Math.max(0, diskTotal - store.getUsableSpace());
    } catch (IOException e) {
      // an unreadable disk reports as unknown (0)
    }
    long[] net = networkTotals();
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - previousNanos) / 1e9);
    long tx = (long) (Math.max(0, net[0] - previousSent) / seconds);
    long rx = (long) (Math.max(0, net[1] - previousReceived) / seconds);
    previousSent = net[0];
    previousReceived = net[1];
    previousNanos = now;
    return new Sample(
        cpu.getLogicalProcessorCount(), usage, total, used, diskTotal, diskUsed, tx, rx);
  }

  private long[] networkTotals() {
    long sent = 0;
    long received = 0;
    for (NetworkIF nif : hal.getNetworkIFs(false)) {
      nif.updateAttributes();
      sent += nif.getBytesSent();
      received += nif.getBytesRecv();
    }
    return new long[] {sent, received};
  }
}
