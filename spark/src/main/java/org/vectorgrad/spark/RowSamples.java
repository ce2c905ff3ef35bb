package org.vectorgrad.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;

/**
 * DataFrame rows to training samples, apart from {@link TrainingData}: deserialising a lambda
 * reflects on every method of the class that made it, so Spark SQL types in those signatures
 * would make executors load Spark SQL even for RDD-only training (the CLI runs without it).
 */
final class RowSamples {
    private RowSamples() {
    }

    static JavaRDD<Sample> of(Dataset<Row> rows, String labelColumn, String... featureColumns) {
        FeatureColumns features = FeatureColumns.of(rows.schema(), featureColumns);
        int label = FeatureColumns.indexOf(rows.schema(), labelColumn);
        if (!(rows.schema().fields()[label].dataType() instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + labelColumn + "' is "
                    + rows.schema().fields()[label].dataType().simpleString() + "; expected class indices");
        }
        return rows.javaRDD().map(row -> new Sample(features.read(row, 0), classIndex(row, label)));
    }

    private static int classIndex(Row row, int column) {
        double value = ((Number) row.get(column)).doubleValue();
        if (value < 0 || value != Math.rint(value) || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("label " + value + " is not a class index (an integer >= 0)");
        }
        return (int) value;
    }
}
