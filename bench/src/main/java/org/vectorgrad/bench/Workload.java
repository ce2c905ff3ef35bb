package org.vectorgrad.bench;

import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How a benchmark reads in the comparison table: its label, the unit its speed is shown in and
 * the amount of work one call does in that unit's terms (FLOPs, elements, or 1 for plain times).
 */
record Workload(String label, Unit unit, double work) {

    /** Display units. Throughputs divide the work by the time; times scale the time per call. */
    enum Unit {
        GFLOPS("GFLOP/s", true, 1e-9),
        GELEMS("Gelem/s", true, 1e-9),
        MICROS("µs/iter", false, 1e6),
        MILLIS("ms/step", false, 1e3);

        private final String symbol;
        private final boolean throughput;
        private final double scale;

        Unit(String symbol, boolean throughput, double scale) {
            this.symbol = symbol;
            this.throughput = throughput;
            this.scale = scale;
        }

        String symbol() {
            return symbol;
        }

        /** The shown value for {@code work} done in {@code secondsPerOp}. */
        double value(double work, double secondsPerOp) {
            return throughput ? work / secondsPerOp * scale : secondsPerOp * scale;
        }
    }

    /** The table entry of a benchmark of this suite; unknown benchmarks are shown as plain times. */
    static Workload of(String benchmark, Map<String, String> params) {
        String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
        return switch (name) {
            case "MatmulBenchmark.matmul" -> matmul(MatmulShape.parse(required(params, "shape", name)));
            case "ElementwiseBenchmark.tensor" ->
                    elementwise(required(params, "op", name), required(params, "size", name), "");
            case "ElementwiseBenchmark.out" ->
                    elementwise(required(params, "op", name), required(params, "size", name), " (out=)");
            case "ReductionBenchmark.sum" -> elementwise("sum", required(params, "size", name), "");
            case "AutogradBenchmark.seedGraph" -> new Workload("seed graph fwd+bwd", Unit.MICROS, 1);
            case "TrainingStepBenchmark.step" -> new Workload("MLP step batch " + required(params, "batch", name), Unit.MILLIS, 1);
            case "ConvNetStepBenchmark.step" -> convNet(required(params, "model", name));
            case "ColdSeedGraphBenchmark.seedGraph" ->
                    new Workload("seed graph " + phase(required(params, "phase", name)), Unit.MICROS, 1);
            default -> new Workload(name + describe(params), Unit.MICROS, 1);
        };
    }

    private static Workload convNet(String model) {
        return new Workload(model.equals("cnn") ? "CNN step batch 64" : "ResNet-18 step batch 16, 3x64x64",
                Unit.MILLIS, 1);
    }

    private static String phase(String phase) {
        return phase.equals("cold") ? "first 20k iterations of a fresh process"
                : "first 20k iterations after 1M-element work";
    }

    private static Workload matmul(MatmulShape shape) {
        boolean square = shape.m() == shape.k() && shape.k() == shape.n();
        return new Workload("matmul " + (square ? String.valueOf(shape.m()) : shape.label()), Unit.GFLOPS, shape.flops());
    }

    private static Workload elementwise(String op, String size, String form) {
        return new Workload(op + " " + size + form, Unit.GELEMS, BenchData.parseCount(size));
    }

    private static String required(Map<String, String> params, String key, String benchmark) {
        String value = params.get(key);
        if (value == null) {
            throw new IllegalArgumentException(benchmark + " needs the parameter '" + key + "', got " + params);
        }
        return value;
    }

    private static String describe(Map<String, String> params) {
        StringJoiner joined = new StringJoiner(", ", " (", ")").setEmptyValue("");
        params.forEach((key, value) -> joined.add(key + "=" + value));
        return joined.toString();
    }

    /** The shown speed of one call taking {@code secondsPerOp}, e.g. {@code "94.1"}. */
    String format(double secondsPerOp) {
        double value = unit.value(work, secondsPerOp);
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
    }
}
