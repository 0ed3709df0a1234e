package io.swarmsched.scheduling;

import io.swarmsched.scheduling.evaluator.Evaluator;
import io.swarmsched.scheduling.evaluator.LoadAwareEvaluator;
import io.swarmsched.scheduling.evaluator.ScoredCandidate;
import io.swarmsched.scheduling.filter.CandidateFilter;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.filter.Drop;
import io.swarmsched.scheduling.filter.FilterParams;
import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Stage 1 of docs/design.md as one call: filter the task's other peers, score the survivors, keep the top N.
 * Deterministic: peers are visited in id order, every filter and evaluator is a pure function of the request,
 * and ties are broken by peer id. Stateless and thread-safe itself; the {@link Task} and ledger it is given
 * belong to the caller.
 */
public final class ParentSelector {

    public static final int DEFAULT_TOP_N = 4;

    private final List<CandidateFilter> filters;
    private final Evaluator evaluator;
    private final int topN;

    public ParentSelector(List<CandidateFilter> filters, Evaluator evaluator, int topN) {
        this.filters = List.copyOf(filters);
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be >= 1, was " + topN);
        }
        this.topN = topN;
    }

    /** Standard filters, load-aware evaluator, top 4. */
    public static ParentSelector defaults() {
        return new ParentSelector(CandidateFilters.standard(FilterParams.defaults()), new LoadAwareEvaluator(),
                DEFAULT_TOP_N);
    }

    public Evaluator evaluator() {
        return evaluator;
    }

    public List<CandidateFilter> filters() {
        return filters;
    }

    public int topN() {
        return topN;
    }

    /** The policy recorded in decisions: evaluator and its parameters, and N. */
    public String policyId() {
        return evaluator.policyId() + "/top" + topN;
    }

    /**
     * @throws IllegalArgumentException when the requesting peer is not in the task
     */
    public Selection select(SelectionRequest r) {
        Task task = r.task();
        Peer requester = task.peer(r.peerId()).orElseThrow(() -> new IllegalArgumentException(
                "peer " + r.peerId() + " is not in task " + task.taskId()));
        HostView requesterHost = r.hosts().host(requester.hostId()).orElse(HostView.unknown(requester.hostId()));
        SelectionContext ctx = new SelectionContext(r.requestId(), task, requester, requesterHost, r.blocklist(),
                r.hosts(), r.scores(), r.ledger(), r.nowMillis());

        List<Candidate> survivors = new ArrayList<>();
        List<Drop> drops = new ArrayList<>();
        int considered = 0;
        for (Peer p : task.peers()) { // sorted by peer id
            if (p == requester) { // the task holds one Peer per id: identity is the id check, without reading it
                continue;
            }
            considered++;
            Optional<HostView> host = r.hosts().host(p.hostId());
            Candidate c = new Candidate(p, host.orElse(HostView.unknown(p.hostId())), host.isPresent());
            Optional<Drop> drop = Optional.empty();
            for (CandidateFilter f : filters) {
                drop = f.check(ctx, c);
                if (drop.isPresent()) {
                    break;
                }
            }
            if (drop.isPresent()) {
                drops.add(drop.get());
            } else {
                survivors.add(c);
            }
        }
        List<RankedParent> parents = new ArrayList<>();
        for (ScoredCandidate s : evaluator.rank(ctx, survivors, topN)) {
            Candidate c = s.candidate();
            parents.add(new RankedParent(c.peerId(), c.hostId(), c.host().pieceServerAddress(), s.breakdown()));
        }
        return new Selection(policyId(), r.requestId(), task.taskId(), requester.peerId(), parents, drops, considered);
    }

    /**
     * Applies a selection: the child's previous parents are replaced by the chosen ones in the task's DAG, and each
     * new edge is recorded in the ledger at {@code nowMillis}. Returns the former parents.
     */
    public static List<String> commit(Task task, Selection selection, OptimisticLedger ledger, long nowMillis) {
        String child = selection.peerId();
        List<String> former = task.dag().deleteInEdges(child);
        for (RankedParent p : selection.parents()) {
            if (task.dag().canAddEdge(p.peerId(), child)) {
                task.dag().addEdge(p.peerId(), child);
                ledger.recordAllocation(p.hostId(), nowMillis);
            }
        }
        return former;
    }
}
