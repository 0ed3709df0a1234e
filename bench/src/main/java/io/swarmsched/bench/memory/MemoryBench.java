package io.swarmsched.bench.memory;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.ProcessStats;
import io.swarmsched.bench.dispatcher.DispatcherBench;
import io.swarmsched.bench.ingest.HeartbeatIngestBench;
import io.swarmsched.bench.scoring.ScoringStreamsBench;
import java.util.Map;

/**
 * Benchmark 7: memory. The broker's RSS (its own JVM) and log size now, and the RSS and state size
 * each service benchmark recorded at its largest host count. The services run inside the harness
 * JVM, so their RSS is that of the whole harness process while the service ran (an upper bound for
 * the service alone); {@link ServicesBench} runs each service as its own process and reads its own
 * RSS and CPU per record.
 */
public final class MemoryBench implements Benchmark {
  @Override
  public String name() {
    return "memory";
  }

  @Override
  public String title() {
    return "RSS of the broker and of each service's process, state size on disk";
  }

  @Override
  public BenchResult run(BenchContext ctx) {
    BenchResult result = BenchResult.of(this);
    long brokerRss = ProcessStats.rssBytes(ctx.brokerPid()).orElse(0);
    long brokerPeak = ProcessStats.peakRssBytes(ctx.brokerPid()).orElse(0);
    long brokerLog = ProcessStats.directorySize(ctx.brokerDataDir());
    long selfRss = ProcessStats.rssBytes(ProcessStats.selfPid()).orElse(0);
    long selfPeak = ProcessStats.peakRssBytes(ProcessStats.selfPid()).orElse(0);
    result.add(Measurement.of("broker RSS now", ProcessStats.mib(brokerRss), "MiB"));
    result.add(Measurement.of("broker peak RSS (VmHWM)", ProcessStats.mib(brokerPeak), "MiB"));
    result.add(Measurement.of("broker log size on disk", ProcessStats.mib(brokerLog), "MiB"));
    result.add(Measurement.of("harness JVM RSS now", ProcessStats.mib(selfRss), "MiB"));
    result.add(Measurement.of("harness JVM peak RSS (VmHWM)", ProcessStats.mib(selfPeak), "MiB"));
    Map<String, String[]> services =
        Map.of(
            "heartbeat-ingest (100,000 hosts, EOS)",
                new String[] {HeartbeatIngestBench.RSS_KEY, HeartbeatIngestBench.STATE_KEY},
            "scoring-streams (100,000 hosts, ALOS)",
                new String[] {ScoringStreamsBench.RSS_KEY, ScoringStreamsBench.STATE_KEY},
            "dispatcher (largest host count of the run)",
                new String[] {DispatcherBench.RSS_KEY, DispatcherBench.STATE_KEY});
    services.forEach(
        (service, keys) -> {
          ctx.baseline(keys[0])
              .ifPresentOrElse(
                  rss ->
                      result.add(
                          Measurement.against(
                              "harness RSS while running " + service,
                              rss,
                              "MiB",
                              "broker RSS now",
                              ProcessStats.mib(brokerRss))),
                  () ->
                      result.note(
                          service + ": not measured in this run (its benchmark did not run)"));
          ctx.baseline(keys[1])
              .ifPresent(
                  state -> result.add(Measurement.of("state on disk, " + service, state, "MiB")));
        });
    result.note(
        "The 'harness RSS while running' figures: services run inside the harness JVM (one at a time, each closed before the next starts), so each "
            + "RSS includes the harness, the load generators and whatever the JVM has not returned to the OS.");
    return result;
  }
}
