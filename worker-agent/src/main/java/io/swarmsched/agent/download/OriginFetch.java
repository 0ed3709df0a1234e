package io.swarmsched.agent.download;

import io.swarmsched.agent.download.DownloadEvents.From;
import io.swarmsched.agent.origin.OriginClient.RangeAnswer;
import io.swarmsched.agent.origin.OriginException;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.storage.PieceLayout;
import io.swarmsched.agent.storage.PieceLengths;
import io.swarmsched.agent.storage.PieceVerificationException;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.TaskMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A back-to-source download: fetches the pieces from the origin, computes their digests (or checks
 * them against metadata another peer published) and publishes the task metadata as pieces arrive,
 * so children can verify what this peer serves before it has the whole content.
 *
 * <p>An origin that honours {@code Range} is read piece by piece, several at once. One that ignores
 * it (answers 200 with the whole body, like {@code python3 -m http.server}) is read exactly once,
 * as one sequential stream cut into pieces as the bytes arrive; asking it once per piece would send
 * the whole content once per piece. Whether it honours ranges is known from the probe's {@code
 * Accept-Ranges}, else from the answer to the first piece, which is asked alone.
 */
final class OriginFetch {
  private static final Logger log = LoggerFactory.getLogger(OriginFetch.class);
  private static final int RETRIES = 3;

  /** Opens (or reopens) the download's file for a layout. */
  @FunctionalInterface
  interface FileOpener {
    PieceFile open(PieceLayout layout) throws DownloadException;
  }

  private final DownloadContext ctx;
  private final DownloadRequest request;
  private final String taskId;
  private final String peerId;
  private final DownloadProgress progress;
  private final DownloadEvents events;
  private final FileOpener opener;
  private PieceFile file;
  private Optional<TaskMetadata> known;

  /** Notified when a piece was written, so its digest is published without a polling delay. */
  private final Object arrivals = new Object();

  OriginFetch(
      DownloadContext ctx,
      DownloadRequest request,
      String peerId,
      DownloadProgress progress,
      DownloadEvents events,
      FileOpener opener) {
    this.ctx = ctx;
    this.request = request;
    this.taskId = request.taskId();
    this.peerId = peerId;
    this.progress = progress;
    this.events = events;
    this.opener = opener;
  }

