package org.vectorgrad.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;
import org.vectorgrad.io.Safetensors;
import org.vectorgrad.io.SafetensorsFormatException;

/**
 * Spark ML persistence of a {@link VectorgradTransformer}. Under the saved path: Spark's own
 * {@code metadata} (class, uid, set and default params, written and read by Spark's
 * {@code DefaultParams} helpers so they round-trip as for Spark's stages), then
 * {@code data/weights.safetensors} and {@code data/factory.ser} (the factory, Java-serialised).
 * The data files go through Hadoop's {@link FileSystem} for the path's scheme, so HDFS and object
 * stores work as the local disk does.
 */
final class TransformerPersistence {
    static final String WEIGHTS = "data/weights.safetensors";
    static final String FACTORY = "data/factory.ser";

    private TransformerPersistence() {
    }

    /** Writes one transformer; {@link MLWriter#save} has already applied {@code overwrite()} or refused. */
    static final class Writer extends MLWriter {
        private final VectorgradTransformer instance;

        Writer(VectorgradTransformer instance) {
            this.instance = instance;
        }

        // Scala's protected compiles to public, so the override must be public too.
        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
            write(sparkSession(), new Path(path, WEIGHTS), instance.safetensors());
            write(sparkSession(), new Path(path, FACTORY), serialise(instance.factory()));
        }
    }

    /** Reads what {@link Writer} wrote; found by reflection ({@code read()}) when a {@code PipelineModel} loads. */
    static final class Reader extends MLReader<VectorgradTransformer> {
        @Override
        public VectorgradTransformer load(String path) {
            String className = VectorgradTransformer.class.getName();
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    className);
            byte[] weights = checked(read(sparkSession(), new Path(path, WEIGHTS)), new Path(path, WEIGHTS));
            ModelFactory factory = deserialise(read(sparkSession(), new Path(path, FACTORY)), new Path(path, FACTORY));
            VectorgradTransformer instance = new VectorgradTransformer(metadata.uid(), factory, weights);
            metadata.getAndSetParams(instance, scala.Option.empty());
            return instance;
        }
    }

    private static void write(SparkSession session, Path file, byte[] bytes) {
        try {
            FileSystem fs = file.getFileSystem(session.sparkContext().hadoopConfiguration());
            // The directory is new (save refuses or clears an existing one), so never overwrite here.
            try (FSDataOutputStream out = fs.create(file, false)) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(SparkSession session, Path file) {
        try {
            FileSystem fs = file.getFileSystem(session.sparkContext().hadoopConfiguration());
            try (InputStream in = fs.open(file)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    // A damaged file fails here, naming it, rather than later inside every executor's first task.
    private static byte[] checked(byte[] safetensors, Path file) {
        try {
            Safetensors.fromBytes(safetensors);
            return safetensors;
        } catch (SafetensorsFormatException e) {
            throw new IllegalStateException("cannot load the weights from " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] serialise(ModelFactory factory) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(factory);
        } catch (IOException e) {
            throw new UncheckedIOException("the model factory " + factory.getClass().getName()
                    + " is not serialisable: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    // NOTE: Java deserialisation runs code of the classes it names: load only paths you trust, as
    // with any pickled model.
    private static ModelFactory deserialise(byte[] bytes, Path file) {
        try (ObjectInputStream in = new ContextClassLoaderInput(new ByteArrayInputStream(bytes))) {
            return (ModelFactory) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalStateException("cannot load the model factory from " + file + ": " + e, e);
        }
    }

    /**
     * Resolves classes with the thread's context class loader: the factory's class (or a lambda's
     * capturing class) comes from the application's jars, which the default resolution (the nearest
     * loader on the stack, Spark's) may not see under {@code spark-submit} or a notebook.
     */
    private static final class ContextClassLoaderInput extends ObjectInputStream {
        ContextClassLoaderInput(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader == null) {
                return super.resolveClass(desc);
            }
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc); // primitive types, which forName does not know
            }
        }
    }
}
