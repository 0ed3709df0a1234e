package io.swarmsched.simulator;

import java.util.Objects;

/**
 * One swarm to simulate: who downloads, with what capacities, and what happens on the way. Sizes
 * are bytes, rates bytes per second, times seconds of simulated time.
 *
 * @param hosts downloading hosts present from the start (the seed and the origin not counted)
 * @param pieceBytes piece length; 0 picks one giving about {@link #TARGET_PIECES} pieces
 * @param uploadBps upload limit of an ordinary host
 * @param fastFraction share of hosts with {@code fastFactor} times the upload (the skewed swarm)
 * @param downloadBps download limit of every downloading host
 * @param idcs IDCs the hosts are spread over round-robin (the seed in the first)
 * @param crossIdcBps capacity of the link between IDCs, shared by every transfer crossing it; 0 =
 *     unlimited
 * @param originBps the origin's egress limit, shared by everything fetched from it
 * @param seedUploadBps the super seed's upload limit
 * @param joinWindowSeconds hosts join at times drawn uniformly from [0, this)
 * @param seedLeavesAt the seed leaves at this fraction of the fluid bound; negative = never
 * @param churnLeave fraction of hosts that leave during the download (half gracefully, half
 *     failing)
 * @param churnJoin fraction of hosts (of {@code hosts}) that join later, during the download
 * @param p50Max OK when p50 completion / bound is at most this
 * @param p99Max OK when p99 completion / bound is at most this
 * @param seedMaxFiles OK when the seed uploads at most this many times the file; negative = not
 *     checked
 */
public record Scenario(
    String name,
    String description,
    int hosts,
    long fileBytes,
    long pieceBytes,
    long uploadBps,
    double fastFraction,
    int fastFactor,
    long downloadBps,
    int idcs,
    long crossIdcBps,
    long originBps,
    long seedUploadBps,
    double joinWindowSeconds,
    double seedLeavesAt,
    double churnLeave,
    double churnJoin,
    double p50Max,
    double p99Max,
    double seedMaxFiles) {

  /**
   * Pieces per file the default piece length aims at (the issue asks for 256-1024). 512 measured
   * best with the agent's 8 upload slots: 1,000 hosts, load-aware, p50/p99 against the bound
   * uniform 1.42x/1.53x at 256, 1.33x/1.48x at 512, 1.38x/1.58x at 1,024; skewed 1.28x/1.37x at
   * 256, 1.23x/1.31x at 512 (docs/benchmarks.md, "Swarm simulator").
   */
  public static final int TARGET_PIECES = 512;

  public static final long MIN_PIECE = 64 * 1024;
  public static final long MAX_PIECE = 64L * 1024 * 1024;

  public Scenario {
    Objects.requireNonNull(name, "name");
    if (hosts < 1) {
      throw new IllegalArgumentException("hosts must be >= 1, was " + hosts);
    }
    if (fileBytes < 1) {
      throw new IllegalArgumentException("size must be >= 1 byte, was " + fileBytes);
    }
    if (pieceBytes <= 0) {
      pieceBytes = pieceLengthFor(fileBytes);
    }
    if (uploadBps < 1 || downloadBps < 1 || originBps < 1 || seedUploadBps < 1) {
      throw new IllegalArgumentException("every bandwidth limit must be >= 1 byte/s");
    }
    if (idcs < 1) {
      throw new IllegalArgumentException("idcs must be >= 1, was " + idcs);
    }
  }

  /** A power of two giving about {@link #TARGET_PIECES} pieces, within [64 KiB, 64 MiB]. */
  public static long pieceLengthFor(long fileBytes) {
    long ideal = Math.max(1, fileBytes / TARGET_PIECES);
    long pow2 = Long.highestOneBit(ideal);
    if (pow2 < ideal) {
      pow2 <<= 1;
    }
    return Math.max(MIN_PIECE, Math.min(MAX_PIECE, pow2));
  }

  public int pieceCount() {
    return (int) ((fileBytes + pieceBytes - 1) / pieceBytes);
  }

  public Scenario withHosts(int n) {
    return new Scenario(
        name,
        description,
        n,
        fileBytes,
        0,
        uploadBps,
        fastFraction,
        fastFactor,
        downloadBps,
        idcs,
        crossIdcBps,
        originBps,
        seedUploadBps,
        joinWindowSeconds,
        seedLeavesAt,
        churnLeave,
        churnJoin,
        p50Max,
        p99Max,
        seedMaxFiles);
  }

  public Scenario withSize(long bytes) {
    return new Scenario(
        name,
        description,
        hosts,
        bytes,
        0,
        uploadBps,
        fastFraction,
        fastFactor,
        downloadBps,
        idcs,
        crossIdcBps,
        originBps,
        seedUploadBps,
        joinWindowSeconds,
        seedLeavesAt,
        churnLeave,
        churnJoin,
        p50Max,
        p99Max,
        seedMaxFiles);
  }

  /**
   * The same swarm with the file cut into about {@code pieces} pieces (piece length rounded up to
   * whole bytes); {@link #withHosts} and {@link #withSize} go back to the default length.
   *
   * @throws IllegalArgumentException when {@code pieces} is not in [1, fileBytes]
   */
  public Scenario withPieces(int pieces) {
    if (pieces < 1 || pieces > fileBytes) {
      throw new IllegalArgumentException(
          "pieces must be between 1 and the file size in bytes, was " + pieces);
    }
    return new Scenario(
        name,
        description,
        hosts,
        fileBytes,
        (fileBytes + pieces - 1) / pieces,
        uploadBps,
        fastFraction,
        fastFactor,
        downloadBps,
        idcs,
        crossIdcBps,
        originBps,
        seedUploadBps,
        joinWindowSeconds,
        seedLeavesAt,
        churnLeave,
        churnJoin,
        p50Max,
        p99Max,
        seedMaxFiles);
  }

  /**
   * Upload limit of downloading host {@code i}: the first {@code fastFraction} of every ten are
   * fast.
   */
  public long uploadOf(int i) {
    int fastPerTen = (int) Math.round(fastFraction * 10);
    return i % 10 < fastPerTen ? uploadBps * fastFactor : uploadBps;
  }

  /**
   * The fluid lower bound of issue 14: {@code max(F/u_s, F/d_min, N·F/(u_s + Σu_i))}, with u_s the
   * rate the first copy can leave the source side ({@code min(origin, seed upload)}) and N the
   * hosts present from the start.
   */
  public double fluidBound() {
    double f = fileBytes;
    double us = Math.min(originBps, seedUploadBps);
    double sum = us;
    for (int i = 0; i < hosts; i++) {
      sum += uploadOf(i);
    }
    return Math.max(Math.max(f / us, f / downloadBps), hosts * f / sum);
  }
}
