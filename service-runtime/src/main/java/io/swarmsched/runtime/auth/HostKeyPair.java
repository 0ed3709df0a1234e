package io.swarmsched.runtime.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A host's Ed25519 key pair: generated on the agent's first start and kept in its state directory
 * ({@value #FILE_NAME}, owner read/write only), so that a restarted agent keeps its identity and
 * the binding of its host id (docs/design.md, "Security").
 *
 * <p>The file holds two lines: the PKCS#8 private key and the X.509 public key, each base64.
 */
public final class HostKeyPair {
  public static final String FILE_NAME = "host-key.ed25519";

  /** The public key alone (base64 X.509), for an operator to provision: {@code hosts bind}. */
  public static final String PUBLIC_FILE_NAME = FILE_NAME + ".pub";

  static final String ALGORITHM = "Ed25519";

  private final PrivateKey privateKey;

  /** The raw 32-byte private key (RFC 8032's seed). */
  private final byte[] seed;

  /** The raw 32-byte public key (the X.509 encoding's tail). */
  private final byte[] rawPublicKey;

  private final byte[] publicKey;

  private HostKeyPair(PrivateKey privateKey, byte[] publicKey) {
    if (!(privateKey instanceof EdECPrivateKey edec)) {
      throw new IllegalArgumentException(
          "not an Ed25519 private key: " + privateKey.getAlgorithm());
    }
    this.privateKey = privateKey;
    this.seed =
        edec.getBytes()
            .filter(b -> b.length == Ed25519.SECRET_KEY_SIZE)
            .orElseThrow(
                () -> new IllegalArgumentException("Ed25519 private key without its bytes"));
    this.publicKey = publicKey.clone();
    this.rawPublicKey =
        java.util.Arrays.copyOfRange(
            publicKey, publicKey.length - Ed25519.PUBLIC_KEY_SIZE, publicKey.length);
  }

  /** A fresh key pair, kept only in memory (tests, tools). */
  public static HostKeyPair generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
      return new HostKeyPair(pair.getPrivate(), pair.getPublic().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no Ed25519 (Java 15 or newer needed)", e);
    }
  }

  /**
   * The key pair in {@code dir}/{@value #FILE_NAME}, created there (mode 600) when absent. A file
   * that does not parse is an error naming it: silently replacing it would change the host's
   * identity and lock it out of its own host id.
   */
  public static HostKeyPair loadOrCreate(Path dir) {
    Path file = dir.resolve(FILE_NAME);
    try {
      Files.createDirectories(dir);
      if (!Files.exists(file)) {
        HostKeyPair fresh = generate();
        try {
          write(file, fresh);
          Files.writeString(
              dir.resolve(PUBLIC_FILE_NAME),
              Base64.getEncoder().encodeToString(fresh.publicKey) + "\n",
              StandardCharsets.US_ASCII);
          return fresh;
        } catch (FileAlreadyExistsException raced) {
          // another process created it first: use theirs
        }
      }
      return read(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the host key " + file, e);
    }
  }

  /**
   * Writes the key to a private temporary file, then links it into place: the link fails if the
   * file exists, so two processes starting at once never read a half-written key or replace one.
   */
  private static void write(Path file, HostKeyPair pair) throws IOException {
    String text =
        Base64.getEncoder().encodeToString(pair.privateKey.getEncoded())
            + "\n"
            + Base64.getEncoder().encodeToString(pair.publicKey)
            + "\n";
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    Path tmp;
    try {
      tmp =
          Files.createTempFile(
              file.getParent(), FILE_NAME, ".tmp", PosixFilePermissions.asFileAttribute(ownerOnly));
    } catch (UnsupportedOperationException notPosix) {
      tmp = Files.createTempFile(file.getParent(), FILE_NAME, ".tmp");
    }
    try {
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      try {
        Files.createLink(file, tmp);
      } catch (UnsupportedOperationException noLinks) {
        Files.move(tmp, file);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static HostKeyPair read(Path file) throws IOException {
    List<String> lines =
        Files.readAllLines(file, StandardCharsets.US_ASCII).stream()
            .map(String::trim)
            .filter(l -> !l.isEmpty())
            .toList();
    if (lines.size() != 2) {
      throw new IllegalStateException(
          "host key file "
              + file
              + " must hold 2 lines (private, public key), has "
              + lines.size());
    }
    try {
      PrivateKey priv =
          KeyFactory.getInstance(ALGORITHM)
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0))));
      byte[] pub = Base64.getDecoder().decode(lines.get(1));
      HostKeys.decode(pub); // fails on garbage
      HostKeyPair pair = new HostKeyPair(priv, pub);
      byte[] probe = "probe".getBytes(StandardCharsets.US_ASCII);
      if (!HostKeys.verify(pub, probe, pair.sign(probe))) {
        throw new IllegalStateException(
            "host key file " + file + ": the public key does not match the private key");
      }
      return pair;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("host key file " + file + " is not a valid Ed25519 key", e);
    }
  }

  /** The X.509 (SubjectPublicKeyInfo) encoding of the public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** A short, printable id of the public key (see {@link HostKeys#keyId}). */
  public String keyId() {
    return HostKeys.keyId(publicKey);
  }

  public PublicKey decodedPublicKey() {
    return HostKeys.decode(publicKey);
  }

  /**
   * The Ed25519 signature of {@code bytes}. Signed with BouncyCastle's RFC 8032 code rather than
   * the JDK's provider: Ed25519 signatures are deterministic, so the bytes are the same
   * (HostKeyPairTest compares them), at about a tenth of the CPU (670-730 µs warm on JDK 17 against
   * 40-60 µs; every record an agent produces is signed, one per piece per child on the data path;
   * docs/benchmarks.md, "The agent's data path"). The public key is passed in, so it is not derived
   * again from the private key on each call; the constructor checks that the two belong together
   * only where the pair is read from a file ({@link #loadOrCreate}'s probe).
   */
  public byte[] sign(byte[] bytes) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, rawPublicKey, 0, bytes, 0, bytes.length, sig, 0);
    return sig;
  }
}
