package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a sample's features from a row: either one column holding a Spark ML vector or an array
 * of numbers, or several numeric columns (one feature each), always as float32.
 */
final class FeatureColumns implements Serializable {
    private static final long serialVersionUID = 1L;

    private enum Kind { VECTOR, ARRAY, SCALARS }

    private final Kind kind;
    private final int[] indices;
    private final String[] names;

    private FeatureColumns(Kind kind, int[] indices, String[] names) {
        this.kind = kind;
        this.indices = indices;
        this.names = names;
    }

    /** The reader for {@code columns} of rows with {@code schema}; an IllegalArgumentException names a wrong column. */
    static FeatureColumns of(StructType schema, String... columns) {
        if (columns == null || columns.length == 0) {
            throw new IllegalArgumentException("no feature columns given; the schema has " + schema.simpleString());
        }
        int[] indices = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            indices[i] = indexOf(schema, columns[i]);
        }
        DataType first = schema.fields()[indices[0]].dataType();
        if (columns.length == 1 && first.equals(SQLDataTypes.VectorType())) {
            return new FeatureColumns(Kind.VECTOR, indices, columns);
        }
        if (columns.length == 1 && first instanceof ArrayType array && array.elementType() instanceof NumericType) {
            return new FeatureColumns(Kind.ARRAY, indices, columns);
        }
        for (int i = 0; i < columns.length; i++) {
            DataType type = schema.fields()[indices[i]].dataType();
            if (!(type instanceof NumericType)) {
                throw new IllegalArgumentException("feature column '" + columns[i] + "' is " + type.simpleString()
                        + "; expected one vector or numeric-array column, or numeric columns");
            }
        }
        return new FeatureColumns(Kind.SCALARS, indices, columns);
    }

    static int indexOf(StructType schema, String column) {
        List<String> names = Arrays.asList(schema.fieldNames());
        int index = names.indexOf(column);
        if (index < 0) {
            throw new IllegalArgumentException("no column '" + column + "' in " + schema.simpleString());
        }
        return index;
    }

    /** The features of {@code row}; {@code expected} (when positive) is the size every row must have. */
    float[] read(Row row, int expected) {
        float[] values = switch (kind) {
            case VECTOR -> toFloats(((Vector) row.get(indices[0])).toArray());
            case ARRAY -> fromList(row.getList(indices[0]));
            case SCALARS -> scalars(row);
        };
        if (expected > 0 && values.length != expected) {
            throw new IllegalArgumentException("feature column(s) " + Arrays.toString(names) + " hold "
                    + values.length + " values in a row; the model takes " + expected);
        }
        return values;
    }

    private float[] scalars(Row row) {
        float[] values = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = number(row.get(indices[i]), names[i]);
        }
        return values;
    }

    private float[] fromList(List<Object> list) {
        float[] values = new float[list.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(list.get(i), names[0]);
        }
        return values;
    }

    private static float number(Object value, String column) {
        if (value == null) {
            throw new IllegalArgumentException("feature column '" + column + "' has a null value");
        }
        return ((Number) value).floatValue();
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
