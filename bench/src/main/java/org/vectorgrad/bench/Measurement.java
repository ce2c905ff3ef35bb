package org.vectorgrad.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One timed workload: a JMH benchmark name ({@code org.vectorgrad.bench.MatmulBenchmark.matmul}),
 * its parameters other than the thread count (in declaration order), the kernel thread count
 * (0 when the benchmark does not set one) and the mean time of one call in seconds.
 */
record Measurement(String benchmark, Map<String, String> params, int threads, double secondsPerOp) {
    static final String THREADS_PARAM = "threads";

    Measurement {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        if (params.containsKey(THREADS_PARAM)) {
            throw new IllegalArgumentException("the thread count is a field of its own, not a param: " + params);
        }
        if (!(secondsPerOp > 0) || Double.isInfinite(secondsPerOp)) {
            throw new IllegalArgumentException("time per op must be positive and finite, got " + secondsPerOp
                    + " s for " + benchmark + " " + params);
        }
    }

    /**
     * Splits the {@code threads} entry off a full parameter map, as JMH and the PyTorch script
     * report them together.
     */
    static Measurement of(String benchmark, Map<String, String> allParams, double secondsPerOp) {
        Map<String, String> params = new LinkedHashMap<>(allParams);
        String threads = params.remove(THREADS_PARAM);
        return new Measurement(benchmark, params, threads == null ? 0 : Integer.parseInt(threads), secondsPerOp);
    }

    /** What must agree for two measurements to be the same workload. */
    String key() {
        return benchmark + " " + new TreeMap<>(params) + " threads=" + threads;
    }

    /**
     * Each workload's fastest time over several rounds of the same suite, in the order the
     * workloads first appear: on a VM whose speed drifts for minutes at a time, alternating rounds
     * of the two sides and keeping each side's fastest keeps a slow phase from landing on one side.
     */
    static List<Measurement> fastest(List<List<Measurement>> rounds) {
        Map<String, Measurement> best = new LinkedHashMap<>();
        for (List<Measurement> round : rounds) {
            for (Measurement m : round) {
                best.merge(m.key(), m, (a, b) -> b.secondsPerOp() < a.secondsPerOp() ? b : a);
            }
        }
        return List.copyOf(best.values());
    }
}
