package org.vectorgrad;

/**
 * The set of nodes a backward pass has reached: one open-addressing array keyed by the nodes'
 * unique creation numbers. A tiny graph's backward used to spend a tenth of its allocation on an
 * identity hash set (map, table, key-set view), and on these VMs fresh memory costs page faults.
 */
final class NodeSet {
    private Node[] slots = new Node[16];
    private int size;

    /** Adds {@code node}; false when it was already in. */
    boolean add(Node node) {
        if (2 * (size + 1) > slots.length) {
            grow();
        }
        if (!insert(slots, node)) {
            return false;
        }
        size++;
        return true;
    }

    private static boolean insert(Node[] table, Node node) {
        int mask = table.length - 1;
        for (int i = spread(node.sequence) & mask; ; i = (i + 1) & mask) {
            if (table[i] == null) {
                table[i] = node;
                return true;
            }
            if (table[i] == node) {
                return false;
            }
        }
    }

    private void grow() {
        Node[] bigger = new Node[slots.length * 2];
        for (Node node : slots) {
            if (node != null) {
                insert(bigger, node);
            }
        }
        slots = bigger;
    }

    // Creation numbers are consecutive: multiply by the golden ratio so neighbours scatter.
    private static int spread(long sequence) {
        long mixed = sequence * 0x9E3779B97F4A7C15L;
        return (int) (mixed >>> 32);
    }
}
