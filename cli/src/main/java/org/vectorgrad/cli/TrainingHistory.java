package org.vectorgrad.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.vectorgrad.io.AtomicFiles;

/** The per-epoch results of a run, in order; saved in checkpoints (JSON) and as CSV. */
final class TrainingHistory {
    private final List<EpochResult> epochs = new ArrayList<>();

    void add(EpochResult result) {
        if (result.epoch() != epochs.size() + 1) {
            throw new IllegalArgumentException("epoch " + result.epoch() + " does not follow epoch " + epochs.size());
        }
        epochs.add(result);
    }

    List<EpochResult> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    int size() {
        return epochs.size();
    }

    String toJson() {
        JsonArray array = new JsonArray();
        for (EpochResult e : epochs) {
            JsonObject o = new JsonObject();
            o.addProperty("epoch", e.epoch());
            o.addProperty("train_loss", e.trainLoss());
            o.addProperty("test_accuracy", e.testAccuracy());
            o.addProperty("seconds", e.seconds());
            o.addProperty("samples_per_second", e.samplesPerSecond());
            array.add(o);
        }
        return array.toString();
    }

    /** Parses {@link #toJson()} output; throws IllegalArgumentException naming what is wrong. */
    static TrainingHistory fromJson(String json) {
        TrainingHistory history = new TrainingHistory();
        try {
            for (JsonElement element : JsonParser.parseString(json).getAsJsonArray()) {
                JsonObject o = element.getAsJsonObject();
                history.add(new EpochResult(o.get("epoch").getAsInt(), o.get("train_loss").getAsDouble(),
                        o.get("test_accuracy").getAsDouble(), o.get("seconds").getAsDouble(),
                        o.get("samples_per_second").getAsDouble()));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("history is not a JSON array of epoch results: " + e.getMessage(), e);
        }
        return history;
    }

    /** Writes a CSV table (atomically, like every run output). */
    void writeCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("epoch,train_loss,test_accuracy,seconds,samples_per_second\n");
        for (EpochResult e : epochs) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.3f,%.1f%n", e.epoch(), e.trainLoss(),
                    e.testAccuracy(), e.seconds(), e.samplesPerSecond()));
        }
        AtomicFiles.write(file, out -> out.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
