package io.swarmsched.scheduling;

import java.nio.charset.StandardCharsets;

/**
 * Hashes that never change between JVMs, versions or runs (unlike {@code Object.hashCode} of most
 * types): FNV-1a over UTF-8, finished with SplitMix64 so nearby inputs spread over the whole range.
 * Every random-looking choice in the scheduler is derived from ids through these, which is what
 * makes a replay reproduce its decisions.
 */
public final class StableHash {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private StableHash() {}

  public static long hash(String s) {
    long h = FNV_OFFSET;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= FNV_PRIME;
    }
    return mix(h);
  }

  /** Hash of two strings, order-sensitive and unambiguous ("ab"+"c" ≠ "a"+"bc"). */
  public static long hash(String a, String b) {
    return mix(hash(a) * 31 + hash(b));
  }

  public static long hash(long seed, String s) {
    return mix(seed ^ hash(s));
  }

  /** SplitMix64 finalizer. */
  public static long mix(long z) {
    z += 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A hash mapped uniformly to [0, 1). */
  public static double unit(long h) {
    return (h >>> 11) * 0x1.0p-53;
  }
}
