package io.swarmsched.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** HostKeys.verify (BouncyCastle's RFC 8032 code) agrees with the JDK's Ed25519 verifier. */
class HostKeysTest {

  private static byte[] sign(KeyPair kp, byte[] msg) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(kp.getPrivate());
    s.update(msg);
    return s.sign();
  }

  private static boolean jdkVerify(KeyPair kp, byte[] msg, byte[] sig) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(kp.getPublic());
    s.update(msg);
    try {
      return s.verify(sig);
    } catch (java.security.SignatureException e) {
      return false;
    }
  }

  @Test
  void agreesWithTheJdkOnValidTamperedAndForeignSignatures() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    KeyPair owner = g.generateKeyPair();
    KeyPair other = g.generateKeyPair();
    Random r = new Random(7);
    for (int i = 0; i < 50; i++) {
      byte[] msg = new byte[r.nextInt(400)];
      r.nextBytes(msg);
      byte[] sig = sign(owner, msg);
      byte[] pub = owner.getPublic().getEncoded();
      assertThat(HostKeys.verify(pub, msg, sig)).isTrue();
      assertThat(jdkVerify(owner, msg, sig)).isTrue();

      byte[] tamperedSig = sig.clone();
      tamperedSig[r.nextInt(sig.length)] ^= (byte) (1 << r.nextInt(8));
      assertThat(HostKeys.verify(pub, msg, tamperedSig))
          .isEqualTo(jdkVerify(owner, msg, tamperedSig))
          .isFalse();
      if (msg.length > 0) {
        byte[] tamperedMsg = msg.clone();
        tamperedMsg[r.nextInt(msg.length)] ^= 1;
        assertThat(HostKeys.verify(pub, tamperedMsg, sig)).isFalse();
      }
      assertThat(HostKeys.verify(other.getPublic().getEncoded(), msg, sig)).isFalse();
    }
  }

  @Test
  void malformedKeysAndSignaturesVerifyNothing() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] msg = "heartbeat".getBytes();
    byte[] sig = sign(kp, msg);
    byte[] pub = kp.getPublic().getEncoded();
    assertThat(HostKeys.verify(pub, msg, Arrays.copyOf(sig, 63))).isFalse();
    assertThat(HostKeys.verify(pub, msg, Arrays.copyOf(sig, 65))).isFalse();
    assertThat(HostKeys.verify(pub, msg, null)).isFalse();
    assertThat(HostKeys.verify(Arrays.copyOf(pub, 40), msg, sig)).isFalse();
    assertThat(HostKeys.verify(new byte[44], msg, sig)).isFalse();
    byte[] rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded();
    assertThat(HostKeys.verify(rsa, msg, sig)).isFalse();
  }
}
