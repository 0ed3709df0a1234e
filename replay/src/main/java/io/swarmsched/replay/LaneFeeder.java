package io.swarmsched.replay;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds a {@link RecordedHistory.Plan} to the lanes: each event to its partition's lane in feeding
 * order, each table record to every lane when that lane gets it (table records first at equal
 * times), the lanes' wall clocks stepping along; then the drain period.
 */
final class LaneFeeder {
  private final RecordedHistory h;
  private final DispatcherConfig config;
  private final Map<Integer, Lane> lanes;
  private final ReplayOutput sink;
  private final Replayer.Options o;
  private final long started;

  /**
   * A feeder of {@code h} into {@code lanes} (filled here, one per partition; the caller closes
   * them), handing what the lanes produce to {@code sink}.
   */
  LaneFeeder(
      RecordedHistory h,
      DispatcherConfig config,
      Map<Integer, Lane> lanes,
      ReplayOutput sink,
      Replayer.Options o,
      long started) {
    this.h = h;
    this.config = config;
    this.lanes = lanes;
    this.sink = sink;
    this.o = o;
    this.started = started;
  }

  /**
   * Feeds every event to its lane and every table record to each lane when that lane gets it,
   * handing what the lanes produce to {@code sink}.
   */
  void feed(RecordedHistory.Plan plan) {
    List<RecordedHistory.Input> events = plan.events();
    long t0 = Long.MAX_VALUE;
    for (List<RecordedHistory.Input> t : plan.tables().values()) {
      if (!t.isEmpty()) t0 = Math.min(t0, t.get(0).feedAt());
    }
    if (!events.isEmpty()) t0 = Math.min(t0, events.get(0).feedAt());
    for (int p : h.partitions) lanes.put(p, new Lane(config, t0));
    Map<Integer, Integer> next = new HashMap<>(); // each lane's next table record
    long tables = plan.tables().values().stream().findFirst().map(List::size).orElse(0);
    long total = events.size() + tables;
    long tick = config.tick().toMillis();
    long reportEvery = Math.max(1, total / 200);
    long last = t0;
    long done = 0;
    long tablePipes = 0;
    for (RecordedHistory.Input in : events) {
      RecordedRecord r = in.record();
      long ts = r.timestamp();
      last = Math.max(last, ts);
      for (Map.Entry<Integer, Lane> lane : lanes.entrySet()) {
        tablePipes += tablesUpTo(plan, lane.getKey(), lane.getValue(), next, ts, tick);
        lane.getValue().advanceTo(ts, tick);
      }
      Lane lane = lanes.get(r.partition());
      switch (in.kind()) {
        case RecordedHistory.REQUESTS ->
            lane.requests.pipeInput(in.key(), h.decoder.decode(r, ScheduleRequest.class), ts);
        case RecordedHistory.PEER_EVENTS ->
            lane.peerEvents.pipeInput(in.key(), h.decoder.decode(r, PeerEvent.class), ts);
        default -> lane.pieceEvents.pipeInput(in.key(), h.decoder.decode(r, PieceEvent.class), ts);
      }
      done++;
      if (done % 1000 == 0) {
        for (Lane l : lanes.values()) l.drain(sink);
      }
      if (done % reportEvery == 0) {
        long fed = done + tablePipes / lanes.size(); // a table record counts once, not per lane
        o.progress().accept(new Replayer.Progress(fed, total, (System.nanoTime() - started) / 1e9));
      }
    }
    // the rest of the tables, then requests still waiting at the end of the recording get their
    // rounds: the clocks run on (stream time cannot, without records) for the drain period
    for (Map.Entry<Integer, Lane> lane : lanes.entrySet()) {
      List<RecordedHistory.Input> mine = plan.tables().get(lane.getKey());
      if (!mine.isEmpty()) last = Math.max(last, mine.get(mine.size() - 1).feedAt());
      tablesUpTo(plan, lane.getKey(), lane.getValue(), next, Long.MAX_VALUE, tick);
    }
    o.progress().accept(new Replayer.Progress(total, total, (System.nanoTime() - started) / 1e9));
    Duration drain = o.drain() != null ? o.drain() : ReplaySettings.defaultDrain(config);
    for (Lane lane : lanes.values()) {
      lane.advanceTo(last + drain.toMillis(), tick);
      lane.drain(sink);
    }
  }

