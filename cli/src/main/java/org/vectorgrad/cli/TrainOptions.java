package org.vectorgrad.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Everything a training run depends on. The fields that decide its result (all but threads and
 * paths) are saved in checkpoints, so a resumed run continues the same trajectory.
 */
record TrainOptions(ModelKind model, int epochs, int batchSize, float lr, Schedule schedule, float momentum, long seed,
                    int limit, int testLimit, int threads, Path dataDir, Path outputDir) {
    static final int ALL = Integer.MAX_VALUE;

    /** How the learning rate changes between epochs. */
    enum Schedule {
        /** CosineAnnealingLR with T_max = epochs, stepped after every epoch: lr falls to 0 by the end. */
        COSINE,
        /** The same lr throughout. */
        CONSTANT;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Schedule parse(String text) {
            for (Schedule schedule : values()) {
                if (schedule.toString().equalsIgnoreCase(text.strip())) {
                    return schedule;
                }
            }
            throw new IllegalArgumentException("unknown lr schedule '" + text + "'; expected cosine or constant");
        }
    }

    TrainOptions {
        check(epochs >= 1, "--epochs must be >= 1, got " + epochs);
        check(batchSize >= 1, "--batch-size must be >= 1, got " + batchSize);
        check(lr > 0 && Float.isFinite(lr), "--lr must be a positive number, got " + lr);
        check(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1), got " + momentum);
        check(limit >= 1, "--limit must be >= 1, got " + limit);
        check(testLimit >= 1, "--test-limit must be >= 1, got " + testLimit);
        check(threads >= 1, "--threads must be >= 1, got " + threads);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The result-deciding fields as JSON (the checkpoint's {@code options} metadata). */
    String trajectoryJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model", model.toString());
        o.addProperty("epochs", epochs);
        o.addProperty("batch_size", batchSize);
        o.addProperty("lr", lr);
        o.addProperty("lr_schedule", schedule.toString());
        o.addProperty("momentum", momentum);
        o.addProperty("seed", seed);
        o.addProperty("limit", limit);
        o.addProperty("test_limit", testLimit);
        return o.toString();
    }

    /** These options with the result-deciding fields taken from {@link #trajectoryJson()} output. */
    TrainOptions withTrajectory(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            return new TrainOptions(ModelKind.parse(o.get("model").getAsString()), o.get("epochs").getAsInt(),
                    o.get("batch_size").getAsInt(), o.get("lr").getAsFloat(),
                    Schedule.parse(o.get("lr_schedule").getAsString()), o.get("momentum").getAsFloat(),
                    o.get("seed").getAsLong(), o.get("limit").getAsInt(), o.get("test_limit").getAsInt(),
                    threads, dataDir, outputDir);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("options are not the JSON object of a training run: " + e.getMessage(), e);
        }
    }

    TrainOptions withEpochs(int newEpochs) {
        return new TrainOptions(model, newEpochs, batchSize, lr, schedule, momentum, seed, limit, testLimit, threads, dataDir,
                outputDir);
    }

    Path checkpointFile() {
        return outputDir.resolve(model + ".safetensors");
    }

    Path historyFile() {
        return outputDir.resolve(model + "-history.csv");
    }

    Path plotFile() {
        return outputDir.resolve(model + "-curves.png");
    }

    String describe() {
        return String.format(Locale.ROOT, "model %s, %d epochs, batch %d, SGD lr %s (%s) momentum %s, seed %d,"
                + " %d threads", model, epochs, batchSize, lr, schedule, momentum, seed, threads);
    }
}