  void run() throws DownloadException, InterruptedException {
    progress.phase("downloading from origin");
    known = ctx.awaitMetadata(taskId, Duration.ZERO);
    PieceLayout layout;
    boolean ranges = false;
    if (known.isPresent()) {
      layout = new PieceLayout(known.get().getContentLength(), known.get().getPieceLength());
    } else {
      try {
        var probe = ctx.origin().probe(request.url());
        int pieceLength =
            ctx.config().pieceLength() > 0
                ? ctx.config().pieceLength()
                : PieceLengths.forContent(probe.contentLength());
        layout = new PieceLayout(probe.contentLength(), pieceLength);
        ranges = probe.acceptsRanges();
      } catch (OriginException e) {
        throw new DownloadException(e.getMessage(), e);
      }
    }
    file = opener.open(layout);
    ctx.servesAsSource(taskId);
    List<Integer> missing = new ArrayList<>();
    BitSet have = file.verifiedPieces();
    for (int p = 0; p < layout.pieceCount(); p++) {
      if (!have.get(p)) {
        missing.add(p);
      }
    }
    boolean authority =
        known.isEmpty() || known.get().getPieceDigests().stream().anyMatch(String::isEmpty);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(ctx.config().downloadConcurrency(), Math.max(1, missing.size())) + 1,
            r -> {
              Thread t = new Thread(r, "origin-" + peerId);
              t.setDaemon(true);
              return t;
            });
    try {
      if (authority) {
        pool.submit(() -> publishWhilePiecesArrive(layout));
      }
      if (!missing.isEmpty() && !ranges && firstPieceGotWholeBody(missing.get(0), layout)) {
        missing.clear(); // streamed: every piece is held
      } else if (!missing.isEmpty() && !ranges) {
        missing.remove(0);
      }
      List<Future<?>> futures = new ArrayList<>();
      for (int piece : missing) {
        futures.add(
            pool.submit(
                () -> {
                  rangePiece(piece, layout);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof DownloadException de) {
            throw de;
          }
          throw new DownloadException(c.getMessage() == null ? c.toString() : c.getMessage(), c);
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (authority) {
      publishMetadata(layout);
    }
    log.info(
        "{}: {} pieces from the origin ({}) in {} ms",
        peerId,
        layout.pieceCount(),
        ranges ? "ranges" : "ranges unknown",
        (long) (progress.elapsedSeconds() * 1000));
  }

  /**
   * Republishes the metadata whenever pieces were added, so children can start on them: the layout
   * at once, the first pieces as soon as they are held (every child is waiting for them), later
   * ones at most once per {@code metadataPublishInterval}, without polling.
   */
  private void publishWhilePiecesArrive(PieceLayout layout) {
    long interval = ctx.config().metadataPublishInterval().toMillis();
    int published = -1;
    long publishedAt = 0;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        long wait;
        synchronized (arrivals) {
          int now = file.verifiedCount();
          long since = System.currentTimeMillis() - publishedAt;
          if (now == published) {
            wait = interval; // nothing new: woken by the next piece
          } else if (published <= 0) {
            wait = 0; // the layout alone, or the first pieces: every child is waiting for them
          } else {
            wait = interval - since;
          }
          if (wait > 0) {
            arrivals.wait(wait);
            continue;
          }
        }
        published = file.verifiedCount();
        publishedAt = System.currentTimeMillis();
        publishMetadata(layout);
      }
    } catch (InterruptedException e) {
      // the fetch is over; run() publishes the final metadata
    }
  }

  /**
   * Asks for the first missing piece alone. True when the origin ignored the range and the whole
   * content was streamed from that one answer; false when it sent the range (it was written).
   */
  private boolean firstPieceGotWholeBody(int piece, PieceLayout layout)
      throws DownloadException, InterruptedException {
    OriginException last = null;
    for (int attempt = 0; attempt < RETRIES; attempt++) {
      long start = System.nanoTime();
      try {
        RangeAnswer a =
            ctx.origin().requestRange(request.url(), layout.offset(piece), layout.length(piece));
        if (a instanceof RangeAnswer.Partial p) {
          write(piece, p.bytes(), start);
          return false;
        }
        log.info("{}: the origin ignores Range; reading {} as one stream", peerId, request.url());
        try {
          stream(((RangeAnswer.Whole) a).body(), layout);
        } catch (OriginException e) {
          throw new DownloadException(e.getMessage(), e); // stream() already read it again
        }
        return true;
      } catch (OriginException e) {
        last = e;
        events.pieceFailed(
            piece,
            PieceSource.ORIGIN,
            From.ORIGIN,
            0,
            (System.nanoTime() - start) / 1_000_000,
            e.getMessage());
        if (e.status() >= 400 && e.status() < 500) {
          break; // a 4xx will not get better by asking again
        }
      }
    }
    throw new DownloadException(last.getMessage(), last);
  }

  /**
   * Reads the whole content once from {@code body}, cutting it into pieces as the bytes arrive;
   * each piece is verified and offered to children as soon as it is complete. A broken stream is
   * opened again (pieces already held are read past, not written).
   */
  private void stream(InputStream body, PieceLayout layout)
      throws OriginException, DownloadException, InterruptedException {
    InputStream in = body;
    for (int attempt = 0; ; attempt++) {
      try (InputStream s = in) {
        long start = System.nanoTime();
        for (int p = 0; p < layout.pieceCount(); p++) {
          byte[] bytes = s.readNBytes(layout.length(p));
          if (bytes.length < layout.length(p)) {
            throw new OriginException(
                "origin body ended at byte "
                    + (layout.offset(p) + bytes.length)
                    + " of "
                    + layout.contentLength()
                    + " of "
                    + request.url(),
                200);
          }
          if (!file.has(p)) {
            write(p, bytes, start);
          }
          start = System.nanoTime();
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
        return;
      } catch (IOException e) {
        OriginException oe =
            e instanceof OriginException o
                ? o
                : new OriginException("reading " + request.url() + " failed: " + e.getMessage(), e);
        if (attempt + 1 >= RETRIES) {
          throw oe;
        }
        log.info(
            "{}: the origin stream broke ({}); reading it again from the start",
            peerId,
            oe.getMessage());
        in = ctx.origin().openWhole(request.url());
      }
    }
  }

  private void rangePiece(int piece, PieceLayout layout)
      throws DownloadException, InterruptedException {
    OriginException last = null;
    for (int attempt = 0; attempt < RETRIES; attempt++) {
      long start = System.nanoTime();
      try {
        write(
            piece,
            ctx.origin().fetchRange(request.url(), layout.offset(piece), layout.length(piece)),
            start);
        return;
      } catch (OriginException e) {
        last = e;
        events.pieceFailed(
            piece,
            PieceSource.ORIGIN,
            From.ORIGIN,
            0,
            (System.nanoTime() - start) / 1_000_000,
            e.getMessage());
        if (e.status() >= 400 && e.status() < 500) {
          break; // a 4xx will not get better by asking again
        }
      }
    }
    throw new DownloadException(last.getMessage(), last);
  }

  /**
   * Verifies (against known metadata) or digests a piece from the origin, writes it and reports it.
   */
  private void write(int piece, byte[] bytes, long startNanos) throws DownloadException {
    try {
      String digest =
          known
              .map(m -> m.getPieceDigests().size() > piece ? m.getPieceDigests().get(piece) : null)
              .filter(d -> !d.isEmpty())
              .orElse(null);
      if (digest != null) {
        file.writeVerified(piece, bytes, digest);
      } else {
        digest = file.writeFromOrigin(piece, bytes);
      }
      progress.addOrigin(bytes.length);
      synchronized (arrivals) {
        arrivals.notifyAll();
      }
      events.pieceFinished(
          piece,
          PieceSource.ORIGIN,
          From.ORIGIN,
          bytes.length,
          (System.nanoTime() - startNanos) / 1_000_000,
          digest);
    } catch (PieceVerificationException e) {
      throw new DownloadException(
          "the origin's content no longer matches the task metadata: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DownloadException("cannot write " + request.output() + ": " + e.getMessage(), e);
    }
  }

  private void publishMetadata(PieceLayout layout) {
    ctx.publish(
        TaskMetadata.newBuilder()
            .setTaskId(taskId)
            .setUrl(request.url())
            .setDigest(request.digest().orElse(null))
            .setTag(request.tag())
            .setContentLength(layout.contentLength())
            .setPieceLength(layout.pieceLength())
            .setPieceCount(layout.pieceCount())
            .setPieceDigests(file.digestsHex())
            .setSourceHostId(ctx.config().hostId())
            .setCreatedAt(Instant.now())
            .build());
  }
}
