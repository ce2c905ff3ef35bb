package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
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
}
