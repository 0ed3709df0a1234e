package io.swarmsched.ingest.auth;

import io.swarmsched.runtime.auth.HostAuthenticity;
import io.swarmsched.runtime.auth.PrincipalSeal;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.auth.ServiceKeys;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostState;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;

/**
 * Whether a heartbeat may speak for its host (docs/design.md, "Security"), and what its host id
 * becomes bound to. Plain Java; the stream ({@code DecodeAndValidate}) supplies the binding and the
 * last accepted state from its stores.
 *
 * <ul>
 *   <li>A host bound to a key: the heartbeat must be signed by that key over its exact bytes, and
 *       be newer than the last accepted one (a higher sequence, or a restarted agent's lower
 *       sequence with a newer timestamp); anything else is forged or replayed.
 *   <li>A host bound to an HTTP principal: the heartbeat must come from that principal.
 *   <li>An unbound host: a validly signed heartbeat binds it to its key; one posted through the
 *       HTTP gateway binds it to the poster's principal; an unsigned one from Kafka binds nothing
 *       (unless {@code requireSigned}); a signature that does not verify is refused, not bound.
 * </ul>
 */
public final class HeartbeatAuthenticator {
  public static final String BOUND_BY_HEARTBEAT = "first-heartbeat";
  public static final String BOUND_BY_HTTP = "first-http-heartbeat";

  private final boolean requireSigned;
  private final PrincipalSeal seal;

  /**
   * @param requireSigned refuse unsigned heartbeats of unbound hosts from Kafka too ({@code
   *     swarm.ingest.auth.require.signed}); HTTP heartbeats always carry a principal
   */
  public HeartbeatAuthenticator(boolean requireSigned) {
    this(requireSigned, PrincipalSeal.OFF);
  }

  /**
   * @param seal checks that the principal header was written by ingest's own gateway ({@link
   *     PrincipalSeal})
   */
  public HeartbeatAuthenticator(boolean requireSigned, PrincipalSeal seal) {
    this.requireSigned = requireSigned;
    this.seal = seal;
  }

  /** The verdict: refused with a reason, or accepted with the binding it creates (or null). */
  public record Outcome(String refusal, HostKey newBinding) {
    public boolean refused() {
      return refusal != null;
    }

    static Outcome refuse(String reason) {
      return new Outcome(reason, null);
    }

    static Outcome accept(HostKey binding) {
      return new Outcome(null, binding);
    }
  }

  /**
   * @param value the heartbeat's exact value bytes, as signed
   * @param binding what the host id is bound to, or null
   * @param known the host's last accepted state, or null
   */
  public Outcome check(
      HostHeartbeat hb, byte[] value, Headers headers, HostKey binding, HostState known) {
    String host = hb.getHostId();
    if (ServiceKeys.reserved(host)) {
      return Outcome.refuse(
          "host id '"
              + host
              + "' is reserved: '"
              + ServiceKeys.PREFIX
              + "' ids name services' keys");
    }
    if (binding != null) {
      String forged = HostAuthenticity.check(host, binding, value, headers, seal);
      if (forged != null) {
        return Outcome.refuse(forged);
      }
      if (binding.getPublicKey() != null && known != null) {
        String replay = replay(hb, known);
        if (replay != null) {
          return Outcome.refuse(replay);
        }
      }
      return Outcome.accept(null);
    }
    RecordSignatures.Verification v = RecordSignatures.verify(value, headers);
    Instant at = hb.getTimestamp();
    return switch (v.status()) {
      case INVALID ->
          Outcome.refuse("host '" + host + "' is not bound; the record's " + v.problem());
      case VALID ->
          Outcome.accept(
              HostKey.newBuilder()
                  .setHostId(host)
                  .setPublicKey(ByteBuffer.wrap(v.publicKey()))
                  .setBoundAt(at)
                  .setBoundBy(BOUND_BY_HEARTBEAT)
                  .build());
      case UNSIGNED -> {
        // only a principal the gateway sealed binds: any client that may write heartbeats could
        // write the header itself
        String principal = seal.principal(value, headers);
        if (principal != null) {
          yield Outcome.accept(
              HostKey.newBuilder()
                  .setHostId(host)
                  .setPrincipal(principal)
                  .setBoundAt(at)
                  .setBoundBy(BOUND_BY_HTTP)
                  .build());
        }
        yield requireSigned
            ? Outcome.refuse(
                "host '"
                    + host
                    + "' is not bound and the record is not signed (signatures are"
                    + " required: swarm.ingest.auth.require.signed)")
            : Outcome.accept(null);
      }
    };
  }

  /**
   * Null when {@code hb} is newer than {@code known}, else why it is a replay. Stricter than {@link
   * io.swarmsched.ingest.liveness.HeartbeatOrder}: the same sequence again is a replay even with
   * another timestamp (a signed agent never reuses one).
   */
  static String replay(HostHeartbeat hb, HostState known) {
    long seq = hb.getSequence();
    long lastSeq = known.getLastSequence();
    if (seq > lastSeq) {
      return null;
    }
    boolean restarted = seq < lastSeq && hb.getTimestamp().isAfter(known.getLastSeen());
    if (restarted) {
      return null;
    }
    return "replayed: sequence "
        + seq
        + " (timestamp "
        + hb.getTimestamp()
        + ") is not newer than the last accepted sequence "
        + lastSeq
        + " (timestamp "
        + known.getLastSeen()
        + ")";
  }

  /** For logs. */
  public static String describe(HostKey binding) {
    return binding == null ? "unbound" : HostAuthenticity.describe(binding);
  }
}