  /**
   * As {@link #feed}, with each lane's tables moved to the positions its next recorded decision saw
   * ({@link TablePositions}) before every event and every step of its clock, and its output handed
   * on at once (so that the decisions it has made are known before the next step).
   */
  void feedByPositions(
      RecordedHistory.Plan plan, TablePositions positions, LiveRounds rounds, boolean ownRounds) {
    List<RecordedHistory.Input> events = plan.events();
    long t0 = Long.MAX_VALUE;
    // the clocks start at the first event (the tables' starting state may be dated long before)
    for (RecordedHistory.Input in : events) {
      if (in.kind() != RecordedHistory.ROUND) {
        t0 = in.record().timestamp();
        break;
      }
    }
    if (t0 == Long.MAX_VALUE && !events.isEmpty()) t0 = events.get(0).record().timestamp();
    for (int p : h.partitions) {
      Lane lane = new Lane(config, t0);
      lane.rounds.own = ownRounds;
      lanes.put(p, lane);
    }
    Map<Integer, TablePositions.State> states = new HashMap<>();
    Map<Integer, ReplayOutput> sinks = new HashMap<>();
    for (int p : h.partitions) {
      states.put(p, new TablePositions.State());
      sinks.put(
          p,
          new ReplayOutput() {
            @Override
            public void decision(ScheduleDecision d) {
              positions.made(p, d);
              sink.decision(d);
            }

            @Override
            public void peerEvent(String key, PeerEvent e) {
              sink.peerEvent(key, e);
            }
          });
    }
    long total = events.size();
    long tick = config.tick().toMillis();
    long reportEvery = Math.max(1, total / 200);
    long last = t0;
    long done = 0;
    for (RecordedHistory.Input in : events) {
      RecordedRecord r = in.record();
      long ts = r.timestamp();
      if (in.kind() == RecordedHistory.ROUND) {
        // a round the live dispatcher ran here, with the tables it had then
        int p = r.partition();
        LiveRounds.Round round = rounds.of(p).get((int) r.offset());
        Lane lane = lanes.get(p);
        positions.moveTo(states.get(p), round.hosts(), round.scores(), pipe(lane));
        lane.runRound(round.at(), tick);
        lane.drain(sinks.get(p));
        done++;
        continue;
      }
      last = Math.max(last, ts);
      for (Map.Entry<Integer, Lane> e : lanes.entrySet()) {
        Lane lane = e.getValue();
        if (lane.wall + tick > ts) continue; // no step of its clock: no punctuation
        int p = e.getKey();
        positions.sync(p, states.get(p), null, null, pipe(lane));
        lane.advanceTo(ts, tick);
        lane.drain(sinks.get(p));
      }
      int p = r.partition();
      Lane lane = lanes.get(p);
      TablePositions.State state = states.get(p);
      switch (in.kind()) {
        case RecordedHistory.REQUESTS -> {
          ScheduleRequest req = h.decoder.decode(r, ScheduleRequest.class);
          positions.sync(p, state, in, req.getRequestId(), pipe(lane));
          lane.requests.pipeInput(in.key(), req, ts);
        }
        case RecordedHistory.PEER_EVENTS -> {
          positions.sync(p, state, in, null, pipe(lane));
          lane.peerEvents.pipeInput(in.key(), h.decoder.decode(r, PeerEvent.class), ts);
        }
        default -> {
          positions.sync(p, state, in, null, pipe(lane));
          lane.pieceEvents.pipeInput(in.key(), h.decoder.decode(r, PieceEvent.class), ts);
        }
      }
      state.streamTime = Math.max(state.streamTime, ts);
      lane.drain(sinks.get(p));
      done++;
      if (done % reportEvery == 0) {
        o.progress()
            .accept(new Replayer.Progress(done, total, (System.nanoTime() - started) / 1e9));
      }
    }
    o.progress().accept(new Replayer.Progress(total, total, (System.nanoTime() - started) / 1e9));
    Duration drain = o.drain() != null ? o.drain() : ReplaySettings.defaultDrain(config);
    for (Map.Entry<Integer, Lane> e : lanes.entrySet()) {
      int p = e.getKey();
      Lane lane = e.getValue();
      // the recorded rounds are over: requests the replay still has waiting get rounds of its own
      lane.rounds.own = true;
      long end = last + drain.toMillis();
      // step by step, so that retries made on the way see what their recorded ones saw
      while (lane.wall + tick <= end) {
        positions.sync(p, states.get(p), null, null, pipe(lane));
        lane.advanceTo(lane.wall + tick, tick);
        lane.drain(sinks.get(p));
      }
    }
  }

  private TablePositions.Pipe pipe(Lane lane) {
    return (in, tombstone) -> {
      RecordedRecord r = in.record();
      if (in.kind() == RecordedHistory.HOSTS) {
        HostState v = tombstone || r.value() == null ? null : h.decoder.decode(r, HostState.class);
        lane.hosts.pipeInput(in.key(), v, r.timestamp());
      } else {
        HostScore v = tombstone || r.value() == null ? null : h.decoder.decode(r, HostScore.class);
        lane.scores.pipeInput(in.key(), v, r.timestamp());
      }
    };
  }

  /** Pipes lane {@code p}'s table records due by {@code until}; returns how many. */
  private int tablesUpTo(
      RecordedHistory.Plan plan,
      int p,
      Lane lane,
      Map<Integer, Integer> next,
      long until,
      long tick) {
    List<RecordedHistory.Input> mine = plan.tables().get(p);
    int i = next.getOrDefault(p, 0);
    int start = i;
    TablePositions.Pipe pipe = pipe(lane);
    for (; i < mine.size() && mine.get(i).feedAt() <= until; i++) {
      RecordedHistory.Input in = mine.get(i);
      lane.advanceTo(in.feedAt(), tick);
      pipe.pipe(in, false);
    }
    next.put(p, i);
    return i - start;
  }
}
