package io.swarmsched.replay;

/**
 * Which request ids have been seen, in 16 bytes an id: an open-addressing set of 64-bit hashes of
 * the ids (a set of a million id strings took over 100 MB). Two different ids share a hash with
 * odds of about n²/2⁶⁵ (3·10⁻⁸ for a million ids); such an id would be taken for a repeat.
 */
final class SeenIds {
  private long[] slots = new long[1 << 10];
  private int size;

  /** True when {@code id} had not been seen before. */
  boolean add(String id) {
    long h = hash(id);
    if (h == 0) h = 1; // 0 marks an empty slot
    if (2 * (size + 1) > slots.length) grow();
    if (!insert(slots, h)) return false;
    size++;
    return true;
  }

  int size() {
    return size;
  }

  private static boolean insert(long[] table, long h) {
    int mask = table.length - 1;
    for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
      if (table[i] == h) return false;
      if (table[i] == 0) {
        table[i] = h;
        return true;
      }
    }
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (long h : slots) if (h != 0) insert(bigger, h);
    slots = bigger;
  }

  /** FNV-1a over the chars, then a 64-bit finaliser (murmur3's fmix64) to spread the bits. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
