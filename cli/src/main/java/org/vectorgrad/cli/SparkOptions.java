package org.vectorgrad.cli;

/**
 * {@code --spark MASTER [--partitions N]}: the Spark master URL ({@code local[2]}, {@code local[*]},
 * {@code spark://host:7077}, {@code yarn}) and the number of data-parallel workers, null for the
 * master's default parallelism (its cores, divided by {@code spark.task.cpus}).
 */
record SparkOptions(String master, Integer partitions) {
    SparkOptions {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("--spark needs a master URL, e.g. local[2] or spark://host:7077");
        }
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
        }
    }
}
