package io.swarmsched.runtime.auth;

import io.swarmsched.schemas.HostKey;
import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Headers;

/**
 * Whether a record may speak for the host it names, given what the host id is bound to ({@code
 * swarm.host-keys.v1}): a key-bound host's records must be signed by that key; a principal-bound
 * host's records must come through the HTTP gateway from that principal. An unbound host is not
 * checked here (its first heartbeat binds it, in heartbeat-ingest).
 */
public final class HostAuthenticity {
  private HostAuthenticity() {}

  /**
   * Null when the record may speak for {@code hostId}, else the reason to refuse it.
   *
   * @param seal checks the gateway's principal header ({@link PrincipalSeal}): a principal-bound
   *     host's record must carry its principal, sealed by the gateway
   */
  public static String check(
      String hostId, HostKey binding, byte[] value, Headers headers, PrincipalSeal seal) {
    if (binding == null) {
      return null;
    }
    byte[] bound = publicKey(binding);
    if (bound != null) {
      RecordSignatures.Verification v = RecordSignatures.verify(value, headers);
      String boundId = HostKeys.keyId(bound);
      return switch (v.status()) {
        case UNSIGNED ->
            "host '" + hostId + "' is bound to key " + boundId + "; the record is not signed";
        case INVALID ->
            "host '" + hostId + "' is bound to key " + boundId + "; the record's " + v.problem();
        case VALID ->
            v.validFor(bound)
                ? null
                : "host '"
                    + hostId
                    + "' is bound to key "
                    + boundId
                    + "; the record is signed by another key, "
                    + HostKeys.keyId(v.publicKey());
      };
    }
    String principal = binding.getPrincipal();
    if (principal != null) {
      String from = seal.principal(value, headers);
      if (!principal.equals(from)) {
        return "host '"
            + hostId
            + "' is bound to principal '"
            + principal
            + "'; the record comes from "
            + (from != null
                ? "principal '" + from + "'"
                : RecordSignatures.principal(headers) == null
                    ? "no principal"
                    : "no gateway (its principal header is not sealed by the gateway)");
      }
    }
    return null;
  }

  /** The binding's X.509 public key, or null when it binds a principal. */
  public static byte[] publicKey(HostKey binding) {
    ByteBuffer b = binding.getPublicKey();
    if (b == null) {
      return null;
    }
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /** A short description of a binding, for logs and the CLI. */
  public static String describe(HostKey binding) {
    byte[] key = publicKey(binding);
    return key != null
        ? "key " + HostKeys.keyId(key)
        : "principal '" + binding.getPrincipal() + "'";
  }
}
