package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.vectorgrad.nn.Module;

/**
 * Batch inference as a Spark ML {@link Transformer}: adds {@code prediction} (the arg-max class, or
 * the output itself for a one-output model), {@code probability} (softmax, a dense ML vector) and
 * optionally {@code rawPrediction} (the model's outputs) to a DataFrame whose features are one
 * vector or numeric-array column, or several numeric columns. The weights travel once per
 * executor as a broadcast of safetensors bytes; each executor builds the model once (the
 * factory), loads them and keeps it for all its tasks; rows are batched into tensors of
 * {@code batchSize} rows, run in eval mode without a graph, on {@code spark.task.cpus} threads.
 *
 * <p>Persistable as any Spark ML stage, alone ({@code write().overwrite().save(path)},
 * {@link #load}) or inside a saved {@code PipelineModel}: Spark's params metadata plus the weights
 * (safetensors) and the factory (Java serialisation, resolved with the thread's context class
 * loader, so its class must be on the loading application's class path). Deserialising the
 * factory runs code of the classes it names: load only paths you trust.
 */
public final class VectorgradTransformer extends Transformer implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final ModelFactory factory;
    private final byte[] weights;
    private final StringArrayParam inputCols;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final IntArrayParam sampleShape;
    private final IntParam batchSize;
    private transient Broadcast<byte[]> broadcast;

    /** A transformer for {@code trained}'s current weights; {@code factory} builds the same architecture. */
    public VectorgradTransformer(ModelFactory factory, Module trained) {
        this(factory, StateBytes.encode(trained.stateDict()));
    }

    /** A transformer for weights given as safetensors bytes (a state dict, e.g. a file's contents). */
    public VectorgradTransformer(ModelFactory factory, byte[] safetensors) {
        this("vectorgrad_" + UUID.randomUUID().toString().substring(0, 12), factory, safetensors);
    }

    // Package-private: the reader rebuilds a saved transformer under its uid.
    VectorgradTransformer(String uid, ModelFactory factory, byte[] safetensors) {
        this.uid = uid;
        this.factory = factory;
        this.weights = safetensors.clone();
        inputCols = new StringArrayParam(this, "inputCols", "feature columns: one vector or numeric-array column,"
                + " or several numeric columns");
        predictionCol = new Param<>(this, "predictionCol", "output column: arg-max class (or the single output)");
        probabilityCol = new Param<>(this, "probabilityCol", "output column: softmax vector; empty for none");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "output column: model outputs; empty for none");
        sampleShape = new IntArrayParam(this, "sampleShape", "shape of one sample as the model takes it;"
                + " empty: the flat features");
        batchSize = new IntParam(this, "batchSize", "rows per forward pass (> 0)");
        setDefault(inputCols, new String[] {"features"});
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "");
        setDefault(sampleShape, new int[0]);
        setDefault(batchSize, 256);
    }

    @Override
    public String uid() {
        return uid;
    }

    public StringArrayParam inputCols() {
        return inputCols;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public IntArrayParam sampleShape() {
        return sampleShape;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public VectorgradTransformer setInputCols(String... columns) {
        set(inputCols, columns);
        return this;
    }

    public VectorgradTransformer setPredictionCol(String column) {
        set(predictionCol, column);
        return this;
    }

    public VectorgradTransformer setProbabilityCol(String column) {
        set(probabilityCol, column);
        return this;
    }

    public VectorgradTransformer setRawPredictionCol(String column) {
        set(rawPredictionCol, column);
        return this;
    }

    public VectorgradTransformer setSampleShape(int... shape) {
        set(sampleShape, shape);
        return this;
    }

    public VectorgradTransformer setBatchSize(int rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + rows);
        }
        set(batchSize, rows);
        return this;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        FeatureColumns.of(schema, getOrDefault(inputCols));
        List<StructField> fields = new ArrayList<>(Arrays.asList(schema.fields()));
        for (String name : outputColumns()) {
            if (Arrays.asList(schema.fieldNames()).contains(name)) {
                throw new IllegalArgumentException("output column '" + name + "' already exists in "
                        + schema.simpleString());
            }
        }
        fields.add(DataTypes.createStructField(getOrDefault(predictionCol), DataTypes.DoubleType, false));
        if (!getOrDefault(probabilityCol).isEmpty()) {
            fields.add(DataTypes.createStructField(getOrDefault(probabilityCol), SQLDataTypes.VectorType(), true));
        }
        if (!getOrDefault(rawPredictionCol).isEmpty()) {
            fields.add(DataTypes.createStructField(getOrDefault(rawPredictionCol), SQLDataTypes.VectorType(), false));
        }
        return DataTypes.createStructType(fields);
    }

    private List<String> outputColumns() {
        List<String> names = new ArrayList<>(List.of(getOrDefault(predictionCol)));
        for (String optional : List.of(getOrDefault(probabilityCol), getOrDefault(rawPredictionCol))) {
            if (!optional.isEmpty()) {
                names.add(optional);
            }
        }
        return names;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType output = transformSchema(dataset.schema());
        RowPredictor predictor = new RowPredictor(factory, weights(dataset.sparkSession()), uid,
                FeatureColumns.of(dataset.schema(), getOrDefault(inputCols)), getOrDefault(sampleShape),
                (Integer) getOrDefault(batchSize), !getOrDefault(probabilityCol).isEmpty(),
                !getOrDefault(rawPredictionCol).isEmpty());
        return dataset.toDF().mapPartitions(predictor, Encoders.row(output));
    }

    // One broadcast per transformer and Spark context, made on first use.
    private synchronized Broadcast<byte[]> weights(SparkSession session) {
        if (broadcast == null || session.sparkContext().isStopped()) {
            broadcast = JavaSparkContext.fromSparkContext(session.sparkContext()).broadcast(weights);
        }
        return broadcast;
    }

    @Override
    public VectorgradTransformer copy(ParamMap extra) {
        return copyValues(new VectorgradTransformer(uid, factory, weights), extra);
    }

    ModelFactory factory() {
        return factory;
    }

    // The array itself: callers only write it out.
    byte[] safetensors() {
        return weights;
    }

    @Override
    public MLWriter write() {
        return new TransformerPersistence.Writer(this);
    }

    /** Spark's {@code PipelineModel} reader looks this method up by reflection. */
    public static MLReader<VectorgradTransformer> read() {
        return new TransformerPersistence.Reader();
    }

    /** The transformer saved at {@code path} by {@code write().save(path)}. */
    public static VectorgradTransformer load(String path) {
        return read().load(path);
    }
}
