package io.swarmsched.runtime.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka record headers that authenticate a record: {@value #SIGNATURE} is the Ed25519 signature
 * of the record's exact value bytes, {@value #PUBLIC_KEY} the X.509 public key that made it (so a
 * host's first heartbeat can bind the id to it), {@value #PRINCIPAL} the HTTP principal that posted
 * the record through heartbeat-ingest's gateway.
 *
 * <p>The signature covers the value bytes only: the value names the host, carries the timestamp
 * (and, for heartbeats, the sequence) and its schema id, so signed bytes cannot be moved to another
 * host or record type.
 */
public final class RecordSignatures {
  private RecordSignatures() {}

  public static final String SIGNATURE = "swarm-sig";
  public static final String PUBLIC_KEY = "swarm-pubkey";
  public static final String PRINCIPAL = "swarm-principal";

  /** Replaces any signature headers on {@code headers} with {@code key}'s signature of value. */
  public static void sign(HostKeyPair key, byte[] value, Headers headers) {
    headers.remove(SIGNATURE);
    headers.remove(PUBLIC_KEY);
    headers.add(SIGNATURE, key.sign(value));
    headers.add(PUBLIC_KEY, key.publicKey());
  }

  /** The last value of header {@code name}, or null. */
  public static byte[] header(Headers headers, String name) {
    if (headers == null) {
      return null;
    }
    Header h = headers.lastHeader(name);
    return h == null ? null : h.value();
  }

  public static String principal(Headers headers) {
    byte[] p = header(headers, PRINCIPAL);
    return p == null ? null : new String(p, StandardCharsets.UTF_8);
  }

  /**
   * What a record's signature headers prove about {@code value}: nothing (unsigned), that they are
   * broken or do not verify, or that the key in {@value #PUBLIC_KEY} signed exactly these bytes.
   */
  public static Verification verify(byte[] value, Headers headers) {
    byte[] sig = header(headers, SIGNATURE);
    byte[] pub = header(headers, PUBLIC_KEY);
    if (sig == null && pub == null) {
      return Verification.UNSIGNED;
    }
    if (sig == null || pub == null) {
      return new Verification(
          Verification.Status.INVALID, pub, "has only one of " + SIGNATURE + ", " + PUBLIC_KEY);
    }
    if (value == null) {
      return new Verification(Verification.Status.INVALID, pub, "has no value to verify");
    }
    try {
      HostKeys.decode(pub);
    } catch (IllegalArgumentException e) {
      return new Verification(
          Verification.Status.INVALID, null, PUBLIC_KEY + " is not an Ed25519 public key");
    }
    return HostKeys.verify(pub, value, sig)
        ? new Verification(Verification.Status.VALID, pub, null)
        : new Verification(
            Verification.Status.INVALID,
            pub,
            "signature does not verify with key " + HostKeys.keyId(pub));
  }

  /** The outcome of {@link #verify}; {@code publicKey} is that of the header when present. */
  public record Verification(Status status, byte[] publicKey, String problem) {
    public static final Verification UNSIGNED = new Verification(Status.UNSIGNED, null, null);

    public enum Status {
      UNSIGNED,
      INVALID,
      VALID
    }

    public boolean valid() {
      return status == Status.VALID;
    }

    /** Whether it is valid and made by the X.509 key {@code bound}. */
    public boolean validFor(byte[] bound) {
      return valid() && Arrays.equals(publicKey, bound);
    }
  }
}
