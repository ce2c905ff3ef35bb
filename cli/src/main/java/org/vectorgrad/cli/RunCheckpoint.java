package org.vectorgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vectorgrad.io.Checkpoint;
import org.vectorgrad.io.SafetensorsFormatException;
import org.vectorgrad.nn.Module;
import org.vectorgrad.optim.Optimizer;

/** A training run's checkpoint: model and optimizer state, finished epochs, history and options. */
record RunCheckpoint(Checkpoint.Contents contents, int epoch, TrainingHistory history, String optionsJson) {
    static final String EPOCH = "epoch";
    static final String HISTORY = "history";
    static final String OPTIONS = "options";

    static void save(Path file, Module model, Optimizer optimizer, TrainingHistory history, TrainOptions options)
            throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(EPOCH, String.valueOf(history.size()));
        metadata.put(HISTORY, history.toJson());
        metadata.put(OPTIONS, options.trajectoryJson());
        Checkpoint.save(file, model.stateDict(), optimizer.stateDict(), metadata);
    }

    /** Reads and checks a checkpoint's file and metadata; no model is touched. */
    static RunCheckpoint load(Path file) throws IOException {
        Checkpoint.Contents contents = Checkpoint.load(file);
        try {
            int epoch = Integer.parseInt(contents.require(EPOCH));
            TrainingHistory history = TrainingHistory.fromJson(contents.require(HISTORY));
            if (history.size() != epoch) {
                throw new IllegalArgumentException("epoch " + epoch + " but a history of " + history.size() + " epochs");
            }
            return new RunCheckpoint(contents, epoch, history, contents.require(OPTIONS));
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, "checkpoint metadata is inconsistent: " + e.getMessage(), e);
        }
    }

    /**
     * Loads the saved state into {@code model} and {@code optimizer}. Everything is checked before
     * anything is copied: on error both are left exactly as they were.
     */
    void restore(Module model, Optimizer optimizer) throws SafetensorsFormatException {
        Path file = contents.file();
        Checkpoint.checkMatches(file, "model", contents.model(), model.stateDict());
        try {
            optimizer.loadStateDict(contents.optimizer());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(file, "optimizer state does not fit this model's "
                    + optimizer.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        model.loadStateDict(contents.model());
    }
}
