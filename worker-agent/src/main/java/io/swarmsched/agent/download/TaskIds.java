package io.swarmsched.agent.download;

import io.swarmsched.agent.storage.Digests;
import java.nio.charset.StandardCharsets;

/** Task ids are derived from what identifies content, so every agent computes the same one. */
public final class TaskIds {
  private TaskIds() {}

  /** sha256(url | digest | tag), hex, first 32 characters. */
  public static String of(String url, String digest, String tag) {
    String material = url + "|" + (digest == null ? "" : digest) + "|" + (tag == null ? "" : tag);
    return Digests.sha256Hex(material.getBytes(StandardCharsets.UTF_8)).substring(0, 32);
  }
}
