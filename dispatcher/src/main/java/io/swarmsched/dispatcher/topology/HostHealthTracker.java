package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.state.HostHealth;
import io.swarmsched.scheduling.health.QuarantineRule;
import io.swarmsched.scheduling.health.UploadHealth;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upload health per parent host, counted from piece events in the health store; the patrol applies
 * core's {@link QuarantineRule} to each host whose window is over and keeps the in-memory
 * quarantine flags in step.
 */
final class HostHealthTracker {
  private static final Logger log = LoggerFactory.getLogger(HostHealthTracker.class);

  private final DispatchStores stores;
  private final QuarantineRule rule;

  HostHealthTracker(DispatchStores stores, QuarantineRule rule) {
    this.stores = stores;
    this.rule = rule;
  }

  /** A piece served by {@code parentHost}: {@code finished}, or failed. */
  void record(String parentHost, boolean finished, long now) {
    HostHealth hh = stores.health.get(parentHost);
    if (hh == null) hh = new HostHealth(parentHost, now);
    if (finished) hh.served++;
    else hh.failed++;
    stores.health.put(parentHost, hh);
  }

  void patrol(long now) {
    List<KeyValue<String, HostHealth>> all = new ArrayList<>();
    try (KeyValueIterator<String, HostHealth> it = stores.health.all()) {
      while (it.hasNext()) all.add(it.next());
    }
    for (KeyValue<String, HostHealth> kv : all) {
      HostHealth hh = kv.value;
      QuarantineRule.Verdict verdict =
          rule.review(
              new UploadHealth(hh.windowStart, hh.served, hh.failed, hh.quarantinedUntil), now);
      if (verdict instanceof QuarantineRule.Forget) {
        stores.quarantines().remove(hh.hostId);
        stores.health.delete(kv.key);
      } else if (verdict instanceof QuarantineRule.NextWindow next) {
        if (next.quarantined()) {
          stores.quarantines().put(hh.hostId, next.next().quarantinedUntilMillis());
          log.info(
              "Patrol: host {} quarantined until {} ({} of {} uploads failed)",
              hh.hostId,
              next.next().quarantinedUntilMillis(),
              hh.failed,
              hh.served + hh.failed);
        }
        hh.windowStart = next.next().windowStartMillis();
        hh.served = next.next().served();
        hh.failed = next.next().failed();
        hh.quarantinedUntil = next.next().quarantinedUntilMillis();
        stores.health.put(kv.key, hh);
      }
    }
  }
}
