package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.runtime.auth.HostAuthenticity;
import io.swarmsched.runtime.auth.PrincipalSeal;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.schemas.HostKey;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Whether a request, peer, piece or job event may speak for the host it names (docs/design.md,
 * "Security"), by the bindings of {@code swarm.host-keys.v1} (a global table, {@link
 * HostIndex#binding}): a bound host's record must be signed by its key over the exact value bytes,
 * be no older than the replay window, and not be the same signed bytes again. An unbound host is
 * not checked (heartbeat-ingest binds it on its first heartbeat). A record signed by a service's
 * key (the dispatcher's own LEFT events) passes.
 *
 * <p>Replays are caught by remembering the signatures accepted within the window, per processor and
 * at most {@value #MAX_REMEMBERED}: in memory for the look-ups, and in a changelogged store ({@link
 * #rememberIn}) so that a restart or a rebalance does not forget them (a replay of a record
 * accepted before it would otherwise pass once). The store is written in the same transaction as
 * the record's effects: an accepted record is remembered exactly when its effects are committed.
 */
public final class HostAuthentication {
  static final int MAX_REMEMBERED = 200_000;

  private final HostIndex index;
  private final long windowMs;
  private final PrincipalSeal seal;
  private final LinkedHashMap<ByteBuffer, Long> seen = new LinkedHashMap<>();

  /** The durable copy of {@link #seen} (base64 signature → accepted at), or null: memory only. */
  private KeyValueStore<String, Long> store;

  public HostAuthentication(HostIndex index, Duration replayWindow, PrincipalSeal seal) {
    this.seal = seal == null ? PrincipalSeal.OFF : seal;
    this.index = index;
    this.windowMs = replayWindow.toMillis();
  }

  /**
   * Keeps the accepted signatures in {@code store} too, and loads what it holds (a restart, or a
   * task that moved here): call from the processor's init.
   */
  public void rememberIn(KeyValueStore<String, Long> store, long wallNow) {
    this.store = store;
    List<Map.Entry<String, Long>> remembered = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = store.all()) {
      it.forEachRemaining(kv -> remembered.add(Map.entry(kv.key, kv.value)));
    }
    // oldest first: forget() drops from the front
    remembered.sort(Map.Entry.comparingByValue());
    seen.clear();
    for (Map.Entry<String, Long> e : remembered) {
      seen.put(ByteBuffer.wrap(Base64.getDecoder().decode(e.getKey())), e.getValue());
    }
    forget(wallNow);
  }

  /**
   * Null when the record may speak for {@code hostId}, else the reason.
   *
   * @param value the record's value bytes as read (null when unavailable)
   * @param timestamp the record's own timestamp field
   * @param wallNow the dispatcher's wall clock
   */
  public String check(
      String hostId, byte[] value, Headers headers, Instant timestamp, long wallNow) {
    HostKey binding = index.binding(hostId);
    if (binding == null) {
      return null;
    }
    if (value == null) {
      return "host '" + hostId + "' is bound; the record's bytes are not available to verify";
    }
    RecordSignatures.Verification v = RecordSignatures.verify(value, headers);
    if (v.valid() && index.serviceKey(v.publicKey())) {
      return null;
    }
    String forged = HostAuthenticity.check(hostId, binding, value, headers, seal);
    if (forged != null || binding.getPublicKey() == null || windowMs <= 0) {
      return forged;
    }
    if (timestamp != null && timestamp.toEpochMilli() < wallNow - windowMs) {
      return "replayed or delayed: timestamp "
          + timestamp
          + " is more than "
          + windowMs / 1000
          + " s behind the dispatcher's clock; a bound host's signed records must be fresher";
    }
    ByteBuffer sig = ByteBuffer.wrap(RecordSignatures.header(headers, RecordSignatures.SIGNATURE));
    forget(wallNow);
    Long before = seen.get(sig);
    if (before != null) {
      return "replayed: the same signed record was accepted at " + Instant.ofEpochMilli(before);
    }
    seen.put(sig, wallNow);
    if (store != null) {
      store.put(key(sig), wallNow);
    }
    return null;
  }

  private static String key(ByteBuffer sig) {
    ByteBuffer d = sig.duplicate();
    byte[] bytes = new byte[d.remaining()];
    d.get(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** Drops what is older than the window, then the oldest beyond the bound. */
  private void forget(long wallNow) {
    Iterator<Map.Entry<ByteBuffer, Long>> it = seen.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ByteBuffer, Long> e = it.next();
      if (e.getValue() >= wallNow - windowMs && seen.size() < MAX_REMEMBERED) {
        break;
      }
      if (store != null) {
        store.delete(key(e.getKey()));
      }
      it.remove();
    }
  }
}
