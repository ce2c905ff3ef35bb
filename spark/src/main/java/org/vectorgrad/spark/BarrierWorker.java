package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task: one worker for one epoch (or for several, when the driver keeps
 * the tasks between epochs), with the kernel threads Spark gave the task. A Scala function because {@code RDDBarrier.mapPartitions} has no Java-friendly overload.
 */
final class BarrierWorker extends AbstractFunction1<Iterator<SampleBlock>, Iterator<WorkerResult>>
        implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EpochPlan plan;
    private final int featureSize;

    BarrierWorker(EpochPlan plan, int featureSize) {
        this.plan = plan;
        this.featureSize = featureSize;
    }

    @Override
    public Iterator<WorkerResult> apply(Iterator<SampleBlock> partition) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int rank = context.partitionId();
        int world = context.getTaskInfos().length;
        ShardView shard = ShardView.of(CollectionConverters.asJava(partition), featureSize);
        int threads = KernelThreads.forTask(plan.config().threadsPerTask());
        try (DriverLink driver = DriverLink.connect(plan.driverAddress())) {
            WorkerEpoch.ExchangeOpener opener = plan.config().sync() == SyncMode.ALL_GATHER
                    ? () -> new AllGatherAllReduce(context)
                    : () -> Mesh.open(context, driver);
            WorkerResult result = KernelThreads.call(threads,
                    () -> new WorkerEpoch(plan, rank, world).run(shard, opener, driver, context::isInterrupted));
            // null: the results went to the driver over its channel, epoch by epoch
            List<WorkerResult> returned = result == null ? List.of() : List.of(result);
            return CollectionConverters.asScala(returned.iterator());
        }
    }
}
