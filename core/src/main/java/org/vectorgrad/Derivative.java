package org.vectorgrad;

/**
 * The backward formula of an operation: the gradients of its inputs from the gradient of its
 * output. Written with tensor operations, so that with {@code createGraph} the backward pass is
 * itself recorded and can be differentiated again.
 */
@FunctionalInterface
public interface Derivative {
    /**
     * @param grad      gradient of the loss with respect to the operation's output
     * @param saved     the tensors saved at forward time, in the order they were saved
     * @param needsGrad for each input, whether its gradient is wanted
     * @return one gradient per input (same shape as that input), null where not needed
     */
    Tensor[] apply(Tensor grad, Tensor[] saved, boolean[] needsGrad);
}
