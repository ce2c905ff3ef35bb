package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Flatten;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.MaxPool2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;

/** Distributed inference gives single-process {@code forward}'s numbers, bit for bit, whatever the batching. */
class VectorgradTransformerTest {
    private static final int FEATURES = 36;
    private static final int ROWS = 103;

    // Spark ML's writers and readers use the active session, or build an unconfigured one.
    @BeforeEach
    void activeSession() {
        LocalSpark.session();
    }

    private static Module cnn() {
        Tensor.manualSeed(21);
        return new Sequential(new Conv2d(1, 4, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2), new Flatten(),
                new Linear(4 * 3 * 3, 5));
    }

    private static Module mlp() {
        return Synthetic.mlp(FEATURES, 4);
    }

    private static Dataset<Row> vectors(Synthetic data, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < data.count(); i++) {
            double[] x = new double[FEATURES];
            for (int f = 0; f < FEATURES; f++) {
                x[f] = data.features()[i * FEATURES + f];
            }
            rows.add(RowFactory.create(i, Vectors.dense(x)));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType());
        return LocalSpark.session().createDataFrame(rows, schema).repartition(partitions);
    }

    /** The model's outputs and softmax for every row at once, on this process. */
    private static float[][] single(Module model, Synthetic data, int... sampleShape) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = data.count();
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            Tensor out = model.eval().forward(Tensor.fromArray(data.features(), shape));
            return new float[][] {out.toArray(), out.softmax(1).toArray(), out.argmax(1, false).toArray()};
        }
    }

    private static void assertSameAsSingle(Dataset<Row> predicted, float[][] expected, int classes) {
        List<Row> rows = predicted.orderBy("id").collectAsList();
        assertEquals(ROWS, rows.size());
        for (Row row : rows) {
            int i = row.getInt(0);
            double[] raw = ((Vector) row.getAs("raw")).toArray();
            double[] probability = ((Vector) row.getAs("probability")).toArray();
            for (int c = 0; c < classes; c++) {
                assertEquals(expected[0][i * classes + c], (float) raw[c], "row " + i + " output " + c);
                assertEquals(expected[1][i * classes + c], (float) probability[c], "row " + i + " probability " + c);
                assertEquals(raw[c], (float) raw[c], "outputs are floats, widened exactly");
            }
            assertEquals(expected[2][i], row.getDouble(row.fieldIndex("prediction")), "row " + i);
        }
    }

    @Test
    void anMlpOnAVectorColumnPredictsAsForwardDoes() {
        Synthetic data = Synthetic.make(ROWS, FEATURES, 9);
        VectorgradTransformer transformer = new VectorgradTransformer(VectorgradTransformerTest::mlp, mlp())
                .setRawPredictionCol("raw").setBatchSize(7);
        Dataset<Row> predicted = transformer.transform(vectors(data, 3));
        assertEquals("id, features, prediction, probability, raw", String.join(", ", predicted.columns()));
        assertSameAsSingle(predicted, single(mlp(), data, FEATURES), Synthetic.CLASSES);
    }

    @Test
    void aCnnOnNumericColumnsInAPipelinePredictsAsForwardDoes() {
        Synthetic data = Synthetic.make(ROWS, FEATURES, 10);
        String[] columns = new String[FEATURES];
        List<Row> rows = new ArrayList<>();
        StructType schema = new StructType().add("id", DataTypes.IntegerType);
        for (int f = 0; f < FEATURES; f++) {
            columns[f] = "x" + f;
            schema = schema.add(columns[f], DataTypes.FloatType);
        }
        for (int i = 0; i < ROWS; i++) {
            Object[] values = new Object[FEATURES + 1];
            values[0] = i;
            for (int f = 0; f < FEATURES; f++) {
                values[f + 1] = data.features()[i * FEATURES + f];
            }
            rows.add(RowFactory.create(values));
        }
        Dataset<Row> numeric = LocalSpark.session().createDataFrame(rows, schema).repartition(2);
        VectorgradTransformer transformer = new VectorgradTransformer(VectorgradTransformerTest::cnn, cnn())
                .setInputCols(columns).setSampleShape(1, 6, 6).setRawPredictionCol("raw").setBatchSize(16);
        Dataset<Row> predicted = new Pipeline().setStages(new PipelineStage[] {transformer}).fit(numeric)
                .transform(numeric);
        assertSameAsSingle(predicted, single(cnn(), data, 1, 6, 6), 5);
    }

    @Test
    void badColumnsAreNamed() {
        Dataset<Row> frame = vectors(Synthetic.make(4, FEATURES, 1), 1);
        VectorgradTransformer transformer = new VectorgradTransformer(VectorgradTransformerTest::mlp, mlp());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> transformer.copy(new org.apache.spark.ml.param.ParamMap()).setInputCols("pixels")
                        .transform(frame));
        assertEquals("no column 'pixels' in struct<id:int,features:vector>", missing.getMessage());
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> transformer.setPredictionCol("id").transform(frame));
        assertEquals("output column 'id' already exists in struct<id:int,features:vector>", clash.getMessage());
    }

    /** The CNN on the vector column, every param but the input column off its default. */
    private static VectorgradTransformer savedCnn() {
        return new VectorgradTransformer(VectorgradTransformerTest::cnn, cnn()).setSampleShape(1, 6, 6)
                .setRawPredictionCol("raw").setBatchSize(7);
    }

    private static void assertSameParams(VectorgradTransformer expected, VectorgradTransformer actual) {
        assertEquals(expected.uid(), actual.uid());
        for (Param<?> param : expected.params()) {
            Param<?> loaded = actual.getParam(param.name());
            assertEquals(expected.isSet(param), actual.isSet(loaded), param.name());
            assertTrue(Objects.deepEquals(expected.getOrDefault(param), actual.getOrDefault(loaded)), param.name());
        }
    }

    @Test
    void aSavedTransformerLoadsWithItsUidParamsAndNumbers(@TempDir Path dir) throws IOException {
        Synthetic data = Synthetic.make(ROWS, FEATURES, 11);
        VectorgradTransformer transformer = savedCnn();
        String path = dir.resolve("cnn").toString();
        transformer.write().save(path);
        VectorgradTransformer loaded = VectorgradTransformer.load(path);
        assertSameParams(transformer, loaded);
        assertEquals(7, (Integer) loaded.getOrDefault(loaded.batchSize()));
        assertSameAsSingle(loaded.transform(vectors(data, 3)), single(cnn(), data, 1, 6, 6), 5);
    }

    @Test
    void aSavedPipelineModelLoadsAndPredictsAsForwardDoes(@TempDir Path dir) throws IOException {
        Synthetic data = Synthetic.make(ROWS, FEATURES, 12);
        Dataset<Row> frame = vectors(data, 2);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {savedCnn()}).fit(frame);
        String path = dir.resolve("pipeline").toString();
        model.write().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertEquals(model.uid(), loaded.uid());
        VectorgradTransformer stage = assertInstanceOf(VectorgradTransformer.class, loaded.stages()[0]);
        assertSameParams((VectorgradTransformer) model.stages()[0], stage);
        assertSameAsSingle(loaded.transform(frame), single(cnn(), data, 1, 6, 6), 5);
    }

    @Test
    void savingOntoAnExistingPathNeedsOverwrite(@TempDir Path dir) throws IOException {
        String path = dir.resolve("model").toString();
        savedCnn().write().save(path);
        VectorgradTransformer mlp = new VectorgradTransformer(VectorgradTransformerTest::mlp, mlp());
        IOException refused = assertThrows(IOException.class, () -> mlp.write().save(path));
        assertEquals("Path " + path + " already exists. To overwrite it, please use write.overwrite().save(path)"
                + " for Scala and use write().overwrite().save(path) for Java and Python.", refused.getMessage());
        mlp.write().overwrite().save(path);
        VectorgradTransformer loaded = VectorgradTransformer.load(path);
        assertSameParams(mlp, loaded);
        assertArrayEquals(mlp.safetensors(), loaded.safetensors());
    }

    @Test
    void aFactoryThatCannotBeReadIsNamedWithItsPath(@TempDir Path dir) throws IOException {
        String path = dir.resolve("model").toString();
        savedCnn().write().save(path);
        Path factory = dir.resolve("model").resolve(TransformerPersistence.FACTORY);
        byte[] saved = Files.readAllBytes(factory);

        // Hadoop's local file system keeps a checksum beside the file: it catches a changed file.
        Files.write(factory, new byte[] {1, 2, 3, 4});
        UncheckedIOException checksum = assertThrows(UncheckedIOException.class,
                () -> VectorgradTransformer.load(path));
        assertTrue(checksum.getMessage().startsWith("cannot read " + factory.toUri().getPath()), checksum.getMessage());

        // Without it (a copy by a tool that drops .crc files) deserialisation itself must fail clearly.
        Files.delete(factory.resolveSibling("." + factory.getFileName() + ".crc"));
        assertFactoryFails(path, factory, IOException.class);
        // The lambda's capturing class renamed (same length, so the stream stays well formed).
        String name = VectorgradTransformerTest.class.getName();
        Files.write(factory, replace(saved, name, name.substring(0, name.length() - 1) + "X"));
        assertFactoryFails(path, factory, ClassNotFoundException.class);
    }

    @Test
    void damagedWeightsFailAtLoadNamingTheirPath(@TempDir Path dir) throws IOException {
        String path = dir.resolve("model").toString();
        savedCnn().write().save(path);
        Path weights = dir.resolve("model").resolve(TransformerPersistence.WEIGHTS);
        Files.delete(weights.resolveSibling("." + weights.getFileName() + ".crc"));
        byte[] saved = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(saved, saved.length - 5));
        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> VectorgradTransformer.load(path));
        assertTrue(failed.getMessage().startsWith("cannot load the weights from " + weights.toUri().getPath()),
                failed.getMessage());
    }

    private static void assertFactoryFails(String path, Path factory, Class<? extends Exception> cause) {
        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> VectorgradTransformer.load(path));
        assertTrue(failed.getMessage().startsWith("cannot load the model factory from " + factory.toUri().getPath()),
                failed.getMessage());
        assertInstanceOf(cause, failed.getCause());
    }

    private static byte[] replace(byte[] bytes, String from, String to) {
        byte[] needle = from.getBytes(StandardCharsets.UTF_8);
        byte[] out = bytes.clone();
        int found = 0;
        for (int i = 0; i + needle.length <= out.length; i++) {
            if (Arrays.equals(out, i, i + needle.length, needle, 0, needle.length)) {
                System.arraycopy(to.getBytes(StandardCharsets.UTF_8), 0, out, i, needle.length);
                found++;
            }
        }
        assertTrue(found > 0, "the factory's class name is in the stream");
        return out;
    }
}
